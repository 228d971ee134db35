"""Equal-width binning rules: Scouter's bin counts and PSI values where the bins are the same."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from scouter_flows import DataError, Drifter, PsiDriftConfig
from scouter_flows.profiles.psi import (
    Doane,
    EqualWidthBinning,
    EqualWidthMethod,
    FreedmanDiaconis,
    Manual,
    Rice,
    Scott,
    SquareRoot,
    Sturges,
    TerrellScott,
)

# shared/reference/scouter-drift.md section 7: Scouter's bins and PSI on dataset A.
SCOUTER = [
    (Manual(num_bins=10), (10, 10, 10), (0.021296, 0.137249, 0.298933)),
    (SquareRoot(), (32, 32, 32), (0.064219, 0.348040, 0.409287)),
    (Sturges(), (11, 11, 11), (0.031519, 0.138733, 0.309585)),
    (Rice(), (20, 20, 20), (0.048060, 0.168362, 0.357967)),
    (Doane(), (11, 12, 11), (0.031519, 0.123892, 0.309585)),
    (Scott(), (18, 20, 17), (0.058268, 0.168362, 0.349785)),
    (TerrellScott(), (13, 13, 13), (0.049166, 0.126825, 0.358241)),
    (FreedmanDiaconis(), (23, 28, 22), (0.060139, 0.302511, 0.378816)),
]


@pytest.mark.parametrize(("method", "bins", "values"), SCOUTER, ids=lambda v: str(v)[:20])
def test_equal_width_rules_match_scouter(
    dataset_a: tuple[np.ndarray, np.ndarray],
    method: EqualWidthMethod,
    bins: tuple[int, ...],
    values: tuple[float, ...],
) -> None:
    ref, cur = dataset_a
    config = PsiDriftConfig(space="s", name="n", binning=EqualWidthBinning(method=method))
    profile = Drifter().create_drift_profile(ref, config)
    result = Drifter().compute_drift(cur, profile)
    for feature, expected_bins, expected_psi, got in zip(
        profile.features.values(), bins, values, result.features, strict=True
    ):
        assert all(c > 0 for c in feature.counts[:-1])
        if len(feature.edges) + 1 == expected_bins:
            assert got.value == pytest.approx(expected_psi, abs=5e-7)
        else:
            # Scouter keeps empty baseline bins; merging them is the only difference, and it
            # removes the spurious ~23 * q each empty bin adds.
            assert len(feature.edges) + 1 < expected_bins
            assert got.value is not None
            assert got.value < expected_psi


def test_default_method_is_doane() -> None:
    assert isinstance(EqualWidthBinning().method, Doane)


@pytest.mark.parametrize(
    ("data", "method", "message"),
    [
        ([3.0] * 100, Doane(), r"is constant \(3.0\): equal-width binning \(Doane\)"),
        ([0.0] * 80 + list(range(1, 21)), FreedmanDiaconis(), "interquartile range of 0"),
        ([None] * 5, Sturges(), "no finite value"),
    ],
)
def test_rules_that_cannot_bin_a_feature_say_so(
    data: list[float | None], method: EqualWidthMethod, message: str
) -> None:
    config = PsiDriftConfig(space="s", name="n", binning=EqualWidthBinning(method=method))
    with pytest.raises(DataError, match=message):
        Drifter().create_drift_profile(pl.DataFrame({"x": data}, schema={"x": pl.Float64}), config)
