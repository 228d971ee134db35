"""Drift results: per-feature values, thresholds and statuses, JSON-able and frame-able."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import polars as pl
from pydantic import Field

from scouter_flows.deprecation import moved_names
from scouter_flows.profiles.arrays import ArrayModel, FloatArray, IntArray
from scouter_flows.profiles.base import FrozenModel

FeatureStatus = Literal["ok", "drift", "insufficient_data"]


class _ResultBase(FrozenModel):
    """Identity of the profile a result belongs to, and the verdict helpers."""

    space: str
    name: str
    version: str
    rows: int = Field(description="Rows observed in the batch or window.")

    def statuses(self) -> list[tuple[str, str]]:
        """(feature or metric, status) for every judged feature or metric."""
        raise NotImplementedError

    @property
    def drifted(self) -> list[str]:
        """Names of the features (or metrics) whose status is `drift`."""
        return [name for name, status in self.statuses() if status == "drift"]

    @property
    def has_drift(self) -> bool:
        """Whether any feature (or metric) drifted."""
        return bool(self.drifted)


class FeatureDrift(FrozenModel):
    """The drift verdict for one feature in one window."""

    feature: str
    value: float | None = Field(description="PSI; None when there was not enough data.")
    threshold: float | None = Field(description="Drift iff value > threshold.")
    status: FeatureStatus
    observed_rows: int = Field(description="Rows of the window, missing values included.")
    effective_bins: int = Field(description="Bins with a non-zero baseline proportion.")
    missing_rate: float | None = Field(description="Share of null/NaN values in the window.")
    unseen_rate: float | None = Field(
        default=None, description="Share of categories not seen at baseline (categorical only)."
    )
    observed_proportions: list[float] = Field(
        default_factory=list, description="Window proportion per profile bin (missing last)."
    )


class PsiDriftResult(_ResultBase):
    """All feature verdicts of one profile over one batch or window.

    Small enough to cross an XCom or a Prefect result: it never holds the data itself.
    """

    drift_type: Literal["psi"]
    features: list[FeatureDrift]
    weighted_psi: float | None = Field(
        default=None,
        description="Importance-weighted mean PSI over judged features (with feature_importances).",
    )

    def statuses(self) -> list[tuple[str, str]]:
        return [(x.feature, x.status) for x in self.features]

    def to_polars(self) -> pl.DataFrame:
        """One row per feature: feature, value, threshold, status, observed_rows, rates."""
        return pl.DataFrame(
            [f.model_dump(exclude={"observed_proportions"}) for f in self.features],
            schema={
                "feature": pl.String,
                "value": pl.Float64,
                "threshold": pl.Float64,
                "status": pl.String,
                "observed_rows": pl.Int64,
                "effective_bins": pl.Int64,
                "missing_rate": pl.Float64,
                "unseen_rate": pl.Float64,
            },
        )


OUT_OF_BOUNDS_SE = 3.0
"""The rule string's single-mean limit: zone 4 lies beyond 3 standard errors."""

SpcAlertKind = Literal["out_of_bounds", "consecutive", "alternating", "trend", "cusum"]


class SpcAlert(FrozenModel):
    """A pattern of subgroup means that completed in this window (one alert per kind and zone).

    `index` and `time` name the first completion; `occurrences` counts every completion in the
    window, so a long window with a recurring pattern raises one alert, not hundreds.
    """

    kind: SpcAlertKind
    zone: int | None = Field(
        description="1-4; None for a trend, a CUSUM or a mean beyond the calibrated limit."
    )
    index: int = Field(description="Index of the first completing subgroup within the window.")
    time: datetime | None = Field(
        default=None, description="Timestamp of that subgroup's last row, if rows are ordered."
    )
    occurrences: int = Field(default=1, ge=1, description="Completions in this window.")
    limit: float | None = Field(
        default=None,
        description="The limit crossed, in standard errors: h of the CUSUM, the single-mean "
        "limit (3 for the rule string's out-of-bounds); None for the other zone patterns.",
    )
    statistic: float | None = Field(
        default=None, description="The largest value of the statistic that crossed it."
    )


class SpcFeatureDrift(ArrayModel):
    """The X-bar chart of one feature over one window."""

    feature: str
    status: FeatureStatus
    subgroups: int = Field(description="Full subgroups in the window.")
    max_abs_z: float | None = Field(description="Largest |mean - centre| / SE in the window.")
    limit: float = Field(
        default=OUT_OF_BOUNDS_SE,
        description="The single-mean limit |z| the window was judged against (calibrated for the "
        "window's length, or 3 for the rule string).",
    )
    means: FloatArray = Field(description="Subgroup means, oldest first.")
    zones: IntArray = Field(description="Signed zone of each mean (+/-1..4; 0 at the centre).")
    alerts: list[SpcAlert] = Field(default_factory=list)


class SpcDriftResult(_ResultBase):
    """All feature charts of one SPC profile over one batch or window."""

    drift_type: Literal["spc"] = "spc"
    leftover_rows: int = Field(description="Trailing rows that did not fill a subgroup (unused).")
    features: list[SpcFeatureDrift]

    def statuses(self) -> list[tuple[str, str]]:
        return [(x.feature, x.status) for x in self.features]

    def to_polars(self) -> pl.DataFrame:
        """One row per alert: feature, kind, zone, index, time."""
        return pl.DataFrame(
            [{"feature": f.feature, **a.model_dump()} for f in self.features for a in f.alerts],
            schema={
                "feature": pl.String,
                "kind": pl.String,
                "zone": pl.Int64,
                "index": pl.Int64,
                "time": pl.Datetime("us", "UTC"),
            },
        )


class CustomMetricResult(FrozenModel):
    """One custom metric over one window."""

    metric: str
    value: float | None = Field(description="Mean of the observations; None when too few.")
    baseline_value: float
    alert_threshold: str
    lower: float | None = Field(description="Breach below this (strictly); None: no lower side.")
    upper: float | None = Field(description="Breach above this (strictly); None: no upper side.")
    observations: int
    status: FeatureStatus


class CustomDriftResult(_ResultBase):
    """All custom metrics of one profile over one window."""

    drift_type: Literal["custom"] = "custom"
    metrics: list[CustomMetricResult]

    def statuses(self) -> list[tuple[str, str]]:
        return [(x.metric, x.status) for x in self.metrics]

    def to_polars(self) -> pl.DataFrame:
        """One row per metric."""
        return pl.DataFrame(
            [m.model_dump() for m in self.metrics],
            schema={
                "metric": pl.String,
                "value": pl.Float64,
                "baseline_value": pl.Float64,
                "alert_threshold": pl.String,
                "lower": pl.Float64,
                "upper": pl.Float64,
                "observations": pl.Int64,
                "status": pl.String,
            },
        )


__getattr__ = moved_names(__name__, {"DriftResult": f"{__name__}:PsiDriftResult"})
