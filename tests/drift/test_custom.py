"""Custom metrics: strict rules with an absolute delta, minimum sample size, partials, errors."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from functools import reduce

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scouter_flows import (
    AlertThreshold,
    ConfigError,
    CustomDriftProfile,
    CustomMetric,
    CustomMetricDriftConfig,
    DataError,
    Drifter,
)
from scouter_flows.drift.custom import CustomPartial, custom_partial, finalize_custom_drift

CONFIG = CustomMetricDriftConfig(space="s", name="n", sample_size=3)


@pytest.mark.parametrize(
    ("threshold", "delta", "value", "fires"),
    [
        ("Above", 2.0, 12.0, False),  # Scouter's observed boundary: 12.0 does not fire
        ("Above", 2.0, 12.1, True),
        ("Above", None, 10.0, False),
        ("Above", None, 10.01, True),
        ("Below", 2.0, 8.0, False),
        ("Below", 2.0, 7.9, True),
        ("Outside", 2.0, 12.0, False),
        ("Outside", 2.0, 7.99, True),
        ("Outside", None, 10.0, False),
        ("Outside", None, 10.5, True),
    ],
)
def test_rules_are_strict_with_an_absolute_delta(
    threshold: str, delta: float | None, value: float, fires: bool
) -> None:
    metric = CustomMetric(
        name="m", baseline_value=10.0, alert_threshold=AlertThreshold(threshold), delta=delta
    )
    assert metric.breached(value) is fires
    result = Drifter().compute_drift(
        {"m": [value] * 3}, Drifter().create_drift_profile([metric], CONFIG)
    )
    assert result.metrics[0].status == ("drift" if fires else "ok")
    assert result.metrics[0].value == pytest.approx(value)


def test_scouter_spellings_are_accepted() -> None:
    metric = CustomMetric.model_validate(
        {"name": "mae", "value": 1.5, "threshold": "Above", "alert_threshold_value": 0.1}
    )
    assert (metric.baseline_value, metric.alert_threshold, metric.delta) == (
        1.5,
        AlertThreshold.Above,
        0.1,
    )
    # 0.1.0 read alert_threshold_value as the side: that spelling still works, with a warning.
    with pytest.warns(DeprecationWarning, match="alert_threshold_value= naming the side"):
        old = CustomMetric.model_validate(
            {"name": "mae", "value": 1.5, "alert_threshold_value": "Above", "delta": 0.1}
        )
    assert old == metric


def test_window_value_is_the_mean_of_finite_observations() -> None:
    profile = Drifter().create_drift_profile(
        [
            CustomMetric(name="a", baseline_value=1.0, alert_threshold="Above"),
            CustomMetric(name="b", baseline_value=1.0, alert_threshold="Below"),
        ],
        CONFIG,
    )
    data = pl.DataFrame(
        {"a": [1.0, 2.0, 3.0, None, float("nan")], "b": [1.0, None, None, None, 2.0]}
    )
    result = Drifter().compute_drift(data, profile)
    a, b = result.metrics
    assert (a.value, a.observations, a.status) == (2.0, 3, "drift")
    assert (b.value, b.observations, b.status) == (None, 2, "insufficient_data")
    assert result.to_polars()["status"].to_list() == ["drift", "insufficient_data"]


def test_infinite_observations_are_rejected_naming_the_metric() -> None:
    profile = Drifter().create_drift_profile(
        [CustomMetric(name="latency", baseline_value=1.0, alert_threshold="Above")], CONFIG
    )
    data = pl.DataFrame({"latency": [1.0, float("inf"), 2.0]})
    with pytest.raises(DataError, match="'latency' has 1 infinite values"):
        Drifter().compute_drift(data, profile)


def test_partials_merge_to_the_whole() -> None:
    profile = Drifter().create_drift_profile(
        [CustomMetric(name="a", baseline_value=0.0, alert_threshold="Outside", delta=1.0)], CONFIG
    )
    data = pl.DataFrame({"a": [0.5, 1.5, None, 2.5, -0.25, 3.0, float("nan")]})
    parts = [custom_partial(data.slice(i, 2).lazy(), profile) for i in range(0, 7, 2)]
    merged = reduce(lambda x, y: x.merge(y), parts)
    whole = custom_partial(data.lazy(), profile)
    assert merged.counts == whole.counts
    assert merged.sums["a"] == pytest.approx(whole.sums["a"], abs=1e-9)
    assert finalize_custom_drift(merged, profile) == finalize_custom_drift(whole, profile)


def test_profile_json_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    profile = Drifter().create_drift_profile(
        [CustomMetric(name="a", baseline_value=0.5, alert_threshold="Below", delta=0.1)], CONFIG
    )
    assert CustomDriftProfile.load_from_json(profile.save_to_json(tmp_path / "c.json")) == profile


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"delta": -1.0}, "delta must be a finite number >= 0"),
        ({"baseline_value": float("nan")}, "baseline_value must be finite"),
        ({"alert_threshold": "Sideways"}, "alert_threshold"),
        ({"name": " "}, "must not be empty"),
    ],
)
def test_bad_metrics(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"name": "m", "baseline_value": 1.0, "alert_threshold": "Above"}
    with pytest.raises(ValueError, match=message):
        CustomMetric.model_validate({**base, **kwargs})


def test_bad_profiles_and_data() -> None:
    metric = CustomMetric(name="m", baseline_value=1.0, alert_threshold="Above")
    with pytest.raises(ConfigError, match="non-empty list of CustomMetric"):
        Drifter().create_drift_profile([], CONFIG)
    with pytest.raises(ConfigError, match=r"repeated: \['m'\]"):
        Drifter().create_drift_profile([metric, metric], CONFIG)
    profile = Drifter().create_drift_profile([metric], CONFIG)
    with pytest.raises(DataError, match="no column for metric 'm'"):
        Drifter().compute_drift({"x": [1.0]}, profile)
    with pytest.raises(DataError, match="metric column 'm' has dtype String"):
        Drifter().compute_drift({"m": ["1.0"]}, profile)


@pytest.mark.parametrize("parts", [1, 3, 7])
@pytest.mark.parametrize("value", [0.92, 0.1, 1 / 3, 123.456])
def test_identical_observations_on_the_boundary_do_not_drift(parts: int, value: float) -> None:
    # A float sum of thirty 0.92 has the mean 0.9200000000000007, above the boundary.
    profile = Drifter().create_drift_profile(
        [CustomMetric(name="m", baseline_value=value, alert_threshold="Above")],
        CustomMetricDriftConfig(space="s", name="n", sample_size=1),
    )
    data = pl.DataFrame({"m": [value] * 30})
    size = -(-30 // parts)
    partials = [custom_partial(data.slice(i, size).lazy(), profile) for i in range(0, 30, size)]
    result = finalize_custom_drift(reduce(lambda x, y: x.merge(y), partials), profile)
    (metric,) = result.metrics
    assert metric.value == value
    assert metric.status == "ok"


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=False, width=64),
            st.floats(min_value=-1e-300, max_value=1e-300),  # subnormals and tiny values
            st.none(),
        ),
        max_size=60,
    ),
    cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=5),
)
def test_merged_partials_equal_the_whole_window_exactly(
    values: list[float | None], cuts: list[int]
) -> None:
    profile = Drifter().create_drift_profile(
        [CustomMetric(name="m", baseline_value=0.0, alert_threshold="Outside", delta=1.0)],
        CustomMetricDriftConfig(space="s", name="n", sample_size=1),
    )
    data = pl.DataFrame({"m": values}, schema={"m": pl.Float64})
    bounds = sorted({0, len(values), *(c for c in cuts if c <= len(values))})
    parts = [
        custom_partial(data.slice(a, b - a).lazy(), profile) for a, b in itertools.pairwise(bounds)
    ] or [custom_partial(data.lazy(), profile)]
    merged = reduce(lambda x, y: x.merge(y), parts)
    whole = custom_partial(data.lazy(), profile)
    finite = [v for v in values if v is not None and math.isfinite(v)]
    assert merged == whole
    assert whole.sums["m"] == sum(map(Fraction, finite), Fraction(0))
    assert CustomPartial.model_validate_json(merged.model_dump_json()) == merged
    if finite:
        (metric,) = finalize_custom_drift(merged, profile).metrics
        assert metric.value == float(sum(map(Fraction, finite)) / len(finite))
