"""`DataProfiler`: per-feature statistics in two lazy passes (summaries, then histograms).

Differs from Scouter on purpose: a NaN or inf in one column never zeroes another column's
quantiles or histogram; NaN counts as missing and inf is counted apart.
"""

from __future__ import annotations

import itertools
from typing import Any

import polars as pl

from scouter_flows.drift.binning import CATEGORICAL_DTYPES, finite
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
        first = lf.select(
            pl.len().alias("\x00rows"),
            *(e for n in numeric for e in _numeric_exprs(n)),
            *(e for n in categorical for e in _categorical_exprs(n, top_categories)),
            *(_correlation_exprs(numeric) if compute_correlations else []),
        ).collect(engine="in-memory")
        row = first.row(0, named=True)
        if row["\x00rows"] == 0:
            raise DataError("data is empty: a profile needs at least one row")
        edges = {n: _edges(row[f"{n}\x00min"], row[f"{n}\x00max"], bin_size) for n in numeric}
        histograms = _histograms(lf, {n: e for n, e in edges.items() if e is not None})
        features: dict[str, FeatureSummary] = {}
        for name in schema.names():
            if name in numeric:
                features[name] = _numeric_summary(name, row, edges[name], histograms.get(name))
            else:
                features[name] = _categorical_summary(name, row)
        correlations = None
        if compute_correlations:
            correlations = {a: {b: 1.0 if a == b else None for b in numeric} for a in numeric}
            for a, b in itertools.combinations(numeric, 2):
                r = row[f"{a}\x00corr\x00{b}"]
                correlations[a][b] = correlations[b][a] = r
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
        col.fill_nan(None).drop_nulls().n_unique().alias(f"{name}\x00distinct"),
        *(
            x.quantile(q, interpolation="linear").alias(f"{name}\x00{label}")
            for label, q in QUANTILES.items()
        ),
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


def _correlation_exprs(numeric: list[str]) -> list[pl.Expr]:
    exprs = []
    for a, b in itertools.combinations(numeric, 2):
        x, y = pl.col(a).cast(pl.Float64), pl.col(b).cast(pl.Float64)
        both = x.is_finite() & y.is_finite()
        exprs.append(pl.corr(x.filter(both), y.filter(both)).alias(f"{a}\x00corr\x00{b}"))
    return exprs


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
    row = lf.select(exprs).collect(engine="in-memory").row(0, named=True)
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
            quantiles={label: row[f"{name}\x00{label}"] for label in QUANTILES},
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
