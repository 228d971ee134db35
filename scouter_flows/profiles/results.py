"""Drift results: per-feature values, thresholds and statuses, JSON-able and frame-able."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar, Literal, NamedTuple

import polars as pl
from pydantic import Field

from scouter_flows.deprecation import moved_names
from scouter_flows.profiles.arrays import ArrayModel, FloatArray, IntArray
from scouter_flows.profiles.base import FrozenModel

FeatureStatus = Literal["ok", "drift", "insufficient_data"]
StoredIn = Literal["drift_results", "metric_results"]


class Breach(NamedTuple):
    """One alert-worthy finding of a result, before it becomes an alert record.

    `kind` with `key_suffix` tells breaches of one entity apart across windows (the dedup key).
    """

    entity: str
    kind: str
    value: float | None
    threshold: float | None
    message: str
    details: dict[str, Any]
    key_suffix: str = ""


class DriftResultBase(FrozenModel):
    """Identity of the profile a result belongs to, the verdict helpers, and what each kind
    gives the store (`stored_in`, `stored_rows`), the alerts (`breaches`) and the run table
    (`table_rows`)."""

    stored_in: ClassVar[StoredIn] = "drift_results"
    """The store table of the per-feature (or per-metric) rows."""

    space: str
    name: str
    version: str
    rows: int = Field(description="Rows observed in the batch or window.")

    def statuses(self) -> list[tuple[str, str]]:
        """(feature or metric, status) for every judged feature or metric."""
        raise NotImplementedError

    def stored_rows(self, run_id: int) -> list[dict[str, Any]]:
        """The rows of `stored_in` for run `run_id`."""
        raise NotImplementedError

    def breaches(self, features: frozenset[str] = frozenset()) -> list[Breach]:
        """What raises an alert, narrowed to `features` when given."""
        raise NotImplementedError

    def table_rows(self) -> list[dict[str, Any]]:
        """One row per feature or metric: feature, value, threshold, status (the run table)."""
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
    p_value: float | None = Field(
        default=None,
        description="Chance of a PSI this large without drift (alpha thresholds only).",
    )


class PsiDriftResult(DriftResultBase):
    """All feature verdicts of one profile over one batch or window.

    Small enough to cross an XCom or a Prefect result: it never holds the data itself.
    """

    drift_type: Literal["psi"]
    features: list[FeatureDrift]
    weighted_psi: float | None = Field(
        default=None,
        description="Importance-weighted mean PSI over judged features (with feature_importances).",
    )
    feature_alpha: float | None = Field(
        default=None,
        description="The per-feature level the thresholds were set at: the profile's alpha, or "
        "the level its correction chose for this window (alpha thresholds only).",
    )

    def statuses(self) -> list[tuple[str, str]]:
        return [(x.feature, x.status) for x in self.features]

    def stored_rows(self, run_id: int) -> list[dict[str, Any]]:
        return _feature_rows(run_id, self.features, value="value", threshold="threshold")

    def breaches(self, features: frozenset[str] = frozenset()) -> list[Breach]:
        """One per drifted feature.

        Example:
            >>> result = PsiDriftResult(space="s", name="m", version="1", rows=9, drift_type="psi",
            ...     features=[FeatureDrift(feature="age", value=0.4, threshold=0.1, status="drift",
            ...     observed_rows=9, effective_bins=4, missing_rate=0.0)])
            >>> result.breaches()[0].message
            "feature 'age': PSI 0.4000 > threshold 0.1000 (9 rows)"
        """
        return [
            Breach(
                f.feature,
                "psi_drift",
                f.value,
                f.threshold,
                f"feature {f.feature!r}: PSI {f.value:.4f} > threshold {f.threshold:.4f} "
                f"({f.observed_rows} rows)",
                {"observed_rows": f.observed_rows},
            )
            for f in self.features
            if f.status == "drift"
            and f.value is not None
            and f.threshold is not None
            and (not features or f.feature in features)
        ]

    def table_rows(self) -> list[dict[str, Any]]:
        return [
            {"feature": f.feature, "value": f.value, "threshold": f.threshold, "status": f.status}
            for f in self.features
        ]

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


class SpcDriftResult(DriftResultBase):
    """All feature charts of one SPC profile over one batch or window."""

    drift_type: Literal["spc"] = "spc"
    leftover_rows: int = Field(description="Trailing rows that did not fill a subgroup (unused).")
    features: list[SpcFeatureDrift]

    def statuses(self) -> list[tuple[str, str]]:
        return [(x.feature, x.status) for x in self.features]

    def stored_rows(self, run_id: int) -> list[dict[str, Any]]:
        return _feature_rows(run_id, self.features, value="max_abs_z", threshold="limit")

    def breaches(self, features: frozenset[str] = frozenset()) -> list[Breach]:
        """One per feature, rule kind and zone that completed in the window."""
        found: list[Breach] = []
        for chart in self.features:
            if features and chart.feature not in features:
                continue
            for alert in chart.alerts:
                where = f" zone {alert.zone}" if alert.zone is not None else ""
                at = f" at {alert.time.isoformat()}" if alert.time is not None else ""
                found.append(
                    Breach(
                        chart.feature,
                        f"spc_{alert.kind}",
                        chart.max_abs_z if alert.statistic is None else alert.statistic,
                        alert.limit,
                        f"feature {chart.feature!r}: {alert.kind.replace('_', ' ')}{where}, "
                        f"first at subgroup {alert.index}{at}, {alert.occurrences} time(s); "
                        f"max |z| {chart.max_abs_z:.2f}",
                        {
                            "zone": alert.zone,
                            "index": alert.index,
                            "occurrences": alert.occurrences,
                            "time": alert.time.isoformat() if alert.time else None,
                        },
                        f":zone{alert.zone}" if alert.zone is not None else "",
                    )
                )
        return found

    def table_rows(self) -> list[dict[str, Any]]:
        return [
            {"feature": f.feature, "value": f.max_abs_z, "threshold": f.limit, "status": f.status}
            for f in self.features
        ]

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


class CustomDriftResult(DriftResultBase):
    """All custom metrics of one profile over one window."""

    stored_in: ClassVar[StoredIn] = "metric_results"

    drift_type: Literal["custom"] = "custom"
    metrics: list[CustomMetricResult]

    def statuses(self) -> list[tuple[str, str]]:
        return [(x.metric, x.status) for x in self.metrics]

    def stored_rows(self, run_id: int) -> list[dict[str, Any]]:
        return [
            {"run_id": run_id, **m.model_dump(exclude={"alert_threshold"})} for m in self.metrics
        ]

    def breaches(self, features: frozenset[str] = frozenset()) -> list[Breach]:
        """One per breached metric (every metric is watched: `features` narrows nothing)."""
        found: list[Breach] = []
        for m in self.metrics:
            if m.status != "drift" or m.value is None:
                continue
            above = m.upper is not None and m.value > m.upper
            bound = m.upper if above else m.lower
            assert bound is not None
            found.append(
                Breach(
                    m.metric,
                    f"custom_{m.alert_threshold.lower()}",
                    m.value,
                    bound,
                    f"metric {m.metric!r}: {m.value:.4f} {'>' if above else '<'} {bound:.4f} "
                    f"(baseline {m.baseline_value:.4f}, {m.alert_threshold}; "
                    f"{m.observations} observations)",
                    {"baseline_value": m.baseline_value},
                )
            )
        return found

    def table_rows(self) -> list[dict[str, Any]]:
        """A metric's threshold is its breach bounds as text (`< 0.88`, `outside [1, 2]`)."""
        return [
            {
                "feature": m.metric,
                "value": m.value,
                "threshold": _bounds(m.lower, m.upper),
                "status": m.status,
            }
            for m in self.metrics
        ]

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


def _feature_rows(
    run_id: int, features: Sequence[FeatureDrift | SpcFeatureDrift], *, value: str, threshold: str
) -> list[dict[str, Any]]:
    """`drift_results` rows: the judged value and its threshold in columns, the rest as payload."""
    columns = {"feature", value, threshold, "status"}
    return [
        {
            "run_id": run_id,
            "feature": f.feature,
            "value": getattr(f, value),
            "threshold": getattr(f, threshold),
            "status": f.status,
            "payload": f.model_dump(mode="json", exclude=columns),
        }
        for f in features
    ]


def _bounds(lower: float | None, upper: float | None) -> str:
    """The breach bounds of a metric as text: `< 0.88`, `> 120` or `outside [1, 2]`."""
    if lower is not None and upper is not None:
        return f"outside [{lower:.4g}, {upper:.4g}]"
    return f"< {lower:.4g}" if lower is not None else f"> {upper:.4g}" if upper is not None else ""


AnyResult = PsiDriftResult | SpcDriftResult | CustomDriftResult
"""A drift result of any built-in kind."""

# Scouter's names of the results `compute_drift` returns.
PsiDriftMap = PsiDriftResult
SpcDriftMap = SpcDriftResult

__getattr__ = moved_names(__name__, {"DriftResult": f"{__name__}:PsiDriftResult"})
