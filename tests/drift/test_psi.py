"""PSI: values against Scouter's published reference, binning edge cases, thresholds, bad input."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats

from scouter_flows import (
    DataError,
    Drifter,
    PsiChiSquareThreshold,
    PsiDriftConfig,
    PsiFixedThreshold,
    PsiNormalThreshold,
    QuantileBinning,
)
from scouter_flows.drift.psi import psi

CONFIG = PsiDriftConfig(space="test", name="model")


def test_quantile_edges_equal_numpy(dataset_a: tuple[np.ndarray, np.ndarray]) -> None:
    ref, _ = dataset_a
    profile = Drifter().create_drift_profile(ref, CONFIG)
    expected = np.quantile(ref[:, 0], [k / 10 for k in range(1, 10)])
    np.testing.assert_allclose(profile.features["feature_0"].edges, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("num_bins", "expected"),
    [
        (10, (0.02126379, 0.08597241, 0.18120249)),
        (5, (0.009632, 0.076684, 0.093480)),
        (20, (0.044226, 0.118628, 0.275359)),
    ],
)
def test_psi_matches_scouter_reference_values(
    dataset_a: tuple[np.ndarray, np.ndarray], num_bins: int, expected: tuple[float, ...]
) -> None:
    ref, cur = dataset_a
    config = CONFIG.model_copy(update={"binning": QuantileBinning(num_bins=num_bins)})
    result = Drifter().compute_drift(cur, Drifter().create_drift_profile(ref, config))
    digits = 8 if num_bins == 10 else 6
    for feature, value in zip(result.features, expected, strict=True):
        assert feature.value == pytest.approx(value, abs=0.5 * 10**-digits)


def test_psi_equals_formula_on_independent_numpy_bins(
    dataset_a: tuple[np.ndarray, np.ndarray],
) -> None:
    ref, cur = dataset_a
    result = Drifter().compute_drift(cur, Drifter().create_drift_profile(ref, CONFIG))
    for i, feature in enumerate(result.features):
        edges = np.quantile(ref[:, i], np.arange(1, 10) / 10)
        p = np.bincount(np.searchsorted(edges, ref[:, i], side="left"), minlength=10) / 1000
        q = np.bincount(np.searchsorted(edges, cur[:, i], side="left"), minlength=10) / 1000
        eps = 1e-10
        assert feature.value == pytest.approx(
            float(np.sum((q - p) * np.log((q + eps) / (p + eps)))), abs=1e-12
        )


def test_chi_square_threshold_uses_both_sample_sizes(
    dataset_a: tuple[np.ndarray, np.ndarray],
) -> None:
    ref, cur = dataset_a
    result = Drifter().compute_drift(cur[:400], Drifter().create_drift_profile(ref, CONFIG))
    m = 1 / (1 / 400 + 1 / 1000)
    assert result.features[0].threshold == pytest.approx(stats.chi2.ppf(0.95, 9) / m, rel=1e-12)
    assert [f.status for f in result.features] == ["ok", "drift", "drift"]


def test_normal_and_fixed_thresholds(dataset_a: tuple[np.ndarray, np.ndarray]) -> None:
    ref, cur = dataset_a
    normal = CONFIG.model_copy(update={"threshold": PsiNormalThreshold(alpha=0.05)})
    result = Drifter().compute_drift(cur, Drifter().create_drift_profile(ref, normal))
    m = 1 / (1 / 1000 + 1 / 1000)
    z = stats.norm.ppf(0.95)
    assert result.features[0].threshold == pytest.approx((9 + z * math.sqrt(18)) / m)
    fixed = CONFIG.model_copy(update={"threshold": PsiFixedThreshold(threshold=0.1)})
    result = Drifter().compute_drift(cur, Drifter().create_drift_profile(ref, fixed))
    assert [f.status for f in result.features] == ["ok", "ok", "drift"]


def test_false_alarm_rate_is_calibrated_under_no_drift() -> None:
    rng = np.random.default_rng(3)
    profile = Drifter().create_drift_profile(
        rng.normal(size=(1000, 1)), CONFIG.model_copy(update={"threshold": PsiChiSquareThreshold()})
    )
    flags = sum(
        Drifter().compute_drift(rng.normal(size=(1000, 1)), profile).has_drift for _ in range(300)
    )
    # Scouter's threshold flags about half of these windows; alpha = 0.05 means about 15 of 300.
    assert 3 <= flags <= 30


def test_tied_quantiles_are_merged_into_non_empty_bins() -> None:
    values = [0.0] * 700 + list(np.linspace(1, 10, 300))
    profile = Drifter().create_drift_profile(pl.DataFrame({"x": values}), CONFIG)
    feature = profile.features["x"]
    assert len(feature.edges) == len(set(feature.edges))
    assert all(c > 0 for c in feature.counts[:-1])
    result = Drifter().compute_drift(pl.DataFrame({"x": values}), profile)
    assert result.features[0].value == pytest.approx(0.0, abs=1e-12)
    assert result.features[0].effective_bins == len(feature.edges) + 1


def test_missing_and_infinite_values_have_bins() -> None:
    baseline = pl.DataFrame({"x": [float(i) for i in range(1000)]})
    profile = Drifter().create_drift_profile(baseline, CONFIG)
    observed = pl.DataFrame(
        {
            "x": [float(i) for i in range(900)]
            + [None] * 50
            + [float("nan")] * 30
            + [float("inf")] * 10
            + [float("-inf")] * 10
        }
    )
    feature = Drifter().compute_drift(observed, profile).features[0]
    assert feature.observed_rows == 1000
    assert feature.missing_rate == pytest.approx(0.08)
    assert sum(feature.observed_proportions) == pytest.approx(1.0)
    assert feature.observed_proportions[0] > 0.1  # -inf counted in the first bin


def test_categorical_features_have_other_and_missing_bins() -> None:
    baseline = pl.DataFrame({"c": ["a"] * 500 + ["b"] * 500, "flag": [True, False] * 500})
    profile = Drifter().create_drift_profile(baseline, CONFIG)
    assert profile.features["c"].categories == ["a", "b"]
    assert profile.features["flag"].kind == "categorical"
    observed = pl.DataFrame({"c": ["a"] * 400 + ["z"] * 100 + [None] * 100, "flag": [True] * 600})
    result = Drifter().compute_drift(observed, profile)
    c = result.features[0]
    assert c.unseen_rate == pytest.approx(1 / 6)
    assert c.missing_rate == pytest.approx(1 / 6)
    assert c.observed_proportions == pytest.approx([4 / 6, 0, 1 / 6, 1 / 6])
    assert c.effective_bins == 2
    assert c.status == "drift"


@pytest.mark.parametrize("categories", [5, 200, 100_000])
def test_many_categories_are_counted_like_a_few(categories: int) -> None:
    """Past FUSED_CATEGORIES the bins are counted by a group-by: the same proportions, in
    time linear in the rows however many categories there are."""
    from collections import Counter

    rng = np.random.default_rng(categories)
    baseline = pl.DataFrame({"c": [f"v{i}" for i in rng.integers(0, categories, 200_000)]})
    profile = Drifter().create_drift_profile(baseline, CONFIG)
    window = [f"v{i}" for i in rng.integers(0, categories + 10, 50_000)] + [None] * 500
    result = Drifter().compute_drift(pl.DataFrame({"c": window}), profile)
    seen = Counter(window)
    known = profile.features["c"].categories
    counts = [seen[c] for c in known]
    expected = [*counts, len(window) - 500 - sum(counts), 500]
    assert result.features[0].observed_proportions == pytest.approx(
        [n / len(window) for n in expected], abs=1e-15
    )
    at_baseline = Counter(baseline["c"].to_list())
    assert profile.features["c"].counts == [*(at_baseline[c] for c in known), 0, 0]


def test_numeric_column_listed_as_categorical() -> None:
    baseline = pl.DataFrame({"n": [1, 2, 3, 4] * 250})
    config = CONFIG.model_copy(update={"categorical_features": ["n"]})
    profile = Drifter().create_drift_profile(baseline, config)
    assert profile.features["n"].categories == ["1", "2", "3", "4"]
    assert Drifter().compute_drift(baseline, profile).features[0].value == 0.0


def test_too_few_rows_is_insufficient_data_not_skipped(
    dataset_a: tuple[np.ndarray, np.ndarray],
) -> None:
    ref, cur = dataset_a
    result = Drifter().compute_drift(cur[:99], Drifter().create_drift_profile(ref, CONFIG))
    assert [f.status for f in result.features] == ["insufficient_data"] * 3
    assert all(f.value is not None for f in result.features)


def test_psi_of_identical_distributions_is_zero() -> None:
    assert psi([0.25, 0.25, 0.5, 0.0], [0.25, 0.25, 0.5, 0.0]) == 0.0


def test_results_as_polars(dataset_a: tuple[np.ndarray, np.ndarray]) -> None:
    ref, cur = dataset_a
    frame = Drifter().compute_drift(cur, Drifter().create_drift_profile(ref, CONFIG)).to_polars()
    assert frame.columns[:4] == ["feature", "value", "threshold", "status"]
    assert frame.height == 3


@pytest.mark.parametrize(
    ("baseline", "observed", "message"),
    [
        (pl.DataFrame({"x": [1.0, 2.0]}), pl.DataFrame({"y": [1.0]}), "no column 'x'"),
        (pl.DataFrame({"x": [1.0, 2.0]}), pl.DataFrame({"x": ["a"]}), "'x' has dtype String"),
        (
            pl.DataFrame({"x": [1.0, 2.0]}),
            pl.DataFrame({"x": []}, schema={"x": pl.Float64}),
            "observed data is empty",
        ),
    ],
)
def test_bad_observed_data(baseline: pl.DataFrame, observed: pl.DataFrame, message: str) -> None:
    profile = Drifter().create_drift_profile(baseline, CONFIG)
    with pytest.raises(DataError, match=message):
        Drifter().compute_drift(observed, profile)


@pytest.mark.parametrize(
    ("baseline", "config", "message"),
    [
        (pl.DataFrame({"x": []}, schema={"x": pl.Float64}), CONFIG, "empty"),
        (pl.DataFrame({"x": [None, None]}, schema={"x": pl.Float64}), CONFIG, "no finite value"),
        (
            pl.DataFrame({"x": [1.0]}),
            CONFIG.model_copy(update={"features_to_monitor": ["q"]}),
            "no column 'q'",
        ),
        (
            pl.DataFrame({"t": [pl.datetime(2026, 1, 1)]}).select(pl.col("t")),
            CONFIG,
            "PSI cannot bin",
        ),
        ([], CONFIG, "empty list"),
        (42, CONFIG, "unsupported data type"),
        ({}, CONFIG, "empty mapping"),
    ],
)
def test_bad_baseline(baseline: object, config: PsiDriftConfig, message: str) -> None:
    with pytest.raises(DataError, match=message):
        Drifter().create_drift_profile(baseline, config)


def test_duplicate_pandas_columns_are_rejected() -> None:
    import pandas as pd

    frame = pd.DataFrame([[1.0, 2.0]], columns=["a", "a"])
    with pytest.raises(DataError, match=r"duplicate column names: \['a'\]"):
        Drifter().create_drift_profile(frame, CONFIG)


@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.1, 1.5])
def test_alpha_outside_open_unit_interval_is_rejected(alpha: float) -> None:
    with pytest.raises(ValueError, match="alpha"):
        PsiChiSquareThreshold(alpha=alpha)


def test_inputs_of_every_kind_give_the_same_profile() -> None:
    import pandas as pd
    import pyarrow as pa

    frame = pl.DataFrame({"feature_0": np.arange(100.0), "feature_1": np.arange(100.0) ** 2})
    expected = Drifter().create_drift_profile(frame, CONFIG).features
    for data in (
        frame.lazy(),
        frame.to_pandas(),
        pa.Table.from_pandas(pd.DataFrame(frame.to_dict(as_series=False))),
        frame.to_numpy(),
        frame.to_dicts(),
    ):
        assert Drifter().create_drift_profile(data, CONFIG).features == expected


def test_importance_weighted_overall_psi(dataset_a: tuple[np.ndarray, np.ndarray]) -> None:
    ref, cur = dataset_a
    weights = {"feature_0": 3.0, "feature_1": 1.0, "feature_2": 0.0}
    config = CONFIG.model_copy(update={"feature_importances": weights})
    result = Drifter().compute_drift(cur, Drifter().create_drift_profile(ref, config))
    values = {f.feature: f.value for f in result.features}
    expected = (3 * values["feature_0"] + values["feature_1"]) / 4
    assert result.weighted_psi == pytest.approx(expected)
    plain = Drifter().compute_drift(cur, Drifter().create_drift_profile(ref, CONFIG))
    assert plain.weighted_psi is None


@pytest.mark.parametrize(
    ("weights", "message"),
    [({"a": -1.0}, "finite and >= 0"), ({"a": 0.0}, "must not all be 0")],
)
def test_bad_feature_importances(weights: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CONFIG.model_validate({**CONFIG.model_dump(), "feature_importances": weights})


def test_importances_of_unmonitored_features_are_rejected() -> None:
    config = CONFIG.model_copy(update={"feature_importances": {"nope": 1.0}})
    with pytest.raises(DataError, match=r"not monitored: \['nope'\]"):
        Drifter().create_drift_profile(pl.DataFrame({"x": [1.0, 2.0]}), config)


def test_a_constant_baseline_drifts_as_soon_as_the_window_moves_off_its_value() -> None:
    baseline = pl.DataFrame({"x": [3.0] * 2_000, "y": [float(i % 50) for i in range(2_000)]})
    profile = Drifter().create_drift_profile(baseline, PsiDriftConfig(space="s", name="n"))
    feature = profile.features["x"]
    assert feature.edges == [math.nextafter(3.0, -math.inf), 3.0]
    assert feature.counts == [0, 2_000, 0, 0]  # below, the value itself, above, missing
    rng = np.random.default_rng(7)
    moved = Drifter().compute_drift(
        pl.DataFrame({"x": rng.normal(3.0, 1.0, 1_000), "y": rng.integers(0, 50, 1_000) * 1.0}),
        profile,
    )
    (x,) = [f for f in moved.features if f.feature == "x"]
    assert (x.status, x.threshold, x.effective_bins) == ("drift", 0.0, 1)
    assert x.value is not None
    assert x.value > 10
    same = Drifter().compute_drift(
        pl.DataFrame({"x": [3.0] * 1_000, "y": rng.integers(0, 50, 1_000) * 1.0}), profile
    )
    (x,) = [f for f in same.features if f.feature == "x"]
    assert (x.status, x.value) == ("ok", 0.0)
    nudged = Drifter().compute_drift(
        pl.DataFrame({"x": [3.0] * 990 + [3.5] * 10, "y": [1.0] * 1_000}), profile
    )
    assert [f.status for f in nudged.features if f.feature == "x"] == ["drift"]
