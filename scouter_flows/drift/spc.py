"""SPC: an X-bar chart per feature from subgroups of `sample_size` rows, and its alert rules.

Differs from Scouter on purpose: limits are standard errors of the subgroup mean, subgroups are
the same size at profile and monitoring time, partial subgroups are never used, and means are
evaluated oldest first with the previous window's last means carried over.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np
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
        column = groups[f"{name}\x00mean"] if groups.height else pl.Series([], dtype=pl.Float64)
        previous = list((carry_over or {}).get(name, []))[-keep:] if keep else []
        observed = column.fill_null(math.nan).to_numpy()
        z = (np.concatenate([np.asarray(previous, dtype=np.float64), observed]) - chart.center) / (
            chart.standard_error
        )
        start = len(previous)
        alerts = [
            SpcAlert(kind=kind, zone=zone, index=i - start, time=times[i - start])
            for kind, zone, i in evaluate_rules(z, config.rule, start=start)
        ]
        window_z = np.abs(z[start:])
        window_z = window_z[~np.isnan(window_z)]
        features.append(
            SpcFeatureDrift(
                feature=name,
                status="insufficient_data" if column.is_empty() else "drift" if alerts else "ok",
                subgroups=column.len(),
                max_abs_z=float(window_z.max()) if window_z.size else None,
                means=column.to_list(),
                zones=signed_zones(z[start:]).tolist(),
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


def signed_zones(z: np.ndarray) -> np.ndarray:
    """`signed_zone` of every value of `z`, vectorised."""
    clean = np.nan_to_num(z, nan=0.0)
    zones: np.ndarray = (np.sign(clean) * np.minimum(4, np.ceil(np.abs(clean)))).astype(np.int64)
    return zones


def evaluate_rules(
    z: Sequence[float] | np.ndarray, rule: SpcRule, *, start: int = 0
) -> list[tuple[SpcAlertKind, int | None, int]]:
    """(kind, zone, index) for each pattern that starts holding at an index >= `start`.

    A pattern that keeps holding over the following means is reported once, when it completes;
    it is reported again only after it has stopped holding (or holds on the other side).
    """
    values = np.asarray(z, dtype=np.float64)
    zones = signed_zones(values)
    events: list[tuple[int, tuple[SpcAlertKind, int | None, int]]] = []
    for pattern, holding in _patterns(values, zones, rule):
        rising = holding & ~np.concatenate(([False], holding[:-1]))
        events.extend((int(i), pattern) for i in np.flatnonzero(rising) if i >= start)
    events.sort(key=lambda e: (e[0], str(e[1])))
    return [(kind, zone, i) for i, (kind, zone, _) in events]


_Pattern = tuple[SpcAlertKind, int | None, int]
"""(kind, zone, side): side +1/-1 for one-sided patterns, 0 for alternating and trend."""


def _patterns(z: np.ndarray, zones: np.ndarray, rule: SpcRule) -> list[tuple[_Pattern, np.ndarray]]:
    """Each pattern with a boolean array: does it hold at index i (over the means up to i)?"""
    found: list[tuple[_Pattern, np.ndarray]] = []
    for k, (consecutive, alternating) in enumerate(rule.counts(), start=1):
        if k not in rule.zones_to_monitor:
            continue
        kind: SpcAlertKind = "out_of_bounds" if k == 4 else "consecutive"
        if consecutive:
            for side in (1, -1):
                holding = _trailing_run(side * zones >= k) >= consecutive
                found.append(((kind, k, side), holding))
        # One alternating point is no pattern: a_k < 2 adds nothing to the consecutive check.
        if alternating >= 2:
            beyond = np.abs(zones) >= k
            flips = np.concatenate(
                ([False], beyond[1:] & beyond[:-1] & (zones[1:] * zones[:-1] < 0))
            )
            holding = beyond & (_trailing_run(flips) >= alternating - 1)
            found.append((("out_of_bounds" if k == 4 else "alternating", k, 0), holding))
    steps = TREND_LENGTH - 1
    diffs = np.diff(z, prepend=np.nan)
    for up in (True, False):
        moving = diffs > 0 if up else diffs < 0
        found.append((("trend", None, 0), _trailing_run(moving) >= steps))
    return _merge_same(found)


def _merge_same(found: list[tuple[_Pattern, np.ndarray]]) -> list[tuple[_Pattern, np.ndarray]]:
    """One entry per pattern key (trend up and down share one), holding if either holds."""
    merged: dict[_Pattern, np.ndarray] = {}
    for key, holding in found:
        merged[key] = merged[key] | holding if key in merged else holding
    return list(merged.items())


def _trailing_run(flags: np.ndarray) -> np.ndarray:
    """For each i, how many consecutive True values end at i."""
    index = np.arange(len(flags))
    last_false = np.maximum.accumulate(np.where(flags, -1, index))
    return index - last_false


def _subgroups(
    lf: pl.LazyFrame, names: list[str], config: SpcDriftConfig, *, with_std: bool
) -> tuple[pl.DataFrame, int, int]:
    """Per full subgroup: mean (and std) of every feature, and the last timestamp if ordered.

    Consecutive rows are reshaped into fixed-size arrays, which is several times faster than a
    group-by. Returns the subgroups, the row count and the rows of a trailing partial subgroup.
    """
    n = config.sample_size
    ts = config.timestamp_column
    ordered = lf.sort(ts, maintain_order=True) if ts else lf
    rows = int(ordered.select(pl.len()).collect().item())
    full = rows // n
    if full == 0:
        return pl.DataFrame(), rows, rows

    def blocks(expr: pl.Expr) -> pl.Expr:
        return expr.head(full * n).reshape((full, n))

    exprs = []
    for name in names:
        values = blocks(pl.col(name).cast(pl.Float64).fill_nan(None))
        exprs.append(values.arr.mean().alias(f"{name}\x00mean"))
        if with_std:
            exprs.append(values.arr.std(ddof=1).alias(f"{name}\x00std"))
    if ts:
        # Rows are sorted by time, so a subgroup's last row carries its latest timestamp.
        exprs.append(pl.col(ts).gather_every(n, offset=n - 1).head(full).alias(_TIME))
    groups = ordered.select(exprs).collect(engine="in-memory")
    return groups, rows, rows - full * n


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
