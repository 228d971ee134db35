"""Custom metrics: the window value is the mean of the observed values, judged by each rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction

import polars as pl
from pydantic import Field

from scouter_flows.drift.binning import finite
from scouter_flows.drift.engine import partial_in_parts
from scouter_flows.drift.exact import exact_sum
from scouter_flows.errors import ConfigError, DataError
from scouter_flows.profiles.base import FrozenModel
from scouter_flows.profiles.custom import CustomDriftProfile, CustomMetric, CustomMetricDriftConfig
from scouter_flows.profiles.results import CustomDriftResult, CustomMetricResult


class CustomPartial(FrozenModel):
    """Count and exact sum of each metric's observations in one part of a window; parts merge
    without rounding, so a merged window judges exactly as the whole one."""

    counts: dict[str, int] = Field(description="Finite observations per metric.")
    sums: dict[str, Fraction] = Field(
        description="Exact sum of the finite observations per metric (a float is taken exactly; "
        'JSON holds it as "numerator/denominator").'
    )
    rows: int = Field(ge=0, description="Rows seen.")

    def merge(self, other: CustomPartial) -> CustomPartial:
        """Both parts together."""
        if self.counts.keys() != other.counts.keys():
            raise DataError("cannot merge custom-metric partials of different metrics")
        return CustomPartial(
            counts={k: v + other.counts[k] for k, v in self.counts.items()},
            sums={k: v + other.sums[k] for k, v in self.sums.items()},
            rows=self.rows + other.rows,
        )


def create_custom_profile(
    metrics: Sequence[CustomMetric], config: CustomMetricDriftConfig
) -> CustomDriftProfile:
    """A profile of `metrics`.

    Raises:
        ConfigError: no metric, or a metric name given twice.
    """
    if not metrics or not all(isinstance(m, CustomMetric) for m in metrics):
        raise ConfigError("a custom drift profile needs a non-empty list of CustomMetric")
    repeated = sorted(n for n, k in Counter(m.name for m in metrics).items() if k > 1)
    if repeated:
        raise ConfigError(f"custom metric names must be unique; repeated: {repeated}")
    return CustomDriftProfile(config=config, metrics={m.name: m for m in metrics})


def custom_partial(lf: pl.LazyFrame, profile: CustomDriftProfile) -> CustomPartial:
    """Count and sum each metric's observations (one column per metric), in one pass.

    Null and NaN are missing and left out. Sums are exact (`exact_sum`), so the window mean is
    rounded once: n identical observations have exactly their value as mean.

    Raises:
        DataError: a metric column is missing, not numeric, or holds an infinite value.
    """
    schema = lf.collect_schema()
    for name in profile.metrics:
        if name not in schema:
            raise DataError(
                f"observed data has no column for metric {name!r}; columns are {schema.names()}"
            )
        if not schema[name].is_numeric():
            raise DataError(f"metric column {name!r} has dtype {schema[name]}, expected numeric")
    exprs = [pl.len().alias("\x00rows")]
    for name in profile.metrics:
        kept = finite(name)
        exprs += [
            kept.implode().alias(f"{name}\x00values"),
            pl.col(name).cast(pl.Float64).is_infinite().sum().alias(f"{name}\x00inf"),
        ]
    frame = lf.select(exprs).collect(engine="in-memory")
    infinite = {n: frame[f"{n}\x00inf"][0] for n in profile.metrics if frame[f"{n}\x00inf"][0]}
    if infinite:
        name, count = next(iter(infinite.items()))
        raise DataError(
            f"metric column {name!r} has {count} infinite values: a window mean needs finite "
            "observations (use null or NaN for missing ones)"
        )
    values = {n: frame[f"{n}\x00values"][0].to_numpy() for n in profile.metrics}
    return CustomPartial(
        counts={n: int(v.size) for n, v in values.items()},
        sums={n: exact_sum(v) for n, v in values.items()},
        rows=int(frame["\x00rows"][0]),
    )


def finalize_custom_drift(partial: CustomPartial, profile: CustomDriftProfile) -> CustomDriftResult:
    """Judge each metric's window mean against its rule."""
    needed = profile.config.sample_size
    results = []
    for name, metric in profile.metrics.items():
        count = partial.counts[name]
        lower, upper = metric.bounds()
        if count < needed:
            value, status = None, "insufficient_data"
        else:
            value = float(partial.sums[name] / count)  # rounded once
            status = "drift" if metric.breached(value) else "ok"
        results.append(
            CustomMetricResult(
                metric=name,
                value=value,
                baseline_value=metric.baseline_value,
                alert_threshold=metric.alert_threshold.value,
                lower=lower,
                upper=upper,
                observations=count,
                status=status,
            )
        )
    config = profile.config
    return CustomDriftResult(
        space=config.space,
        name=config.name,
        version=config.version,
        rows=partial.rows,
        metrics=results,
    )


def compute_custom_drift(lf: pl.LazyFrame, profile: CustomDriftProfile) -> CustomDriftResult:
    """The window value (mean of observations) and verdict of every metric."""
    partial = partial_in_parts(
        "Custom metrics",
        lf,
        len(profile.metrics),
        lambda part: custom_partial(part, profile),
        CustomPartial.merge,
    )
    return finalize_custom_drift(partial, profile)
