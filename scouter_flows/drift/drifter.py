"""`Drifter`: the one entry point for building drift profiles and computing drift."""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from scouter_flows.drift.psi import compute_psi_drift, create_psi_profile
from scouter_flows.drift.spc import compute_spc_drift, create_spc_profile
from scouter_flows.errors import ConfigError, DataError
from scouter_flows.profiles.psi import PsiDriftConfig, PsiDriftProfile
from scouter_flows.profiles.results import DriftResult, SpcDriftResult
from scouter_flows.profiles.spc import SpcDriftConfig, SpcDriftProfile
from scouter_flows.sources.frames import DataLike, to_lazyframe


class Drifter:
    """Builds drift profiles from baseline data and checks new data against them.

    Example:
        >>> import polars as pl
        >>> from scouter_flows import Drifter, PsiDriftConfig
        >>> baseline = pl.DataFrame({"x": [float(i % 100) for i in range(5000)]})
        >>> profile = Drifter().create_drift_profile(baseline, PsiDriftConfig(space="s", name="m"))
        >>> Drifter().compute_drift(baseline, profile).features[0].status
        'ok'
    """

    @overload
    def create_drift_profile(self, data: DataLike, config: PsiDriftConfig) -> PsiDriftProfile: ...
    @overload
    def create_drift_profile(self, data: DataLike, config: SpcDriftConfig) -> SpcDriftProfile: ...

    def create_drift_profile(
        self, data: DataLike, config: PsiDriftConfig | SpcDriftConfig
    ) -> PsiDriftProfile | SpcDriftProfile:
        """Build a drift profile of the kind `config` asks for from baseline `data`.

        Args:
            data: Polars/pandas frame, pyarrow Table, 2-D numpy array, list of dicts or pydantic
                models, or a path/glob to parquet, CSV or NDJSON.
            config: A `PsiDriftConfig` or `SpcDriftConfig`.
        """
        if isinstance(config, PsiDriftConfig):
            return create_psi_profile(to_lazyframe(data), config)
        if isinstance(config, SpcDriftConfig):
            return create_spc_profile(to_lazyframe(data), config)
        raise ConfigError(
            f"unsupported drift config {type(config).__name__}: expected PsiDriftConfig or "
            "SpcDriftConfig"
        )

    @overload
    def compute_drift(self, data: DataLike, profile: PsiDriftProfile) -> DriftResult: ...
    @overload
    def compute_drift(
        self,
        data: DataLike,
        profile: SpcDriftProfile,
        carry_over: dict[str, Sequence[float]] | None = None,
    ) -> SpcDriftResult: ...

    def compute_drift(
        self,
        data: DataLike,
        profile: PsiDriftProfile | SpcDriftProfile,
        carry_over: dict[str, Sequence[float]] | None = None,
    ) -> DriftResult | SpcDriftResult:
        """Compare `data` with `profile` and return per-feature verdicts.

        Args:
            data: The observed batch or window (any input `create_drift_profile` accepts).
            profile: A PSI or SPC profile.
            carry_over: SPC only: each feature's last subgroup means of the previous window.

        Raises:
            DataError: `data` is empty or lacks a profile feature.
        """
        frame = to_lazyframe(data)
        result: DriftResult | SpcDriftResult
        if isinstance(profile, PsiDriftProfile):
            result = compute_psi_drift(frame, profile)
        elif isinstance(profile, SpcDriftProfile):
            result = compute_spc_drift(frame, profile, carry_over)
        else:
            raise ConfigError(
                f"unsupported drift profile {type(profile).__name__}: expected PsiDriftProfile "
                "or SpcDriftProfile"
            )
        if result.rows == 0:
            raise DataError("observed data is empty: drift needs at least one row")
        return result
