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
from scouter_flows.sources.frames import require_columns

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
        alerts = _group_alerts(evaluate_rules(z, config.rule, start=start), start, times)
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


def _group_alerts(
    events: list[tuple[SpcAlertKind, int | None, int]], start: int, times: list[datetime | None]
) -> list[SpcAlert]:
    """One alert per (kind, zone): the first completion and how many there were, oldest first."""
    first: dict[tuple[SpcAlertKind, int | None], int] = {}
    count: dict[tuple[SpcAlertKind, int | None], int] = {}
    for kind, zone, i in events:
        first.setdefault((kind, zone), i)
        count[(kind, zone)] = count.get((kind, zone), 0) + 1
    return [
        SpcAlert(
            kind=kind,
            zone=zone,
            index=i - start,
            time=times[i - start],
            occurrences=count[(kind, zone)],
        )
        for (kind, zone), i in first.items()
    ]


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
    patterns = sorted(_patterns(values, signed_zones(values), rule), key=lambda p: str(p[0]))
    indexes: list[np.ndarray] = []
    ranks: list[np.ndarray] = []
    for position, (_, holding) in enumerate(patterns):
        rising = np.flatnonzero(holding & ~np.concatenate(([False], holding[:-1])))
        rising = rising[rising >= start]
        indexes.append(rising)
        ranks.append(np.full(rising.size, position))
    if not indexes:
        return []
    index, rank = np.concatenate(indexes), np.concatenate(ranks)
    order = np.lexsort((rank, index))
    return [
        (patterns[r][0][0], patterns[r][0][1], i)
        for i, r in zip(index[order].tolist(), rank[order].tolist(), strict=True)
    ]


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

    Consecutive rows are reshaped into fixed-size arrays whose sums Polars computes several
    times faster than a group-by (or than Array means and stds); the moments are then derived
    on the small per-subgroup frame. Returns the subgroups, the row count and the rows of a
    trailing partial subgroup.
    """
    n = config.sample_size
    ts = config.timestamp_column
    if ts:
        # Sorted once and kept, so the passes below do not sort again.
        lf = lf.select(*names, ts).sort(ts, maintain_order=True).collect().lazy()
    rows = int(lf.select(pl.len()).collect().item())
    full = rows // n
    if full == 0:
        return pl.DataFrame(), rows, rows
    cleaned = lf.with_columns(pl.col(name).cast(pl.Float64).fill_nan(None) for name in names)
    # Centring on the column mean keeps the profile's sums of squares free of cancellation.
    shift = dict.fromkeys(names, 0.0)
    if with_std:
        means = cleaned.select(pl.col(names).head(full * n).mean()).collect().row(0, named=True)
        shift = {name: means[name] or 0.0 for name in names}
        cleaned = cleaned.with_columns(pl.col(name) - shift[name] for name in names)

    def blocks(expr: pl.Expr) -> pl.Expr:
        return expr.head(full * n).reshape((full, n)).arr.sum()

    sums = []
    for name in names:
        col = pl.col(name)
        sums += [
            blocks(col.is_not_null().cast(pl.UInt32)).alias(f"{name}\x00n"),
            blocks(col).alias(f"{name}\x00t"),
        ]
        if with_std:
            sums.append(blocks(col * col).alias(f"{name}\x00q"))
    if ts:
        # Rows are sorted by time, so a subgroup's last row carries its latest timestamp.
        sums.append(pl.col(ts).gather_every(n, offset=n - 1).head(full).alias(_TIME))
    raw = cleaned.select(sums).collect(engine="in-memory")
    moments = []
    for name in names:
        count, total = pl.col(f"{name}\x00n"), pl.col(f"{name}\x00t")
        moments.append(
            pl.when(count > 0).then(shift[name] + total / count).alias(f"{name}\x00mean")
        )
        if with_std:
            variance = (pl.col(f"{name}\x00q") - total * total / count) / (count - 1)
            moments.append(
                pl.when(count > 1)
                .then(variance.clip(lower_bound=0.0).sqrt())
                .alias(f"{name}\x00std")
            )
    if ts:
        moments.append(pl.col(_TIME))
    return raw.select(moments), rows, rows - full * n


def _feature_names(
    lf: pl.LazyFrame, requested: list[str], timestamp_column: str | None, what: str
) -> list[str]:
    schema = lf.collect_schema()
    if timestamp_column is not None and timestamp_column not in schema:
        raise DataError(f"{what} has no timestamp column {timestamp_column!r}")
    names = requested or [n for n in schema.names() if n != timestamp_column]
    require_columns(schema, names, what)
    for name in names:
        if not schema[name].is_numeric():
            raise DataError(
                f"{what} feature {name!r} has dtype {schema[name]}, expected a numeric column "
                "for an SPC chart"
            )
    return names
