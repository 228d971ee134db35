"""`DataProfiler`: per-feature statistics in two lazy passes (summaries, then histograms).

Differs from Scouter on purpose: a NaN or inf in one column never zeroes another column's
quantiles or histogram; NaN counts as missing and inf is counted apart.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import polars as pl
from pydantic import Field

from scouter_flows.drift.binning import CATEGORICAL_DTYPES, finite
from scouter_flows.drift.engine import collect_row, is_large, sum_row, values_to_show
from scouter_flows.drift.quantiles import SortedSummary, sorted_summaries
from scouter_flows.errors import DataError
from scouter_flows.profiles.base import FrozenModel
from scouter_flows.profiles.data_profile import (
    QUANTILES,
    CategoryCount,
    DataProfile,
    FeatureSummary,
    Histogram,
    LengthSummary,
    NumericSummary,
)
from scouter_flows.progress import progress
from scouter_flows.sources.frames import DataLike, to_lazyframe


class NumericMoments(FrozenModel):
    """Counts and moments of one numeric column's finite values; merge exactly (Chan et al.)."""

    finite: int = Field(ge=0)
    missing: int = Field(ge=0, description="Null and NaN values.")
    infinite: int = Field(ge=0)
    mean: float | None = None
    m2: float = Field(default=0.0, description="Sum of squared deviations from the mean.")
    min: float | None = None
    max: float | None = None

    def merge(self, other: NumericMoments) -> NumericMoments:
        """Both parts together."""
        n = self.finite + other.finite
        mean, m2 = self.mean, self.m2
        if self.mean is None or other.mean is None:
            mean, m2 = (other.mean, other.m2) if self.mean is None else (mean, m2)
        else:
            delta = other.mean - self.mean
            mean = self.mean + delta * other.finite / n
            m2 = self.m2 + other.m2 + delta * delta * self.finite * other.finite / n
        return NumericMoments(
            finite=n,
            missing=self.missing + other.missing,
            infinite=self.infinite + other.infinite,
            mean=mean,
            m2=m2,
            min=_extreme(min, self.min, other.min),
            max=_extreme(max, self.max, other.max),
        )

    @property
    def std(self) -> float | None:
        """Sample standard deviation (ddof 1)."""
        return math.sqrt(self.m2 / (self.finite - 1)) if self.finite > 1 else None


class CategoryTally(FrozenModel):
    """How often each category occurs in one categorical column; merges exactly."""

    missing: int = Field(ge=0)
    counts: dict[str, int] = Field(description="Category -> occurrences.")

    def merge(self, other: CategoryTally) -> CategoryTally:
        """Both parts together."""
        counts = dict(self.counts)
        for value, count in other.counts.items():
            counts[value] = counts.get(value, 0) + count
        return CategoryTally(missing=self.missing + other.missing, counts=counts)

    def top(self, k: int) -> list[tuple[str, int]]:
        """The `k` most frequent categories, ties broken by value."""
        return sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))[:k]


class DataProfilePartial(FrozenModel):
    """The mergeable part of a data profile (counts, moments, extremes, category counts) for one
    part of the data: compute one per file or mapped task and `merge` them.

    Quantiles, numeric distinct counts and histograms need all values at once (exactly), so
    `DataProfiler` computes them over the whole input, a column at a time when it is large.
    """

    rows: int = Field(ge=0)
    numeric: dict[str, NumericMoments]
    categorical: dict[str, CategoryTally]

    def merge(self, other: DataProfilePartial) -> DataProfilePartial:
        """Both parts together."""
        if self.numeric.keys() != other.numeric.keys() or (
            self.categorical.keys() != other.categorical.keys()
        ):
            raise DataError("cannot merge data-profile partials of different columns")
        return DataProfilePartial(
            rows=self.rows + other.rows,
            numeric={k: v.merge(other.numeric[k]) for k, v in self.numeric.items()},
            categorical={k: v.merge(other.categorical[k]) for k, v in self.categorical.items()},
        )


def _extreme(
    pick: Callable[[float, float], float], a: float | None, b: float | None
) -> float | None:
    if a is None or b is None:
        return b if a is None else a
    return pick(a, b)


def data_profile_partial(data: DataLike) -> DataProfilePartial:
    """Counts, moments and category counts of every column of `data`, in one pass.

    Raises:
        DataError: a column of a dtype that cannot be profiled.
    """
    lf = to_lazyframe(data)
    numeric, categorical = _profiled_columns(lf.collect_schema())
    return _partial(lf, numeric, categorical, large=is_large(lf, len(numeric) + len(categorical)))


def _profiled_columns(schema: pl.Schema) -> tuple[list[str], list[str]]:
    numeric = [n for n, t in schema.items() if t.is_numeric() and not isinstance(t, pl.Boolean)]
    categorical = [n for n, t in schema.items() if isinstance(t, CATEGORICAL_DTYPES)]
    unsupported = [n for n in schema.names() if n not in numeric and n not in categorical]
    if unsupported:
        raise DataError(
            f"cannot profile columns {unsupported} of dtypes "
            f"{[str(schema[n]) for n in unsupported]}: expected numeric, string, categorical "
            "or boolean columns"
        )
    return numeric, categorical


def _partial(
    lf: pl.LazyFrame, numeric: list[str], categorical: list[str], *, large: bool
) -> DataProfilePartial:
    row = collect_row(
        lf,
        [
            [pl.len().alias("\x00rows")],
            *(_numeric_exprs(n) for n in numeric),
            *(_categorical_exprs(n) for n in categorical),
        ],
        large=large,
    )
    return DataProfilePartial(
        rows=int(row["\x00rows"]),
        numeric={
            n: NumericMoments(
                finite=int(row[f"{n}\x00finite"]),
                missing=int(row[f"{n}\x00missing"]),
                infinite=int(row[f"{n}\x00inf"]),
                mean=row[f"{n}\x00mean"],
                m2=row[f"{n}\x00m2"] or 0.0,
                min=row[f"{n}\x00min"],
                max=row[f"{n}\x00max"],
            )
            for n in numeric
        },
        categorical={
            n: CategoryTally(
                missing=int(row[f"{n}\x00missing"]),
                counts={item[n]: int(item["count"]) for item in row[f"{n}\x00counts"]},
            )
            for n in categorical
        },
    )


class DataProfiler:
    """Summarises every column of a data set.

    Example:
        >>> import polars as pl
        >>> profile = DataProfiler().create_data_profile(pl.DataFrame({"x": [1.0, 2.0, None]}))
        >>> profile.features["x"].missing
        1
    """

    def create_data_profile(
        self,
        data: DataLike,
        bin_size: int = 20,
        compute_correlations: bool = False,
        top_categories: int = 10,
    ) -> DataProfile:
        """Profile `data`.

        Args:
            data: Any input `Drifter` accepts.
            bin_size: Histogram bins per numeric feature.
            compute_correlations: Add Pearson correlations between numeric features.
            top_categories: How many of the most frequent categories to keep.

        Raises:
            DataError: empty data, an unsupported column dtype, or bin_size < 1.
        """
        if bin_size < 1:
            raise DataError(f"bin_size must be at least 1, got {bin_size}")
        lf = to_lazyframe(data)
        schema = lf.collect_schema()
        numeric, categorical = _profiled_columns(schema)
        steps = 2 + len(numeric) + int(compute_correlations)
        work = values_to_show(lf, len(schema))
        with progress("Data profile", steps, unit="steps", work=work) as bar:
            large = is_large(lf, len(schema))
            partial = _partial(lf, numeric, categorical, large=large)
            if partial.rows == 0:
                raise DataError("data is empty: a profile needs at least one row")
            bar.advance(doing="counted and summed")
            sorted_found = sorted_summaries(lf, numeric, list(QUANTILES.values()), large=large)
            moments = partial.numeric
            edges = {n: _edges(moments[n].min, moments[n].max, bin_size) for n in numeric}
            histograms = _histograms(lf, {n: e for n, e in edges.items() if e is not None})
            bar.advance(doing="histograms")
            correlations = None
            if compute_correlations:
                means = {n: moments[n].mean or 0.0 for n in numeric}
                correlations = _correlations(lf, numeric, means)
                bar.advance(doing="correlations")
        features: dict[str, FeatureSummary] = {}
        for name in schema.names():
            if name in numeric:
                features[name] = _numeric_summary(
                    moments[name], sorted_found[name], edges[name], histograms.get(name)
                )
            else:
                features[name] = _categorical_summary(partial.categorical[name], top_categories)
        return DataProfile(rows=partial.rows, features=features, correlations=correlations)


def _numeric_exprs(name: str) -> list[pl.Expr]:
    col = pl.col(name).cast(pl.Float64)
    x = finite(name)
    return [
        (col.null_count() + col.is_nan().sum()).alias(f"{name}\x00missing"),
        col.is_infinite().sum().alias(f"{name}\x00inf"),
        x.len().alias(f"{name}\x00finite"),
        x.mean().alias(f"{name}\x00mean"),
        ((x - x.mean()) ** 2).sum().alias(f"{name}\x00m2"),
        x.min().alias(f"{name}\x00min"),
        x.max().alias(f"{name}\x00max"),
    ]


def _categorical_exprs(name: str) -> list[pl.Expr]:
    values = pl.col(name).cast(pl.String)
    return [
        values.null_count().alias(f"{name}\x00missing"),
        values.drop_nulls().value_counts(name="count").implode().alias(f"{name}\x00counts"),
    ]


def _correlations(
    lf: pl.LazyFrame, numeric: list[str], means: dict[str, float]
) -> dict[str, dict[str, float | None]]:
    """Pearson r over the rows where both values are finite, from co-moment sums.

    Deviations are taken from each column's mean so the sums do not cancel; the sums stream,
    so this is one bounded pass however large the input.
    """
    pairs = list(itertools.combinations(numeric, 2))
    exprs = []
    for i, (a, b) in enumerate(pairs):
        x = pl.col(a).cast(pl.Float64) - means[a]
        y = pl.col(b).cast(pl.Float64) - means[b]
        both = x.is_finite() & y.is_finite()
        exprs += [
            both.sum().alias(f"{i}\x00n"),
            pl.when(both).then(x).sum().alias(f"{i}\x00x"),
            pl.when(both).then(y).sum().alias(f"{i}\x00y"),
            pl.when(both).then(x * y).sum().alias(f"{i}\x00xy"),
            pl.when(both).then(x * x).sum().alias(f"{i}\x00xx"),
            pl.when(both).then(y * y).sum().alias(f"{i}\x00yy"),
        ]
    sums = sum_row(lf, exprs)
    table: dict[str, dict[str, float | None]] = {
        a: {b: 1.0 if a == b else None for b in numeric} for a in numeric
    }
    for i, (a, b) in enumerate(pairs):
        n = sums[f"{i}\x00n"]
        if n < 2:
            continue
        sx, sy = sums[f"{i}\x00x"], sums[f"{i}\x00y"]
        sxy = sums[f"{i}\x00xy"] - sx * sy / n
        sxx = sums[f"{i}\x00xx"] - sx * sx / n
        syy = sums[f"{i}\x00yy"] - sy * sy / n
        if sxx > 0 and syy > 0:
            table[a][b] = table[b][a] = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    return table


def _edges(low: float | None, high: float | None, bins: int) -> list[float] | None:
    if low is None or high is None:
        return None
    if low == high:
        return [low, high]
    width = (high - low) / bins
    return [low + i * width for i in range(bins)] + [high]


def _histograms(lf: pl.LazyFrame, edges: dict[str, list[float]]) -> dict[str, list[int]]:
    if not edges:
        return {}
    exprs = []
    for name, bounds in edges.items():
        x = pl.col(name).cast(pl.Float64)
        last = len(bounds) - 2
        for i, (lo, hi) in enumerate(itertools.pairwise(bounds)):
            inside = (x >= lo) & ((x <= hi) if i == last else (x < hi))
            exprs.append(inside.sum().alias(f"{name}\x00h{i}"))
    row = sum_row(lf, exprs)
    return {n: [int(row[f"{n}\x00h{i}"]) for i in range(len(b) - 1)] for n, b in edges.items()}


def _numeric_summary(
    moments: NumericMoments,
    found: SortedSummary,
    edges: list[float] | None,
    counts: list[int] | None,
) -> FeatureSummary:
    return FeatureSummary(
        kind="numeric",
        count=moments.finite + moments.infinite,
        missing=moments.missing,
        distinct=found.distinct,
        numeric=NumericSummary(
            mean=moments.mean,
            std=moments.std,
            min=moments.min,
            max=moments.max,
            infinite=moments.infinite,
            quantiles=dict(zip(QUANTILES, found.quantiles, strict=True)),
            histogram=Histogram(edges=edges, counts=counts) if edges and counts else None,
        ),
    )


def _categorical_summary(tally: CategoryTally, top: int) -> FeatureSummary:
    present = sum(tally.counts.values())
    return FeatureSummary(
        kind="categorical",
        count=present,
        missing=tally.missing,
        distinct=len(tally.counts),
        lengths=_lengths(tally.counts),
        top_categories=[
            CategoryCount(value=value, count=count, share=count / present)
            for value, count in tally.top(top)
        ],
    )


def _lengths(counts: dict[str, int]) -> LengthSummary | None:
    """Character lengths of the values, each weighted by its count (exact, from the tally)."""
    by_length: dict[int, int] = {}
    for value, count in counts.items():
        by_length[len(value)] = by_length.get(len(value), 0) + count
    total = sum(by_length.values())
    if not total:
        return None
    ordered = sorted(by_length.items())
    seen, median = 0, ordered[-1][0]
    for length, count in ordered:  # the length at index total // 2, as Scouter takes it
        seen += count
        if seen > total // 2:
            median = length
            break
    mean = math.fsum(length * count for length, count in ordered) / total
    return LengthSummary(min=ordered[0][0], max=ordered[-1][0], mean=mean, median=median)
