"""Exact quantiles of the finite values of numeric columns, with numpy.

Quantiles alone (PSI's bin edges) come from a selection: for an in-memory input, one bracketing
pass over every column (`selection`); else, or where that pass cannot settle a column,
`numpy.partition` at the order statistics the quantiles interpolate between, linear in the
values and about three times faster than a sort of the column. Quantiles with the distinct
count (the data profile) come from one sort (SIMD where the CPU has it), which answers both.
Small inputs are worked on parallel threads; large ones a column at a time, so memory stays
bounded.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from scouter_flows.drift import engine
from scouter_flows.drift.selection import MIN_ROWS, bracket_quantiles, lerp
from scouter_flows.progress import current_progress


@dataclass(slots=True, frozen=True)
class SortedSummary:
    """What one sort of a column's finite values tells."""

    quantiles: list[float | None]
    """At the requested probabilities, linear interpolation (as `numpy.quantile`)."""
    finite: int
    """Finite values."""
    distinct: int | None
    """Distinct non-missing values, +inf and -inf included (None when not asked for)."""


def sorted_summaries(
    lf: pl.LazyFrame,
    names: Sequence[str],
    probabilities: Sequence[float],
    *,
    large: bool,
    distinct: bool = True,
) -> dict[str, SortedSummary]:
    """Quantiles (and, with `distinct`, distinct counts) of the numeric columns `names` of `lf`;
    each column done advances the current progress by one."""
    if not names:
        return {}
    bar = current_progress()
    settled: dict[str, SortedSummary] = {}
    summarise, verb = (_summarise, "sorted") if distinct else (_select, "selected")
    workers = min(len(names), os.cpu_count() or 1)
    if large:
        # A column at a time, and as many at once as fit the budget (a column and its sorted
        # copy each).
        rows = engine.row_count(lf)
        workers = max(1, min(workers, engine.PARALLEL_COLUMN_BYTES // max(16 * rows, 1)))

        def one(name: str) -> SortedSummary:
            column = lf.select(name).collect(engine="in-memory")
            found = summarise(_column(column, name), probabilities)
            bar.advance(doing=f"{verb} {name}")
            return found

    else:
        frame = lf.select(names).collect(engine="in-memory")
        if frame.height * len(names) < engine.IN_MEMORY_VALUES // 64:
            workers = 1
        if not distinct and frame.height >= MIN_ROWS:
            settled = _bracketed(frame, names, probabilities)
            bar.advance(len(settled), doing="selected every column")
            names = [name for name in names if name not in settled]
            if not names:
                return settled

        def one(name: str) -> SortedSummary:
            found = summarise(_column(frame, name), probabilities)
            bar.advance(doing=f"{verb} {name}")
            return found

    if workers <= 1:
        return {**settled, **{name: one(name) for name in names}}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return {**settled, **dict(zip(names, pool.map(one, names), strict=True))}


def _bracketed(
    frame: pl.DataFrame, names: Sequence[str], probabilities: Sequence[float]
) -> dict[str, SortedSummary]:
    """The columns one bracketing pass settles (see `selection`)."""
    found = bracket_quantiles(frame, names, probabilities)
    return {
        name: SortedSummary(quantiles=answer[0], finite=answer[1], distinct=None)
        for name, answer in found.items()
        if answer is not None
    }


def _column(frame: pl.DataFrame, name: str) -> np.ndarray:
    return frame[name].cast(pl.Float64).to_numpy()  # nulls become NaN


def _summarise(values: np.ndarray, probabilities: Sequence[float]) -> SortedSummary:
    finite = values[np.isfinite(values)]  # a copy: the caller's array is never sorted in place
    finite.sort()
    distinct = int(np.count_nonzero(finite[1:] != finite[:-1])) + 1 if finite.size else 0
    distinct += int(bool(np.any(values == math.inf))) + int(bool(np.any(values == -math.inf)))
    return SortedSummary(
        quantiles=[linear_quantile(finite, p) for p in probabilities],
        finite=int(finite.size),
        distinct=distinct,
    )


def _select(values: np.ndarray, probabilities: Sequence[float]) -> SortedSummary:
    finite = values[np.isfinite(values)]  # a copy: the caller's array is never reordered
    n = finite.size
    if n == 0:
        return SortedSummary(quantiles=[None] * len(probabilities), finite=0, distinct=None)
    lows = [math.floor((n - 1) * p) for p in probabilities]
    finite.partition(sorted({*lows, *(min(low + 1, n - 1) for low in lows)}))
    # Each kth element is now the kth order statistic, all that the interpolation reads.
    return SortedSummary(
        quantiles=[_lerp(finite, n, p) for p in probabilities], finite=n, distinct=None
    )


def linear_quantile(ordered: np.ndarray, probability: float) -> float | None:
    """The `probability` quantile of sorted values, computed exactly as `numpy.quantile`
    (method "linear", R-7); None when there are none."""
    if ordered.size == 0:
        return None
    return _lerp(ordered, ordered.size, probability)


def _lerp(ordered: np.ndarray, size: int, probability: float) -> float:
    """numpy's linear quantile of `size` values whose order statistics around the position are
    in place in `ordered`."""
    position = (size - 1) * probability
    low = math.floor(position)
    high = min(low + 1, size - 1)
    return lerp(float(ordered[low]), float(ordered[high]), position - low)
