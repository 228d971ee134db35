"""SPC: an X-bar chart per feature from subgroups of `sample_size` rows, and its alert rules.

Differs from Scouter on purpose: limits are standard errors of the subgroup mean, subgroups are
the same size at profile and monitoring time, partial subgroups are never used, and means are
evaluated oldest first with the previous window's last means carried over.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import datetime

import polars as pl

from scouter_flows.errors import DataError
from scouter_flows.profiles.results import SpcAlert, SpcAlertKind, SpcDriftResult, SpcFeatureDrift
from scouter_flows.profiles.spc import (
    TREND_LENGTH,
    SpcDriftConfig,
    SpcDriftProfile,
    SpcFeatureProfile,
    SpcRule,
)

_GROUP = "\x00group"
_SIZE = "\x00size"
_TIME = "\x00time"


def c4(n: int) -> float:
    """The exact bias correction of the sample standard deviation for subgroups of n."""
    return math.sqrt(2.0 / (n - 1)) * math.exp(math.lgamma(n / 2.0) - math.lgamma((n - 1) / 2.0))


def create_spc_profile(lf: pl.LazyFrame, config: SpcDriftConfig) -> SpcDriftProfile:
    """Centre and process sigma per feature from the full subgroups of the baseline.

    Raises:
        DataError: a feature is missing or not numeric, the baseline holds no full subgroup, or a
            feature has no spread (a chart needs a non-zero sigma).
    """
    names = _feature_names(lf, config.features_to_monitor, config.timestamp_column, "baseline")
    groups, rows, leftover = _subgroups(lf, names, config, with_std=True)
    if groups.height == 0:
        raise DataError(
            f"baseline has {rows} rows, fewer than one subgroup of sample_size={config.sample_size}"
        )
    n = config.sample_size
    summary = groups.select(
        *(pl.col(f"{name}\x00mean").mean().alias(f"{name}\x00center") for name in names),
        *(pl.col(f"{name}\x00std").mean().alias(f"{name}\x00sbar") for name in names),
    ).row(0, named=True)
    features: dict[str, SpcFeatureProfile] = {}
    for name in names:
        center, sbar = summary[f"{name}\x00center"], summary[f"{name}\x00sbar"]
        if center is None or sbar is None or math.isnan(center) or math.isnan(sbar):
            raise DataError(f"baseline feature {name!r} has no subgroup without missing values")
        if sbar == 0.0:
            raise DataError(f"baseline feature {name!r} is constant: an SPC chart needs spread")
        features[name] = SpcFeatureProfile(
            center=center, sigma=sbar / c4(n), sample_size=n, subgroups=groups.height
        )
    return SpcDriftProfile(
        config=config, features=features, baseline_rows=rows, leftover_rows=leftover
    )


def compute_spc_drift(
    lf: pl.LazyFrame,
    profile: SpcDriftProfile,
    carry_over: dict[str, Sequence[float]] | None = None,
) -> SpcDriftResult:
    """Chart the window's subgroup means and evaluate the profile's rules, oldest first.

    `carry_over` holds each feature's last means from the previous window (at most
    `rule.lookback() - 1` are used), so a pattern spanning two windows is seen; alerts are only
    raised for patterns completed by a mean of this window.
    """
    config = profile.config
    names = list(profile.features)
    _feature_names(lf, names, config.timestamp_column, "observed data")
    groups, rows, leftover = _subgroups(lf, names, config, with_std=False)
    times: list[datetime | None] = (
        groups[_TIME].to_list() if _TIME in groups.columns else [None] * groups.height
    )
    keep = config.rule.lookback() - 1
    features = []
    for name, chart in profile.features.items():
        means = groups[f"{name}\x00mean"].to_list()
        previous = list((carry_over or {}).get(name, []))[-keep:] if keep else []
        z = [_z(m, chart) for m in [*previous, *means]]
        alerts = [
            SpcAlert(kind=kind, zone=zone, index=i - len(previous), time=times[i - len(previous)])
            for kind, zone, i in evaluate_rules(z, config.rule, start=len(previous))
        ]
        window_z = [abs(v) for v in z[len(previous) :] if not math.isnan(v)]
        features.append(
            SpcFeatureDrift(
                feature=name,
                status="insufficient_data" if not means else "drift" if alerts else "ok",
                subgroups=len(means),
                max_abs_z=max(window_z) if window_z else None,
                means=means,
                zones=[signed_zone(v) for v in z[len(previous) :]],
                alerts=alerts,
            )
        )
    return SpcDriftResult(
        space=config.space,
        name=config.name,
        version=config.version,
        rows=rows,
        leftover_rows=leftover,
        features=features,
    )


def signed_zone(z: float) -> int:
    """+/-k for the largest k in 1..4 with |z| > k - 1; 0 at the centre or for NaN."""
    if math.isnan(z) or z == 0.0:
        return 0
    return int(math.copysign(min(4, math.ceil(abs(z))), z))


def evaluate_rules(
    z: Sequence[float], rule: SpcRule, *, start: int = 0
) -> list[tuple[SpcAlertKind, int | None, int]]:
    """(kind, zone, index) for each pattern that starts holding at an index >= `start`.

    A pattern that keeps holding over the following means is reported once, when it completes;
    it is reported again only after it has stopped holding (or holds on the other side).
    """
    zones = [signed_zone(v) for v in z]
    holding: set[_Pattern] = set()
    out: list[tuple[SpcAlertKind, int | None, int]] = []
    for i in range(len(z)):
        now = _patterns_at(i, z, zones, rule)
        if i >= start:
            out.extend((kind, zone, i) for kind, zone, _ in sorted(now - holding, key=str))
        holding = now
    return out


_Pattern = tuple[SpcAlertKind, int | None, int]
"""(kind, zone, side): side +1/-1 for one-sided patterns, 0 for alternating and trend."""


def _patterns_at(i: int, z: Sequence[float], zones: Sequence[int], rule: SpcRule) -> set[_Pattern]:
    found: set[_Pattern] = set()
    for k, (consecutive, alternating) in enumerate(rule.counts(), start=1):
        if k not in rule.zones_to_monitor:
            continue
        if consecutive and i + 1 >= consecutive:
            last = zones[i + 1 - consecutive : i + 1]
            if all(abs(v) >= k for v in last) and len({v > 0 for v in last}) == 1:
                side = 1 if last[-1] > 0 else -1
                found.add(("out_of_bounds" if k == 4 else "consecutive", k, side))
        # One alternating point is no pattern: a_k < 2 adds nothing to the consecutive check.
        if alternating >= 2 and i + 1 >= alternating:
            last = zones[i + 1 - alternating : i + 1]
            if all(abs(v) >= k for v in last) and all(
                (a > 0) != (b > 0) for a, b in itertools.pairwise(last)
            ):
                found.add(("out_of_bounds" if k == 4 else "alternating", k, 0))
    if i + 1 >= TREND_LENGTH:
        run = z[i + 1 - TREND_LENGTH : i + 1]
        steps = list(itertools.pairwise(run))
        if all(b > a for a, b in steps) or all(b < a for a, b in steps):
            found.add(("trend", None, 0))
    return found


def _z(mean: float | None, chart: SpcFeatureProfile) -> float:
    if mean is None:
        return math.nan
    return (mean - chart.center) / chart.standard_error


def _subgroups(
    lf: pl.LazyFrame, names: list[str], config: SpcDriftConfig, *, with_std: bool
) -> tuple[pl.DataFrame, int, int]:
    """Per full subgroup: mean (and std) of every feature, and the last timestamp if ordered.

    Returns the subgroups, the row count and the rows of a trailing partial subgroup.
    """
    n = config.sample_size
    ts = config.timestamp_column
    ordered = lf.sort(ts, maintain_order=True) if ts else lf
    values = [pl.col(name).cast(pl.Float64).fill_nan(None) for name in names]
    aggregations = [pl.len().alias(_SIZE)]
    aggregations += [
        v.mean().alias(f"{name}\x00mean") for v, name in zip(values, names, strict=True)
    ]
    if with_std:
        aggregations += [
            v.std(ddof=1).alias(f"{name}\x00std") for v, name in zip(values, names, strict=True)
        ]
    if ts:
        aggregations.append(pl.col(ts).max().alias(_TIME))
    groups = (
        ordered.with_row_index(_GROUP)
        .with_columns(pl.col(_GROUP) // n)
        .group_by(_GROUP)
        .agg(aggregations)
        .sort(_GROUP)
        .collect(engine="in-memory")
    )
    rows = int(groups[_SIZE].sum()) if groups.height else 0
    full = groups.filter(pl.col(_SIZE) == n)
    return full, rows, rows - full.height * n


def _feature_names(
    lf: pl.LazyFrame, requested: list[str], timestamp_column: str | None, what: str
) -> list[str]:
    schema = lf.collect_schema()
    if timestamp_column is not None and timestamp_column not in schema:
        raise DataError(f"{what} has no timestamp column {timestamp_column!r}")
    names = requested or [n for n in schema.names() if n != timestamp_column]
    missing = [n for n in names if n not in schema]
    if missing:
        raise DataError(f"{what} has no column {missing[0]!r}; columns are {schema.names()}")
    for name in names:
        if not schema[name].is_numeric():
            raise DataError(
                f"{what} feature {name!r} has dtype {schema[name]}, expected a numeric column "
                "for an SPC chart"
            )
    return names
