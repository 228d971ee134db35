"""How much a kernel collects at once, and with which Polars engine.

Small inputs are collected whole on the in-memory engine (fastest: quantiles there are about
12x faster than on the streaming engine). Inputs larger than `IN_MEMORY_VALUES` are read a
column or a batch at a time, so peak memory stays bounded whatever the row count.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import polars as pl

from scouter_flows.progress import current_progress, may_show, progress

P = TypeVar("P")

IN_MEMORY_VALUES = 64_000_000
"""Inputs up to this many values (about 512 MB of float64) are collected at once."""

BATCH_VALUES = 8_000_000
"""Values per batch when a large input is streamed (about 64 MB of float64)."""

PARALLEL_COLUMN_BYTES = 1 << 30
"""Large inputs are read a column at a time, on parallel threads while the columns in flight
(each with a working copy) stay within this many bytes."""


def row_count(lf: pl.LazyFrame) -> int:
    """Rows of `lf` (parquet answers from its metadata; filters are applied)."""
    return int(lf.select(pl.len()).collect().item())


def values_to_show(lf: pl.LazyFrame, columns: int) -> int:
    """Values (rows x `columns`) of `lf`, for deciding whether to show progress; 0 without
    counting when progress would be shown nowhere (a scan's row count is not free)."""
    return row_count(lf) * max(columns, 1) if may_show() else 0


def is_large(lf: pl.LazyFrame, columns: int) -> bool:
    """Whether `columns` columns of `lf` are too many values to collect at once.

    Never for a frame already in memory (no file or dataset scan in its plan): collecting it
    costs no more than holding it, and the in-memory engine is the fastest.
    """
    if "SCAN" not in lf.explain(optimized=False):
        return False
    return row_count(lf) * max(columns, 1) > IN_MEMORY_VALUES


def sum_row(lf: pl.LazyFrame, exprs: list[pl.Expr]) -> dict[str, Any]:
    """Evaluate sums, counts and other one-row reductions of elementwise expressions.

    Always on the streaming engine: it fuses each comparison into its sum instead of
    materialising a column of booleans first (about twice as fast as the in-memory engine on a
    million rows), and it holds no more than a batch of the input, however large.
    """
    if not exprs:
        return {}
    return lf.select(exprs).collect(engine="streaming").row(0, named=True)


def batches(lf: pl.LazyFrame, *, multiple: int = 1) -> Iterator[pl.DataFrame]:
    """`lf` as one frame when it is small, else as ordered batches of about `BATCH_VALUES`
    values (a multiple of `multiple` rows where the stream allows). Always yields at least once.
    Each batch read advances the current progress by one.
    """
    width = len(lf.collect_schema())
    bar = current_progress()
    if not is_large(lf, width):
        yield lf.collect(engine="in-memory")
        bar.advance()
        return
    yielded = False
    for batch in lf.collect_batches(chunk_size=batch_rows(width, multiple), maintain_order=True):
        yielded = True
        yield batch
        bar.advance()
    if not yielded:
        yield lf.clear().collect()


def batch_rows(width: int, multiple: int = 1) -> int:
    """Rows per batch of a streamed input `width` columns wide."""
    return max(multiple, BATCH_VALUES // max(width, 1) // multiple * multiple)


def batch_total(lf: pl.LazyFrame, rows: int, multiple: int = 1) -> int:
    """How many batches `batches(lf, multiple=multiple)` yields for `rows` rows (at least 1)."""
    width = len(lf.collect_schema())
    if not is_large(lf, width):
        return 1
    return max(1, math.ceil(rows / batch_rows(width, multiple)))


PART_ROWS = 1_000_000
"""Rows per part at least when an in-memory input is counted in parts to show progress."""
MAX_PARTS = 20


def partial_in_parts(
    title: str,
    lf: pl.LazyFrame,
    columns: int,
    partial: Callable[[pl.LazyFrame], P],
    merge: Callable[[P, P], P],
) -> P:
    """`partial(lf)` with progress shown under `title` for a large input: an in-memory `lf` is
    then counted over consecutive row ranges, one step each (partials merge exactly, so the
    result is the same); a scan is read in one pass (ranges would read its files again each).
    """
    rows = values_to_show(lf, columns) // max(columns, 1)
    parts = part_count(lf, rows)
    with progress(title, parts, unit="parts", work=rows * max(columns, 1)) as bar:
        if not bar.shown or parts == 1:
            result = partial(lf)
            bar.advance()
            return result
        size = math.ceil(rows / parts)
        merged = partial(lf.slice(0, size))
        bar.advance()
        for offset in range(size, rows, size):
            merged = merge(merged, partial(lf.slice(offset, size)))
            bar.advance()
        return merged


def part_count(lf: pl.LazyFrame, rows: int) -> int:
    """How many row ranges `partial_in_parts` cuts `lf` into when progress is shown."""
    parts = min(MAX_PARTS, rows // PART_ROWS)
    if parts <= 1 or "SCAN" in lf.explain(optimized=False):
        return 1
    return parts


def collect_row(lf: pl.LazyFrame, groups: list[list[pl.Expr]], *, large: bool) -> dict[str, Any]:
    """Evaluate aggregations that each give one value, as one row keyed by alias.

    Small inputs: one query for every group. Large inputs: one in-memory query per group
    (a group should read one or two columns), so only those columns are ever held at once;
    this is how exact quantiles stay bounded in memory, which the streaming engine does not do.
    """
    if not large:
        exprs = [e for group in groups for e in group]
        return lf.select(exprs).collect(engine="in-memory").row(0, named=True) if exprs else {}
    row: dict[str, Any] = {}
    for group in groups:
        if group:
            row.update(lf.select(group).collect(engine="in-memory").row(0, named=True))
    return row
