"""Data profile models: per-feature summaries, histograms, top categories and correlations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Self

import polars as pl
from pydantic import Field, PrivateAttr, model_validator

from scouter_flows.profiles.base import FrozenModel


class Histogram(FrozenModel):
    """Equal-width bins over [min, max] of the finite values; the last bin includes max."""

    edges: list[float] = Field(description="Bin edges, one more than counts.")
    counts: list[int]

    @property
    def bins(self) -> list[float]:
        """Each bin's lower edge (Scouter's `bins`)."""
        return self.edges[:-1]

    @property
    def bin_counts(self) -> list[int]:
        """Rows per bin (Scouter's `bin_counts`)."""
        return self.counts


class NumericSummary(FrozenModel):
    """Summary of a numeric feature, over its finite values (NaN counts as missing)."""

    mean: float | None
    std: float | None = Field(description="Sample standard deviation (ddof 1).")
    min: float | None
    max: float | None
    infinite: int = Field(description="Values that are +inf or -inf (left out of the summary).")
    quantiles: dict[str, float | None] = Field(description="p1, p25, p50, p75, p99 (linear).")
    histogram: Histogram | None


class LengthSummary(FrozenModel):
    """Lengths in characters of a categorical feature's non-missing values."""

    min: int
    max: int
    mean: float
    median: int = Field(description="The length at index n // 2 of the sorted lengths.")


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
    lengths: LengthSummary | None = Field(
        default=None, description="Value lengths of a categorical feature."
    )
    _correlations: dict[str, float | None] | None = PrivateAttr(default=None)

    @property
    def correlations(self) -> dict[str, float | None] | None:
        """Scouter's per-feature view: this feature's Pearson r with every other numeric
        feature (the profile's `correlations` row); None when not computed or not numeric."""
        return self._correlations

    @property
    def numeric_stats(self) -> NumericStats | None:
        """Scouter's view of a numeric feature: mean, stddev, min, max, distinct, quantiles
        (q25, q50, q75, q99) and histogram (bins, bin_counts)."""
        num = self.numeric
        if num is None:
            return None
        q = num.quantiles
        return NumericStats(
            mean=num.mean,
            stddev=num.std,
            min=num.min,
            max=num.max,
            distinct=Distinct(self.distinct, self.distinct / self.count if self.count else 0.0),
            quantiles=Quantiles(q.get("p25"), q.get("p50"), q.get("p75"), q.get("p99")),
            histogram=num.histogram,
        )

    @property
    def string_stats(self) -> StringStats | None:
        """Scouter's view of a categorical feature: distinct (percent out of 100, as Scouter
        writes it for strings), char_stats and word_stats (the `top_categories` most frequent
        values, each with its count and share)."""
        if self.kind != "categorical":
            return None
        lengths = self.lengths
        return StringStats(
            distinct=Distinct(
                self.distinct, 100.0 * self.distinct / self.count if self.count else 0.0
            ),
            char_stats=None
            if lengths is None
            else CharStats(lengths.min, lengths.max, lengths.median, lengths.mean),
            word_stats=WordStats(
                {c.value: Distinct(c.count, c.share) for c in self.top_categories}
            ),
        )


@dataclass(frozen=True, slots=True)
class Distinct:
    """How many distinct values, and their share."""

    count: int
    percent: float


@dataclass(frozen=True, slots=True)
class Quantiles:
    """Scouter's quantiles (linear interpolation)."""

    q25: float | None
    q50: float | None
    q75: float | None
    q99: float | None


@dataclass(frozen=True, slots=True)
class NumericStats:
    """Scouter's `NumericStats` view of a `FeatureSummary`."""

    mean: float | None
    stddev: float | None
    min: float | None
    max: float | None
    distinct: Distinct
    quantiles: Quantiles
    histogram: Histogram | None


@dataclass(frozen=True, slots=True)
class CharStats:
    """Lengths of string values in characters."""

    min_length: int
    max_length: int
    median_length: int
    mean_length: float


@dataclass(frozen=True, slots=True)
class WordStats:
    """The most frequent values, each with its count and share."""

    words: dict[str, Distinct]


@dataclass(frozen=True, slots=True)
class StringStats:
    """Scouter's `StringStats` view of a `FeatureSummary`."""

    distinct: Distinct
    char_stats: CharStats | None
    word_stats: WordStats


class DataProfile(FrozenModel):
    """Summaries of every feature of a data set, with optional Pearson correlations.

    Scouter's reading works too: `profile.features["x"].numeric_stats.quantiles.q25`,
    `.string_stats.char_stats.max_length`, `save_to_json()`, `model_validate_json(text)`.
    """

    rows: int
    features: dict[str, FeatureSummary]
    correlations: dict[str, dict[str, float | None]] | None = Field(
        default=None, description="Pearson r over rows where both features are finite."
    )

    @model_validator(mode="after")
    def _share_correlations(self) -> Self:
        # Each feature's row of the matrix, for Scouter's `features[f].correlations`.
        for name, feature in self.features.items():
            row = (self.correlations or {}).get(name)
            feature._correlations = {k: v for k, v in row.items() if k != name} if row else None
        return self

    def save_to_json(self, path: str | Path | None = None) -> Path:
        """Write the profile as JSON (default `data_profile.json`) and return the path."""
        target = Path(path) if path is not None else Path("data_profile.json")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.model_dump_json(indent=2), encoding="utf-8")
        return target

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
