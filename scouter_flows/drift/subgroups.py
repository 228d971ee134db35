"""SPC subgroups as mergeable partials: any contiguous part of the rows, cut at global offsets.

Subgroup g holds rows [g*n, (g+1)*n) of the whole (time-ordered) input. A partial covers rows
[offset, offset + rows): the full subgroups inside it are summarised, and the rows before its
first and after its last subgroup boundary are kept raw (fewer than n each), so adjacent
partials merge into exactly what one pass over both would give. That is what lets a window be
split over files, batches of a stream, or mapped tasks.
"""

from __future__ import annotations

import itertools
import math
import os
import warnings
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Self, TypeVar

import numpy as np
import polars as pl
from pydantic import Field

from scouter_flows.drift.engine import batch_total, batches, values_to_show
from scouter_flows.errors import DataError
from scouter_flows.profiles.arrays import ArrayModel, FloatArray, IntArray
from scouter_flows.profiles.spc import SpcDriftConfig
from scouter_flows.progress import progress

_CHUNK_GROUPS = 2048
"""Subgroups centred per block when computing standard deviations (a block stays in cache)."""


def cut(offset: int, rows: int, n: int) -> tuple[int, int]:
    """Local [start, stop) of the full subgroups among rows offset .. offset + rows."""
    first = min(-offset % n, rows)
    return first, first + (rows - first) // n * n


class _Segment(ArrayModel):
    """What every SPC partial shares: its place in the rows and the raw rows at its edges."""

    sample_size: int = Field(ge=2, description="Rows per subgroup.")
    offset: int = Field(ge=0, description="Global index of the first row.")
    rows: int = Field(ge=0, description="Rows covered.")
    head: dict[str, FloatArray] = Field(description="Raw values before the first boundary.")
    tail: dict[str, FloatArray] = Field(description="Raw values after the last boundary.")
    head_times: IntArray | None = Field(default=None, description="Their times (UTC, us).")
    tail_times: IntArray | None = Field(default=None, description="Their times (UTC, us).")

    @property
    def leftover_rows(self) -> int:
        """Rows not in a full subgroup (only the tail when the offset is 0)."""
        first, stop = cut(self.offset, self.rows, self.sample_size)
        return first + self.rows - stop

    @property
    def subgroups(self) -> int:
        """Full subgroups covered."""
        first, stop = cut(self.offset, self.rows, self.sample_size)
        return (stop - first) // self.sample_size

    @classmethod
    def from_arrays(
        cls,
        values: dict[str, np.ndarray],
        times: np.ndarray | None,
        *,
        offset: int,
        sample_size: int,
        what: str,
    ) -> Self:
        """Summarise rows starting at global index `offset` (arrays of equal length)."""
        rows = len(times) if times is not None else len(next(iter(values.values())))
        first, stop = cut(offset, rows, sample_size)
        return cls(
            sample_size=sample_size,
            offset=offset,
            rows=rows,
            head={k: v[:first].copy() for k, v in values.items()},
            tail={k: v[stop:].copy() for k, v in values.items()},
            head_times=None if times is None else times[:first].copy(),
            tail_times=None if times is None else times[stop:].copy(),
            **cls._summarise(
                {k: v[first:stop] for k, v in values.items()},
                None if times is None else times[first:stop],
                sample_size,
                what,
            ),
        )

    @classmethod
    def _summarise(
        cls, values: dict[str, np.ndarray], times: np.ndarray | None, n: int, what: str
    ) -> dict[str, object]:
        """The subclass's fields for full subgroups (each array's length is a multiple of n)."""
        raise NotImplementedError

    def _joined(self, middle: Self | None, right: Self) -> dict[str, object]:
        """The subclass's fields for self's subgroups, then middle's, then right's."""
        raise NotImplementedError

    def merge(self, right: Self) -> Self:
        """This part followed by the adjacent `right` (which starts where this one ends)."""
        n = self.sample_size
        if right.offset != self.offset + self.rows or right.sample_size != n:
            raise DataError(
                f"SPC partials must be adjacent with one sample_size: rows {self.offset}.."
                f"{self.offset + self.rows} (n={n}) cannot be followed by rows {right.offset}.. "
                f"(n={right.sample_size}); merge them in row order"
            )
        if self.head.keys() != right.head.keys():
            raise DataError(
                f"cannot merge SPC partials of different features: {sorted(self.head)} and "
                f"{sorted(right.head)}"
            )
        rows = self.rows + right.rows
        if cut(self.offset, self.rows, n)[0] == self.rows:
            # No boundary inside this part: all of it belongs before the merged first boundary.
            return right.model_copy(
                update={
                    "offset": self.offset,
                    "rows": rows,
                    "head": _join_arrays(self.head, right.head),
                    "head_times": _join_times(self.head_times, right.head_times),
                }
            )
        middle_values = _join_arrays(self.tail, right.head)
        middle_times = _join_times(self.tail_times, right.head_times)
        middle_rows = len(next(iter(middle_values.values()))) if middle_values else 0
        if middle_rows < n and cut(right.offset, right.rows, n)[0] == right.rows:
            return self.model_copy(
                update={"rows": rows, "tail": middle_values, "tail_times": middle_times}
            )
        middle = None
        if middle_rows:
            middle = type(self).from_arrays(
                middle_values,
                middle_times,
                offset=right.offset - len(next(iter(self.tail.values()))),
                sample_size=n,
                what="merged data",
            )
        return self.model_copy(
            update={
                "rows": rows,
                "tail": right.tail,
                "tail_times": right.tail_times,
                **self._joined(middle, right),
            }
        )


P = TypeVar("P", bound=_Segment)


class SpcPartial(_Segment):
    """Subgroup means of one contiguous part of a window; merge adjacent parts in row order.

    Compute one per batch, file or mapped task with the global `offset` of its first row,
    `merge` them oldest first, then `finalize_spc_drift`.
    """

    means: dict[str, FloatArray] = Field(description="Mean of each full subgroup, per feature.")
    times: IntArray | None = Field(
        default=None, description="Time of each subgroup's last row (UTC, us), if ordered."
    )

    @classmethod
    def _summarise(
        cls, values: dict[str, np.ndarray], times: np.ndarray | None, n: int, what: str
    ) -> dict[str, object]:
        moments = subgroup_moments(values, n, with_std=False, what=what)
        return {
            "means": {k: m for k, (m, _) in moments.items()},
            "times": None if times is None else times[n - 1 :: n].copy(),
        }

    def _joined(self, middle: Self | None, right: Self) -> dict[str, object]:
        parts = [p for p in (self, middle, right) if p is not None]
        times = None
        if self.times is not None:
            times = np.concatenate([p.times for p in parts if p.times is not None])
        return {
            "means": {k: np.concatenate([p.means[k] for p in parts]) for k in self.means},
            "times": times,
        }


class SpcProfilePartial(_Segment):
    """Sums of subgroup means and standard deviations of one contiguous part of a baseline."""

    mean_sum: dict[str, float] = Field(description="Sum of subgroup means (missing left out).")
    mean_count: dict[str, int] = Field(description="Subgroups with a mean.")
    std_sum: dict[str, float] = Field(description="Sum of subgroup sample stds (ddof 1).")
    std_count: dict[str, int] = Field(description="Subgroups with a std (two or more values).")

    @classmethod
    def _summarise(
        cls, values: dict[str, np.ndarray], times: np.ndarray | None, n: int, what: str
    ) -> dict[str, object]:
        moments = subgroup_moments(values, n, with_std=True, what=what)
        fields: dict[str, dict[str, float | int]] = {
            "mean_sum": {},
            "mean_count": {},
            "std_sum": {},
            "std_count": {},
        }
        for name, (means, stds) in moments.items():
            assert stds is not None
            for label, series in (("mean", means), ("std", stds)):
                present = series[~np.isnan(series)]
                fields[f"{label}_sum"][name] = float(present.sum())
                fields[f"{label}_count"][name] = int(present.size)
        return dict(fields)

    def _joined(self, middle: Self | None, right: Self) -> dict[str, object]:
        parts = [p for p in (self, middle, right) if p is not None]
        return {
            field: {k: sum(getattr(p, field)[k] for p in parts) for k in self.mean_sum}
            for field in ("mean_sum", "mean_count", "std_sum", "std_count")
        }


def _join_arrays(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.concatenate((v, b[k])) for k, v in a.items()}


def _join_times(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    return None if a is None or b is None else np.concatenate((a, b))


def subgroup_moments(
    values: dict[str, np.ndarray], n: int, *, with_std: bool, what: str
) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """Mean (and sample std) of every consecutive block of `n` values, per feature.

    A block with missing (NaN) values uses those present: a mean needs one, a std two.

    Raises:
        DataError: a value is infinite (no chart can be drawn through it).
    """
    # Features on parallel threads (numpy releases the GIL). Not BLAS: its threads keep
    # spinning after a call and starve these and the rule evaluation that follows.
    items = list(values.items())
    starts = np.arange(0, len(items[0][1]), n)
    with ThreadPoolExecutor(max_workers=min(len(items), os.cpu_count() or 1)) as pool:
        found = list(pool.map(lambda item: _block_moments(item[1], starts, n, with_std), items))
    means = {name: mean for name, (mean, _) in zip(values, found, strict=True)}
    stds = {name: std for name, (_, std) in zip(values, found, strict=True)}
    for name, column in values.items():
        bad = np.flatnonzero(~np.isfinite(means[name]))
        if not bad.size:
            continue
        rough = column.reshape(-1, n)[bad]
        if np.isinf(rough).any():
            raise DataError(
                f"{what} feature {name!r} has infinite values: an SPC chart needs finite values "
                "(use null or NaN for missing ones)"
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # blocks with too few values
            means[name][bad] = np.nanmean(rough, axis=1)
            std = stds[name]
            if std is not None:
                std[bad] = np.nanstd(rough, axis=1, ddof=1)
    return {name: (means[name], stds[name]) for name in values}


def _block_moments(
    column: np.ndarray, starts: np.ndarray, n: int, with_std: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Mean (and sample std) per block; the std takes two passes (centred on the block's own
    mean), so there is no cancellation. Blocks are centred a cache-sized slice at a time into
    one reused buffer.
    """
    if column.size == 0:
        return np.empty(0), np.empty(0) if with_std else None
    means = np.add.reduceat(column, starts) / n
    if not with_std:
        return means, None
    blocks = column.reshape(-1, n)
    squares = np.empty(len(means))
    buffer = np.empty((min(_CHUNK_GROUPS, len(means)), n))
    with np.errstate(invalid="ignore"):  # inf - inf; such blocks are rejected by the caller
        for lo in range(0, len(means), _CHUNK_GROUPS):
            hi = min(lo + _CHUNK_GROUPS, len(means))
            centred = buffer[: hi - lo]
            np.subtract(blocks[lo:hi], means[lo:hi, None], out=centred)
            squares[lo:hi] = np.einsum("ij,ij->i", centred, centred)
    return means, np.sqrt(squares / (n - 1))


def scan_partial(
    lf: pl.LazyFrame,
    names: list[str],
    config: SpcDriftConfig,
    *,
    offset: int,
    build: type[P],
    what: str,
) -> P:
    """Cut `lf` (ordered by the config's timestamp column if any) into a partial of `build`'s
    kind, streaming large inputs in batches."""
    timestamp_column, sample_size = config.timestamp_column, config.sample_size
    selected = lf.select(*names, *([timestamp_column] if timestamp_column else []))
    if timestamp_column:
        selected = selected.sort(timestamp_column, maintain_order=True)
    parts: list[P] = []
    position = offset
    work = values_to_show(selected, len(names))
    total = batch_total(selected, work // max(len(names), 1), sample_size) if work else 1
    title = "SPC profile" if what == "baseline" else "SPC drift"
    with progress(title, total, unit="batches", work=work):
        for batch in batches(selected, multiple=sample_size):
            for piece in _contiguous_pieces(batch):
                values, times = _arrays(piece, names, timestamp_column, what)
                parts.append(
                    build.from_arrays(
                        values, times, offset=position, sample_size=sample_size, what=what
                    )
                )
                position += piece.height
    return merge_in_order(parts)


def _contiguous_pieces(frame: pl.DataFrame) -> list[pl.DataFrame]:
    """`frame` cut at its memory chunks (one per file or row group of a scan) when every column
    shares them, so each piece converts to numpy without a copy; else `frame` itself."""
    layouts = {tuple(column.chunk_lengths()) for column in frame.get_columns()}
    if len(layouts) != 1:
        return [frame]
    lengths = layouts.pop()
    if len(lengths) <= 1:
        return [frame]
    starts = itertools.accumulate(lengths, initial=0)
    return [frame.slice(start, length) for start, length in zip(starts, lengths, strict=False)]


def merge_in_order(parts: list[P]) -> P:
    """Merge adjacent partials, given oldest first, pairwise in a balanced tree: each value is
    copied about log2(len(parts)) times, not once per part as a left fold would."""
    if not parts:
        raise DataError("no SPC partials to merge")
    while len(parts) > 1:
        pairs = range(0, len(parts) - 1, 2)
        merged = [parts[i].merge(parts[i + 1]) for i in pairs]
        parts = merged + ([parts[-1]] if len(parts) % 2 else [])
    return parts[0]


def _arrays(
    frame: pl.DataFrame, names: Iterable[str], timestamp_column: str | None, what: str
) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    values = {name: frame[name].cast(pl.Float64).to_numpy() for name in names}
    if not timestamp_column:
        return values, None
    stamps = frame[timestamp_column]
    if stamps.null_count():
        raise DataError(
            f"{what} timestamp column {timestamp_column!r} has {stamps.null_count()} null values: "
            "rows without a time cannot be ordered into subgroups"
        )
    return values, stamps.dt.timestamp("us").to_numpy()


def moments_from(partial: SpcProfilePartial, name: str) -> tuple[float, float]:
    """(mean of subgroup means, mean of subgroup stds) of one feature; NaN when none."""
    mean_count, std_count = partial.mean_count[name], partial.std_count[name]
    center = partial.mean_sum[name] / mean_count if mean_count else math.nan
    sbar = partial.std_sum[name] / std_count if std_count else math.nan
    return center, sbar
