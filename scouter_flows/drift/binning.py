"""Numeric bin edges of a PSI baseline: quantile or equal-width, from one lazy `select`.

Only finite values shape the edges; missing values have their own bin and +/-inf fall in the
outer bins.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from scouter_flows.drift.quantiles import sorted_summaries
from scouter_flows.errors import DataError
from scouter_flows.profiles.psi import (
    Doane,
    EqualWidthBinning,
    FreedmanDiaconis,
    Manual,
    PsiBinning,
    QuantileBinning,
    Rice,
    Scott,
    SquareRoot,
    Sturges,
    TerrellScott,
)

CATEGORICAL_DTYPES = (pl.String, pl.Categorical, pl.Enum, pl.Boolean)
"""Dtypes binned (and profiled) by category rather than by value."""


def finite(name: str) -> pl.Expr:
    """The finite values of column `name` as Float64."""
    col = pl.col(name).cast(pl.Float64)
    return col.filter(col.is_finite())


def edge_exprs(name: str, binning: PsiBinning) -> list[pl.Expr]:
    """The Polars statistics `edges_from_row` needs for feature `name`, as aliased expressions
    (none for quantile binning: see `quantile_row`)."""
    if isinstance(binning, QuantileBinning):
        return []
    x = finite(name)
    exprs = [
        x.len().alias(f"{name}\x00n"),
        x.min().alias(f"{name}\x00min"),
        x.max().alias(f"{name}\x00max"),
    ]
    method = binning.method
    if isinstance(method, Doane | Scott):
        exprs.append(x.std(ddof=0).alias(f"{name}\x00std"))
    if isinstance(method, Doane):
        exprs.append(((x - x.mean()) ** 3).mean().alias(f"{name}\x00m3"))
    if isinstance(method, FreedmanDiaconis):
        # Two scalar quantiles, not one list quantile: Polars before 1.38 has no list form.
        exprs += [
            x.quantile(q, interpolation="lower").alias(f"{name}\x00{label}")
            for label, q in (("q25", 0.25), ("q75", 0.75))
        ]
    return exprs


def quantile_row(
    lf: pl.LazyFrame, names: list[str], binning: PsiBinning, *, large: bool
) -> dict[str, list[float | None]]:
    """The quantiles `edges_from_row` needs for quantile binning, keyed as it reads them."""
    if not isinstance(binning, QuantileBinning) or not names:
        return {}
    b = binning.num_bins
    found = sorted_summaries(lf, names, [k / b for k in range(1, b)], large=large, distinct=False)
    return {f"{name}\x00q": summary.quantiles for name, summary in found.items()}


def edges_from_row(name: str, row: dict[str, Any], binning: PsiBinning) -> list[float]:
    """Strictly increasing inner edges of feature `name` from the collected statistics.

    Raises:
        DataError: no finite value, or a rule that cannot bin this feature (constant data, or an
            interquartile range of 0 for Freedman-Diaconis).
    """
    if isinstance(binning, QuantileBinning):
        raw = list(row[f"{name}\x00q"])
        if raw[0] is None:
            raise DataError(f"baseline feature {name!r} has no finite value to bin")
        edges = sorted(set(raw))  # tied data gives equal quantiles: merge them
        if len(edges) == 1:
            # A constant: one bin holding exactly its value, with a bin either side, so that a
            # window that moves off it drifts instead of falling in a single catch-all bin.
            return [math.nextafter(edges[0], -math.inf), edges[0]]
        return edges
    n, low, high = row[f"{name}\x00n"], row[f"{name}\x00min"], row[f"{name}\x00max"]
    if not n:
        raise DataError(f"baseline feature {name!r} has no finite value to bin")
    rule = type(binning.method).__name__
    if high == low:
        raise DataError(
            f"baseline feature {name!r} is constant ({low}): equal-width binning ({rule}) needs "
            "a range; use QuantileBinning or leave the feature out"
        )
    k = equal_width_bin_count(name, row, binning)
    width = (high - low) / k
    return [low + i * width for i in range(1, k)]


def equal_width_bin_count(name: str, row: dict[str, Any], binning: EqualWidthBinning) -> int:
    """The number of equal-width bins the method gives (formulas as in Scouter)."""
    method = binning.method
    n = int(row[f"{name}\x00n"])
    spread = row[f"{name}\x00max"] - row[f"{name}\x00min"]
    k: float
    if isinstance(method, Manual):
        k = method.num_bins
    elif isinstance(method, SquareRoot):
        k = math.ceil(math.sqrt(n))
    elif isinstance(method, Sturges):
        k = math.ceil(math.log2(n)) + 1
    elif isinstance(method, Rice):
        k = math.ceil(2 * n ** (1 / 3))
    elif isinstance(method, TerrellScott):
        k = round((2 * n) ** (1 / 3))
    elif isinstance(method, Scott):
        k = math.ceil(spread / (3.49 * row[f"{name}\x00std"] * n ** (-1 / 3)))
    elif isinstance(method, Doane):
        std = row[f"{name}\x00std"]
        g1 = row[f"{name}\x00m3"] / std**3
        sigma_g1 = math.sqrt(6 * (n - 2) / ((n + 1) * (n + 3))) if n > 2 else math.inf
        k = round(1 + math.log2(n) + math.log2(1 + abs(g1) / sigma_g1))
    else:
        assert isinstance(method, FreedmanDiaconis)
        q25, q75 = row[f"{name}\x00q25"], row[f"{name}\x00q75"]
        iqr = q75 - q25
        if iqr == 0:
            raise DataError(
                f"baseline feature {name!r} has an interquartile range of 0: "
                "FreedmanDiaconis cannot size its bins; choose another method"
            )
        k = math.ceil(spread / (2 * iqr * n ** (-1 / 3)))
    return max(2, int(k))
