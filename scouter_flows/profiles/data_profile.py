"""Data profile models: per-feature summaries, histograms, top categories and correlations."""

from __future__ import annotations

from typing import Literal

import polars as pl
from pydantic import Field

from scouter_flows.profiles.base import FrozenModel


class Histogram(FrozenModel):
    """Equal-width bins over [min, max] of the finite values; the last bin includes max."""

    edges: list[float] = Field(description="Bin edges, one more than counts.")
    counts: list[int]


class NumericSummary(FrozenModel):
    """Summary of a numeric feature, over its finite values (NaN counts as missing)."""

    mean: float | None
    std: float | None = Field(description="Sample standard deviation (ddof 1).")
    min: float | None
    max: float | None
    infinite: int = Field(description="Values that are +inf or -inf (left out of the summary).")
    quantiles: dict[str, float | None] = Field(description="p1, p25, p50, p75, p99 (linear).")
    histogram: Histogram | None


class CategoryCount(FrozenModel):
    """A category and how often it occurs."""

    value: str
    count: int
    share: float = Field(description="count / non-missing rows.")


class FeatureSummary(FrozenModel):
    """One feature of a data profile."""

    kind: Literal["numeric", "categorical"]
    count: int = Field(description="Non-missing values.")
    missing: int = Field(description="Null and NaN values.")
    distinct: int = Field(description="Distinct non-missing values.")
    numeric: NumericSummary | None = None
    top_categories: list[CategoryCount] = Field(default_factory=list)


class DataProfile(FrozenModel):
    """Summaries of every feature of a data set, with optional Pearson correlations."""

    rows: int
    features: dict[str, FeatureSummary]
    correlations: dict[str, dict[str, float | None]] | None = Field(
        default=None, description="Pearson r over rows where both features are finite."
    )

    def to_polars(self) -> pl.DataFrame:
        """One row per feature: kind, count, missing, distinct, mean, std, min, max, quantiles."""
        rows = []
        for name, f in self.features.items():
            num = f.numeric
            rows.append(
                {
                    "feature": name,
                    "kind": f.kind,
                    "count": f.count,
                    "missing": f.missing,
                    "distinct": f.distinct,
                    "mean": num.mean if num else None,
                    "std": num.std if num else None,
                    "min": num.min if num else None,
                    "max": num.max if num else None,
                    **{k: (num.quantiles.get(k) if num else None) for k in QUANTILE_NAMES},
                }
            )
        schema: dict[str, type[pl.DataType] | pl.DataType] = {
            "feature": pl.String,
            "kind": pl.String,
            "count": pl.Int64,
            "missing": pl.Int64,
            "distinct": pl.Int64,
            **{c: pl.Float64 for c in ("mean", "std", "min", "max", *QUANTILE_NAMES)},
        }
        return pl.DataFrame(rows, schema=schema)


QUANTILES = {"p1": 0.01, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p99": 0.99}
QUANTILE_NAMES = tuple(QUANTILES)
