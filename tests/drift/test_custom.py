"""Custom metrics: strict rules with an absolute delta, minimum sample size, partials, errors."""

from __future__ import annotations

from functools import reduce

import polars as pl
import pytest

from scouter_flows import (
    AlertThreshold,
    ConfigError,
    CustomDriftProfile,
    CustomMetric,
    CustomMetricDriftConfig,
    DataError,
    Drifter,
)
from scouter_flows.drift.custom import custom_partial, finalize_custom_drift

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
        {"name": "mae", "value": 1.5, "alert_threshold_value": "Above", "delta": 0.1}
    )
    assert (metric.baseline_value, metric.alert_threshold) == (1.5, AlertThreshold.Above)


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
