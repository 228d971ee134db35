"""`Drifter`: the one entry point for building drift profiles and computing drift."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

from scouter_flows.drift.kinds import AnyConfig, AnyProfile, kind_of
from scouter_flows.errors import DataError
from scouter_flows.profiles.custom import CustomDriftProfile, CustomMetric, CustomMetricDriftConfig
from scouter_flows.profiles.psi import PsiDriftConfig, PsiDriftProfile
from scouter_flows.profiles.results import (
    AnyResult,
    CustomDriftResult,
    PsiDriftResult,
    SpcDriftResult,
)
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
    @overload
    def create_drift_profile(
        self, data: Sequence[CustomMetric], config: CustomMetricDriftConfig
    ) -> CustomDriftProfile: ...

    @overload
    def create_drift_profile(self, data: DataLike) -> SpcDriftProfile: ...

    def create_drift_profile(self, data: Any, config: AnyConfig | None = None) -> AnyProfile:
        """Build a drift profile of the kind `config` asks for (without one, an SPC profile
        with `SpcDriftConfig()`'s defaults, as in Scouter).

        Args:
            data: For PSI and SPC, the baseline: a Polars/pandas frame, pyarrow Table, 2-D numpy
                array, mapping of columns, list of dicts or pydantic models, or a path/glob to
                parquet, CSV or NDJSON. For custom metrics, a list of `CustomMetric`.
            config: A `PsiDriftConfig`, `SpcDriftConfig` or `CustomMetricDriftConfig`.

        Raises:
            ConfigError: `config` is of no registered drift kind.
        """
        if config is None:
            config = SpcDriftConfig()
        profile: AnyProfile = kind_of(config).create(data, config)
        return profile

    @overload
    def compute_drift(self, data: DataLike, profile: PsiDriftProfile) -> PsiDriftResult: ...
    @overload
    def compute_drift(
        self,
        data: DataLike,
        profile: SpcDriftProfile,
        carry_over: dict[str, Sequence[float]] | None = None,
    ) -> SpcDriftResult: ...
    @overload
    def compute_drift(self, data: DataLike, profile: CustomDriftProfile) -> CustomDriftResult: ...

    def compute_drift(
        self,
        data: DataLike,
        profile: AnyProfile,
        carry_over: dict[str, Sequence[float]] | None = None,
    ) -> AnyResult:
        """Compare `data` with `profile` and return per-feature (or per-metric) verdicts.

        Args:
            data: The observed batch or window, in any form `create_drift_profile` accepts; for
                custom metrics, one column of observations per metric.
            profile: A PSI, SPC or custom-metric profile.
            carry_over: SPC only: each feature's last subgroup means of the previous window.

        Raises:
            ConfigError: `profile` is of no registered drift kind.
            DataError: `data` is empty or lacks a profile feature or metric.
        """
        result = kind_of(profile).compute(to_lazyframe(data), profile, carry_over)
        if result.rows == 0:
            raise DataError("observed data is empty: drift needs at least one row")
        return result
