"""SPC: an X-bar chart per feature from subgroups of `sample_size` rows, and its alert rules.

Differs from Scouter on purpose: limits are standard errors of the subgroup mean, subgroups are
the same size at profile and monitoring time, partial subgroups are never used, means are
evaluated oldest first with the previous window's last means carried over, and by default the
window is judged at a stated false-alarm rate whatever its length (`drift/cusum.py`); Scouter's
rule string stays available with `rule=`.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

import numpy as np
import polars as pl

from scouter_flows.drift.cusum import CARRY, alarm_starts, calibrated_limits, cusum_paths
from scouter_flows.drift.subgroups import (
    SpcPartial,
    SpcProfilePartial,
    moments_from,
    scan_partial,
)
from scouter_flows.errors import DataError
from scouter_flows.profiles.results import (
    OUT_OF_BOUNDS_SE,
    SpcAlert,
    SpcAlertKind,
    SpcDriftResult,
    SpcFeatureDrift,
)
from scouter_flows.profiles.spc import (
    TREND_LENGTH,
    SpcDriftConfig,
    SpcDriftProfile,
    SpcFeatureProfile,
    SpcRule,
)
from scouter_flows.sources.frames import require_columns

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PARALLEL_MEANS = 50_000
"""Below this many subgroup means in all, threads cost more than they save."""
_GROUP_MEANS = 1_000_000
"""At most this many means are judged together (unless one feature has more)."""

_Found = list[tuple[SpcAlertKind, int | None, int, int, float | None, float | None]]
"""(kind, zone, index of the first completion, completions, limit, peak statistic) per alert of
one feature; the peak only for the calibrated judgement."""


CONSTANT_BREACH = 1e6
"""How many standard errors a mean off a constant baseline's value counts as (beyond any limit)."""


def standardise(means: np.ndarray, center: float, standard_error: float) -> np.ndarray:
    """(mean - centre) / SE. With SE 0 (a constant baseline) a mean equal to the centre, up to
    rounding, is 0 and any other is +/-`CONSTANT_BREACH`; NaN stays NaN."""
    if standard_error > 0:
        return (means - center) / standard_error
    offset = means - center
    off = np.abs(offset) > 1e-9 * max(1.0, abs(center))
    return np.where(off, np.sign(offset) * CONSTANT_BREACH, np.where(np.isnan(means), np.nan, 0.0))


def c4(n: int) -> float:
    """The exact bias correction of the sample standard deviation for subgroups of n."""
    return math.sqrt(2.0 / (n - 1)) * math.exp(math.lgamma(n / 2.0) - math.lgamma((n - 1) / 2.0))


def create_spc_profile(lf: pl.LazyFrame, config: SpcDriftConfig) -> SpcDriftProfile:
    """Centre and process sigma per feature from the full subgroups of the baseline.

    Raises:
        DataError: a named feature is missing, not numeric or infinite somewhere, or the
            baseline holds no full subgroup. A constant feature is charted with sigma 0.
    """
    return finalize_spc_profile(spc_profile_partial(lf, config), config)


def spc_profile_partial(
    lf: pl.LazyFrame, config: SpcDriftConfig, *, offset: int = 0
) -> SpcProfilePartial:
    """Subgroup sums of the baseline rows starting at global row `offset`, for merging."""
    names = _feature_names(lf, config.features_to_monitor, config.timestamp_column, "baseline")
    return scan_partial(lf, names, config, offset=offset, build=SpcProfilePartial, what="baseline")


def finalize_spc_profile(partial: SpcProfilePartial, config: SpcDriftConfig) -> SpcDriftProfile:
    """The profile from (merged) baseline partials.

    Raises:
        DataError: no full subgroup, or a feature without any complete subgroup.
    """
    n = config.sample_size
    if partial.subgroups == 0:
        raise DataError(
            f"baseline has {partial.rows} rows, fewer than one subgroup of sample_size={n}"
        )
    features: dict[str, SpcFeatureProfile] = {}
    for name in partial.mean_sum:
        center, sbar = moments_from(partial, name)
        if math.isnan(center) or math.isnan(sbar):
            raise DataError(f"baseline feature {name!r} has no subgroup without missing values")
        # A constant feature keeps sigma 0 (spread within rounding of its value counts as
        # none): any mean off its value is then out of bounds.
        if sbar <= 1e-12 * max(1.0, abs(center)):
            sbar = 0.0
        features[name] = SpcFeatureProfile(
            center=center, sigma=sbar / c4(n), sample_size=n, subgroups=partial.subgroups
        )
    return SpcDriftProfile(
        config=config,
        features=features,
        baseline_rows=partial.rows,
        leftover_rows=partial.leftover_rows,
    )


def spc_partial(lf: pl.LazyFrame, profile: SpcDriftProfile, *, offset: int = 0) -> SpcPartial:
    """Subgroup means of the window rows starting at global row `offset`, for merging."""
    config, names = profile.config, list(profile.features)
    _feature_names(lf, names, config.timestamp_column, "observed data")
    return scan_partial(lf, names, config, offset=offset, build=SpcPartial, what="observed data")


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
    return finalize_spc_drift(spc_partial(lf, profile), profile, carry_over)


def finalize_spc_drift(
    partial: SpcPartial,
    profile: SpcDriftProfile,
    carry_over: dict[str, Sequence[float]] | None = None,
) -> SpcDriftResult:
    """Evaluate every feature's chart from (merged) window partials."""
    config = profile.config
    keep = CARRY if config.method == "calibrated" else config.rule.lookback() - 1
    charts = [
        Chart(
            previous=np.asarray(list((carry_over or {}).get(name, []))[-keep:], dtype=np.float64),
            means=partial.means[name],
            center=chart.center,
            standard_error=chart.standard_error,
            baseline_subgroups=chart.subgroups,
        )
        for name, chart in profile.features.items()
    ]
    verdicts = (
        judge_calibrated(charts, config.alpha)
        if config.method == "calibrated"
        else _judge_parallel(charts, config.rule)
    )
    features = []
    for name, chart, judged in zip(profile.features, charts, verdicts, strict=True):
        alerts = [
            SpcAlert(
                kind=kind,
                zone=zone,
                index=index,
                time=None if partial.times is None else _utc(int(partial.times[index])),
                occurrences=count,
                limit=limit,
                statistic=peak,
            )
            for kind, zone, index, count, limit, peak in judged.alerts
        ]
        features.append(
            SpcFeatureDrift(
                feature=name,
                status="insufficient_data"
                if chart.means.size == 0
                else "drift"
                if alerts
                else "ok",
                subgroups=chart.means.size,
                max_abs_z=judged.max_abs_z,
                limit=judged.limit,
                means=chart.means,
                zones=judged.zones,
                alerts=alerts,
            )
        )
    return SpcDriftResult(
        space=config.space,
        name=config.name,
        version=config.version,
        rows=partial.rows,
        leftover_rows=partial.leftover_rows,
        features=features,
    )


@dataclass(slots=True, frozen=True)
class Chart:
    """One feature's means to judge: carried-over ones, then the window's."""

    previous: np.ndarray
    means: np.ndarray
    center: float
    standard_error: float
    baseline_subgroups: int | None = None
    """Subgroups the centre was estimated from (the calibration allows for its error)."""


@dataclass(slots=True, frozen=True)
class Judged:
    """The verdict on one feature's window means."""

    alerts: _Found
    zones: np.ndarray
    """Signed zone of each window mean (int8)."""
    max_abs_z: float | None
    limit: float = OUT_OF_BOUNDS_SE
    """The single-mean limit the window was judged against."""


def judge_calibrated(charts: list[Chart], alpha: float) -> list[Judged]:
    """Alerts of the calibrated judgement (`scouter_flows.drift.cusum`) for each chart: a
    `cusum` alert where the CUSUM of the means first exceeds h, an `out_of_bounds` one where a
    mean first lies beyond the single-mean limit, each with how often it (re)started."""
    judged = []
    for chart in charts:
        carried = chart.previous.size
        z = np.concatenate([chart.previous, chart.means])
        z = standardise(z, chart.center, chart.standard_error)
        window = z[carried:]
        zones = signed_zones(window)
        if window.size == 0:
            judged.append(Judged(alerts=[], zones=zones, max_abs_z=None))
            continue
        limits = calibrated_limits(window.size, alpha, carried, chart.baseline_subgroups)
        clean = np.nan_to_num(z, nan=0.0)  # a mean of missing values adds no evidence
        upper, lower = cusum_paths(clean)
        found: _Found = []
        for kind, statistic, limit in (
            ("cusum", np.maximum(upper, lower)[carried:], limits.h),
            ("out_of_bounds", np.abs(clean[carried:]), limits.single_mean),
        ):
            starts = alarm_starts(statistic > limit)
            if starts.size:
                peak = float(statistic.max())
                found.append(
                    (cast(SpcAlertKind, kind), None, int(starts[0]), int(starts.size), limit, peak)
                )
        found.sort(key=lambda alert: alert[2])
        largest = float(np.fmax.reduce(np.abs(window)))
        judged.append(
            Judged(
                alerts=found,
                zones=zones,
                max_abs_z=None if math.isnan(largest) else largest,
                limit=limits.single_mean,
            )
        )
    return judged


def _judge_parallel(charts: list[Chart], rule: SpcRule) -> list[Judged]:
    """`judge_charts` over groups of features on parallel threads (numpy releases the GIL).

    Groups hold at most `_GROUP_MEANS` means (unless one feature alone has more), so the
    temporaries of a long window stay small, and there are enough groups to keep every core busy.
    """
    workers = os.cpu_count() or 1
    total = sum(c.previous.size + c.means.size for c in charts)
    if workers <= 1 or len(charts) <= 1 or total < _PARALLEL_MEANS:
        return judge_charts(charts, rule)
    limit = min(_GROUP_MEANS, math.ceil(total / workers))
    groups: list[list[Chart]] = [[]]
    size = 0
    for chart in charts:
        if groups[-1] and size + chart.means.size > limit:
            groups.append([])
            size = 0
        groups[-1].append(chart)
        size += chart.previous.size + chart.means.size
    with ThreadPoolExecutor(max_workers=min(workers, len(groups))) as pool:
        return [j for done in pool.map(lambda g: judge_charts(g, rule), groups) for j in done]


def _utc(microseconds: int) -> datetime:
    return _EPOCH + timedelta(microseconds=microseconds)


def signed_zone(z: float) -> int:
    """+/-k for the largest k in 1..4 with |z| > k - 1; 0 at the centre or for NaN."""
    if math.isnan(z) or z == 0.0:
        return 0
    return int(math.copysign(min(4, math.ceil(abs(z))), z))


def signed_zones(z: np.ndarray) -> np.ndarray:
    """`signed_zone` of every value of `z`, vectorised (int8)."""
    size = np.abs(z)
    magnitude = (size > 0.0).view(np.int8)  # NaN compares False: zone 0
    for limit in (1.0, 2.0, 3.0):
        magnitude = magnitude + (size > limit).view(np.int8)
    negative = (z < 0).view(np.int8)
    zones: np.ndarray = magnitude - 2 * magnitude * negative  # far faster than np.where on int8
    return zones


def evaluate_rules(
    z: Sequence[float] | np.ndarray, rule: SpcRule, *, start: int = 0
) -> list[tuple[SpcAlertKind, int | None, int]]:
    """(kind, zone, index) for each pattern that starts holding at an index >= `start`.

    A pattern that keeps holding over the following means is reported once, when it completes;
    it is reported again only after it has stopped holding (or holds on the other side).
    """
    values = np.asarray(z, dtype=np.float64)
    index, rank, keys = _completions(values, signed_zones(values), rule)
    order = np.lexsort((rank, index))
    return [
        (keys[r][0], keys[r][1], i)
        for i, r in zip(index[order].tolist(), rank[order].tolist(), strict=True)
        if i >= start
    ]


def judge_charts(charts: list[Chart], rule: SpcRule) -> list[Judged]:
    """Alerts, zones and the largest |z| of each chart's window means.

    Each chart's previous means (carried over from the last window) are judged with it, but only
    patterns completed by a window mean raise an alert; indexes count window means, and alerts
    are ordered by first completion, one per (kind, zone) with how often it completed. All
    charts are evaluated in one pass over their z-scores laid end to end, separated by NaN
    (zone 0, no trend), so no pattern can run from one feature into the next.
    """
    bounds = np.cumsum([0, *(c.previous.size + c.means.size + 1 for c in charts)])
    joined = np.full(int(bounds[-1]), np.nan)
    for chart, lo in zip(charts, bounds[:-1].tolist(), strict=True):
        z = joined[lo + 1 : lo + 1 + chart.previous.size + chart.means.size]
        z[: chart.previous.size] = chart.previous
        z[chart.previous.size :] = chart.means
        z[:] = standardise(z, chart.center, chart.standard_error)
    zones = signed_zones(joined)
    index, rank, keys = _completions(joined, zones, rule)
    alert_keys = sorted({(kind, zone) for kind, zone, _ in keys}, key=str)
    alert_of_rank = np.array([alert_keys.index((k, zn)) for k, zn, _ in keys], dtype=np.int64)
    feature = np.searchsorted(bounds, index, side="right") - 1
    starts = np.asarray([c.previous.size for c in charts], dtype=np.int64)
    local = index - bounds[feature] - 1 - starts[feature]
    kept = local >= 0
    feature, local, rank = feature[kept], local[kept], rank[kept]
    order = np.lexsort((rank, local, feature))
    feature, local, rank = feature[order], local[order], rank[order]
    group = feature * len(alert_keys) + alert_of_rank[rank]
    _, first, counts = np.unique(group, return_index=True, return_counts=True)
    found: list[_Found] = [[] for _ in charts]
    for position, count in sorted(zip(first.tolist(), counts.tolist(), strict=True)):
        kind, zone = alert_keys[int(alert_of_rank[rank[position]])]
        limit = OUT_OF_BOUNDS_SE if kind == "out_of_bounds" else None
        found[int(feature[position])].append(
            (kind, zone, int(local[position]), int(count), limit, None)
        )
    judged = []
    for chart, lo, alerts in zip(charts, bounds[:-1].tolist(), found, strict=True):
        start = lo + 1 + chart.previous.size
        window = slice(start, start + chart.means.size)
        largest = float(np.fmax.reduce(np.abs(joined[window]))) if chart.means.size else math.nan
        judged.append(
            Judged(
                alerts=alerts,
                zones=zones[window],
                max_abs_z=None if math.isnan(largest) else largest,
            )
        )
    return judged


_Pattern = tuple[SpcAlertKind, int | None, int]
"""(kind, zone, side): side +1/-1 for one-sided patterns, 0 for alternating and trend."""


def _completions(
    z: np.ndarray, zones: np.ndarray, rule: SpcRule
) -> tuple[np.ndarray, np.ndarray, list[_Pattern]]:
    """Where each pattern completes: indexes, the rank of its pattern key, and the keys.

    A pattern holds at i when the last `length` means all qualify; it completes where it
    starts holding, once per run of qualifying means.
    """
    found: list[tuple[_Pattern, np.ndarray]] = []
    positive = zones > 0
    magnitude = np.abs(zones)
    # Consecutive non-zero means of opposite signs (zone 0 is never beyond any limit).
    sign_change = np.zeros(zones.size, dtype=bool)
    sign_change[1:] = positive[1:] != positive[:-1]
    for k, (consecutive, alternating) in enumerate(rule.counts(), start=1):
        if k not in rule.zones_to_monitor:
            continue
        kind: SpcAlertKind = "out_of_bounds" if k == 4 else "consecutive"
        beyond = magnitude >= k
        if consecutive:
            for side, flags in ((1, beyond & positive), (-1, beyond & ~positive)):
                found.append(((kind, k, side), _starts(flags, consecutive)))
        # One alternating point is no pattern: a_k < 2 adds nothing to the consecutive check.
        if alternating >= 2:
            flips = sign_change & beyond
            flips[1:] &= beyond[:-1]
            key: _Pattern = ("out_of_bounds" if k == 4 else "alternating", k, 0)
            found.append((key, _starts(flips, alternating - 1)))
    rising = np.zeros(z.size, dtype=bool)
    falling = np.zeros(z.size, dtype=bool)
    np.greater(z[1:], z[:-1], out=rising[1:])  # NaN on either side compares False
    np.less(z[1:], z[:-1], out=falling[1:])
    # Up and down trends share one key; they can never hold at neighbouring indexes.
    trend = _starts(rising, TREND_LENGTH - 1) | _starts(falling, TREND_LENGTH - 1)
    found.append((("trend", None, 0), trend))
    found.sort(key=lambda item: str(item[0]))
    keys = [key for key, _ in found]
    # One search over all patterns, then each pattern looks only at those few indexes.
    anywhere = np.zeros(z.size, dtype=bool)
    for _, starts in found:
        anywhere |= starts
    where = np.flatnonzero(anywhere)
    hits = [where[starts[where]] for _, starts in found]
    index = np.concatenate(hits).astype(np.int64)
    rank = np.repeat(np.arange(len(hits), dtype=np.int64), [hit.size for hit in hits])
    return index, rank, keys


def _starts(flags: np.ndarray, length: int) -> np.ndarray:
    """True where the last `length` flags are all True but were not at the index before.

    The window AND is built by doubling (a window of 2p from two of p), so it costs a few
    boolean passes over the means whatever the length.
    """
    holding = _window_all(flags, length)
    starts = holding.copy()
    starts[1:] &= ~holding[:-1]
    return starts


def _window_all(flags: np.ndarray, length: int) -> np.ndarray:
    """For each i: flags[i - length + 1 .. i] are all True (False where i < length - 1)."""
    width, window = 1, flags
    while 2 * width <= length:
        window = _and_shifted(window, window, width)
        width *= 2
    if width < length:  # two overlapping windows of `width` cover one of `length`
        window = _and_shifted(window, window, length - width)
    return window


def _and_shifted(a: np.ndarray, b: np.ndarray, shift: int) -> np.ndarray:
    out = np.zeros(a.size, dtype=bool)
    if shift < a.size:
        np.logical_and(a[shift:], b[:-shift], out=out[shift:])
    return out


def _feature_names(
    lf: pl.LazyFrame, requested: list[str], timestamp_column: str | None, what: str
) -> list[str]:
    schema = lf.collect_schema()
    if timestamp_column is not None:
        if timestamp_column not in schema:
            raise DataError(f"{what} has no timestamp column {timestamp_column!r}")
        dtype = schema[timestamp_column]
        if not isinstance(dtype, pl.Datetime) or dtype.time_zone is None:
            raise DataError(
                f"{what} timestamp column {timestamp_column!r} has dtype {dtype}, expected a "
                "Datetime with a time zone (convert with .dt.replace_time_zone('UTC'))"
            )
    if not requested:
        # Every column, as in Scouter: the numeric ones are charted, the others left out.
        names = [n for n in schema.names() if n != timestamp_column]
        skipped = [n for n in names if not schema[n].is_numeric()]
        names = [n for n in names if n not in skipped]
        if skipped:
            warnings.warn(
                f"SPC charts numeric columns only; {what} columns {skipped} are not charted "
                "(name the features to chart in features_to_monitor)",
                UserWarning,
                stacklevel=5,
            )
        if not names:
            raise DataError(f"{what} has no numeric column to chart")
        return names
    names = requested
    require_columns(schema, names, what)
    for name in names:
        if not schema[name].is_numeric():
            raise DataError(
                f"{what} feature {name!r} has dtype {schema[name]}, expected a numeric column "
                "for an SPC chart"
            )
    return names
