"""`DataProfiler`: per-feature statistics in two lazy passes (summaries, then histograms).

Differs from Scouter on purpose: a NaN or inf in one column never zeroes another column's
quantiles or histogram; NaN counts as missing and inf is counted apart.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import polars as pl

from scouter_flows.drift.binning import CATEGORICAL_DTYPES, finite
from scouter_flows.drift.engine import collect_row, is_large, reduction_engine
from scouter_flows.drift.quantiles import sorted_summaries
from scouter_flows.errors import DataError
from scouter_flows.profiles.data_profile import (
    QUANTILES,
    CategoryCount,
    DataProfile,
    FeatureSummary,
    Histogram,
    NumericSummary,
)
from scouter_flows.sources.frames import DataLike, to_lazyframe


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
        numeric = [n for n, t in schema.items() if t.is_numeric() and not isinstance(t, pl.Boolean)]
        categorical = [n for n, t in schema.items() if isinstance(t, CATEGORICAL_DTYPES)]
        unsupported = [n for n in schema.names() if n not in numeric and n not in categorical]
        if unsupported:
            raise DataError(
                f"cannot profile columns {unsupported} of dtypes "
                f"{[str(schema[n]) for n in unsupported]}: expected numeric, string, categorical "
                "or boolean columns"
            )
        large = is_large(lf, len(schema))
        row = collect_row(
            lf,
            [
                [pl.len().alias("\x00rows")],
                *(_numeric_exprs(n) for n in numeric),
                *(_categorical_exprs(n, top_categories) for n in categorical),
            ],
            large=large,
        )
        if row["\x00rows"] == 0:
            raise DataError("data is empty: a profile needs at least one row")
        for name, found in sorted_summaries(
            lf, numeric, list(QUANTILES.values()), large=large
        ).items():
            row[f"{name}\x00quantiles"] = found.quantiles
            row[f"{name}\x00distinct"] = found.distinct
        edges = {n: _edges(row[f"{n}\x00min"], row[f"{n}\x00max"], bin_size) for n in numeric}
        histograms = _histograms(lf, {n: e for n, e in edges.items() if e is not None}, large)
        features: dict[str, FeatureSummary] = {}
        for name in schema.names():
            if name in numeric:
                features[name] = _numeric_summary(name, row, edges[name], histograms.get(name))
            else:
                features[name] = _categorical_summary(name, row)
        correlations = None
        if compute_correlations:
            correlations = _correlations(lf, numeric, row, large)
        return DataProfile(rows=int(row["\x00rows"]), features=features, correlations=correlations)


def _numeric_exprs(name: str) -> list[pl.Expr]:
    col = pl.col(name).cast(pl.Float64)
    x = finite(name)
    return [
        (col.null_count() + col.is_nan().sum()).alias(f"{name}\x00missing"),
        col.is_infinite().sum().alias(f"{name}\x00inf"),
        x.mean().alias(f"{name}\x00mean"),
        x.std(ddof=1).alias(f"{name}\x00std"),
        x.min().alias(f"{name}\x00min"),
        x.max().alias(f"{name}\x00max"),
    ]


def _categorical_exprs(name: str, top: int) -> list[pl.Expr]:
    values = pl.col(name).cast(pl.String)
    return [
        values.null_count().alias(f"{name}\x00missing"),
        values.drop_nulls().n_unique().alias(f"{name}\x00distinct"),
        values.drop_nulls()
        .value_counts(sort=True, name="count")
        .head(top)
        .implode()
        .alias(f"{name}\x00top"),
    ]


def _correlations(
    lf: pl.LazyFrame, numeric: list[str], row: dict[str, Any], large: bool
) -> dict[str, dict[str, float | None]]:
    """Pearson r over the rows where both values are finite, from co-moment sums.

    Deviations are taken from each column's mean so the sums do not cancel; the sums stream,
    so this is one bounded pass however large the input.
    """
    pairs = list(itertools.combinations(numeric, 2))
    exprs = []
    for i, (a, b) in enumerate(pairs):
        x = pl.col(a).cast(pl.Float64) - (row[f"{a}\x00mean"] or 0.0)
        y = pl.col(b).cast(pl.Float64) - (row[f"{b}\x00mean"] or 0.0)
        both = x.is_finite() & y.is_finite()
        exprs += [
            both.sum().alias(f"{i}\x00n"),
            pl.when(both).then(x).sum().alias(f"{i}\x00x"),
            pl.when(both).then(y).sum().alias(f"{i}\x00y"),
            pl.when(both).then(x * y).sum().alias(f"{i}\x00xy"),
            pl.when(both).then(x * x).sum().alias(f"{i}\x00xx"),
            pl.when(both).then(y * y).sum().alias(f"{i}\x00yy"),
        ]
    sums = (
        lf.select(exprs).collect(engine=reduction_engine(large)).row(0, named=True) if exprs else {}
    )
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


def _histograms(
    lf: pl.LazyFrame, edges: dict[str, list[float]], large: bool
) -> dict[str, list[int]]:
    if not edges:
        return {}
    exprs = []
    for name, bounds in edges.items():
        x = pl.col(name).cast(pl.Float64)
        last = len(bounds) - 2
        for i, (lo, hi) in enumerate(itertools.pairwise(bounds)):
            inside = (x >= lo) & ((x <= hi) if i == last else (x < hi))
            exprs.append(inside.sum().alias(f"{name}\x00h{i}"))
    row = lf.select(exprs).collect(engine=reduction_engine(large)).row(0, named=True)
    return {n: [int(row[f"{n}\x00h{i}"]) for i in range(len(b) - 1)] for n, b in edges.items()}


def _numeric_summary(
    name: str, row: dict[str, Any], edges: list[float] | None, counts: list[int] | None
) -> FeatureSummary:
    missing = int(row[f"{name}\x00missing"])
    return FeatureSummary(
        kind="numeric",
        count=int(row["\x00rows"]) - missing,
        missing=missing,
        distinct=int(row[f"{name}\x00distinct"]),
        numeric=NumericSummary(
            mean=row[f"{name}\x00mean"],
            std=row[f"{name}\x00std"],
            min=row[f"{name}\x00min"],
            max=row[f"{name}\x00max"],
            infinite=int(row[f"{name}\x00inf"]),
            quantiles=dict(zip(QUANTILES, row[f"{name}\x00quantiles"], strict=True)),
            histogram=Histogram(edges=edges, counts=counts) if edges and counts else None,
        ),
    )


def _categorical_summary(name: str, row: dict[str, Any]) -> FeatureSummary:
    missing = int(row[f"{name}\x00missing"])
    present = int(row["\x00rows"]) - missing
    return FeatureSummary(
        kind="categorical",
        count=present,
        missing=missing,
        distinct=int(row[f"{name}\x00distinct"]),
        top_categories=[
            CategoryCount(value=item[name], count=item["count"], share=item["count"] / present)
            for item in row[f"{name}\x00top"]
        ],
    )
