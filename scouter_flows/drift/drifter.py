"""`Drifter`: the one entry point for building drift profiles and computing drift."""

from __future__ import annotations

from scouter_flows.drift.psi import compute_psi_drift, create_psi_profile
from scouter_flows.errors import ConfigError, DataError
from scouter_flows.profiles.psi import PsiDriftConfig, PsiDriftProfile
from scouter_flows.profiles.results import DriftResult
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

    def create_drift_profile(self, data: DataLike, config: PsiDriftConfig) -> PsiDriftProfile:
        """Build a drift profile of the kind `config` asks for from baseline `data`.

        Args:
            data: Polars/pandas frame, pyarrow Table, 2-D numpy array, list of dicts or pydantic
                models, or a path/glob to parquet, CSV or NDJSON.
            config: A `PsiDriftConfig`.
        """
        if isinstance(config, PsiDriftConfig):
            return create_psi_profile(to_lazyframe(data), config)
        raise ConfigError(
            f"unsupported drift config {type(config).__name__}: expected PsiDriftConfig"
        )

    def compute_drift(self, data: DataLike, profile: PsiDriftProfile) -> DriftResult:
        """Compare `data` with `profile` and return per-feature values, thresholds and statuses.

        Raises:
            DataError: `data` is empty or lacks a profile feature.
        """
        if not isinstance(profile, PsiDriftProfile):
            raise ConfigError(
                f"unsupported drift profile {type(profile).__name__}: expected PsiDriftProfile"
            )
        result = compute_psi_drift(to_lazyframe(data), profile)
        if result.rows == 0:
            raise DataError("observed data is empty: drift needs at least one row")
        return result
