"""How much a kernel collects at once, and with which Polars engine.

Small inputs are collected whole on the in-memory engine (fastest: quantiles there are about
12x faster than on the streaming engine). Inputs larger than `IN_MEMORY_VALUES` are read a
column or a batch at a time, so peak memory stays bounded whatever the row count.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl

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
    """
    width = len(lf.collect_schema())
    if not is_large(lf, width):
        yield lf.collect(engine="in-memory")
        return
    chunk = max(multiple, BATCH_VALUES // max(width, 1) // multiple * multiple)
    yielded = False
    for batch in lf.collect_batches(chunk_size=chunk, maintain_order=True):
        yielded = True
        yield batch
    if not yielded:
        yield lf.clear().collect()


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
