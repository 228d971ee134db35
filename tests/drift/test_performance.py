"""Model performance checked against scikit-learn, merged partials, late labels, bad input."""

from __future__ import annotations

from functools import reduce

import numpy as np
import polars as pl
import pytest
from sklearn import metrics as sk

from scouter_flows import DataError
from scouter_flows.drift.performance import (
    compute_performance,
    finalize_performance,
    performance_partial,
)


@pytest.fixture(scope="module")
def binary() -> pl.DataFrame:
    rng = np.random.default_rng(11)
    label = rng.integers(0, 2, 2000)
    score = np.clip(label * 0.3 + rng.random(2000) * 0.7, 0, 1).round(2)  # ties on purpose
    return pl.DataFrame({"id": np.arange(2000), "label": label, "score": score}).with_columns(
        prediction=(pl.col("score") > 0.5).cast(pl.Int64)
    )


def test_binary_metrics_equal_scikit_learn(binary: pl.DataFrame) -> None:
    got = compute_performance(binary, task="binary", score="score")
    y, p, s = binary["label"], binary["prediction"], binary["score"]
    assert got["accuracy"] == pytest.approx(sk.accuracy_score(y, p), abs=1e-12)
    assert got["precision"] == pytest.approx(sk.precision_score(y, p), abs=1e-12)
    assert got["recall"] == pytest.approx(sk.recall_score(y, p), abs=1e-12)
    assert got["f1"] == pytest.approx(sk.f1_score(y, p), abs=1e-12)
    assert got["roc_auc"] == pytest.approx(sk.roc_auc_score(y, s), abs=1e-12)
    assert got["log_loss"] == pytest.approx(sk.log_loss(y, s), abs=1e-9)


def test_multiclass_macro_metrics_equal_scikit_learn() -> None:
    rng = np.random.default_rng(3)
    y = rng.choice(["cat", "dog", "eel"], 1500)
    p = np.where(rng.random(1500) < 0.7, y, rng.choice(["cat", "dog", "eel"], 1500))
    got = compute_performance({"label": y, "prediction": p}, task="multiclass")
    assert got["accuracy"] == pytest.approx(sk.accuracy_score(y, p), abs=1e-12)
    for name, fn in (("precision", sk.precision_score), ("recall", sk.recall_score)):
        assert got[name] == pytest.approx(fn(y, p, average="macro"), abs=1e-12)
    assert got["f1"] == pytest.approx(sk.f1_score(y, p, average="macro"), abs=1e-12)


def test_regression_metrics_equal_scikit_learn() -> None:
    rng = np.random.default_rng(4)
    y = rng.normal(50, 10, 1000)
    p = y + rng.normal(0, 3, 1000)
    got = compute_performance({"label": y, "prediction": p}, task="regression")
    assert got["mae"] == pytest.approx(sk.mean_absolute_error(y, p), rel=1e-12)
    assert got["mse"] == pytest.approx(sk.mean_squared_error(y, p), rel=1e-12)
    assert got["rmse"] == pytest.approx(np.sqrt(sk.mean_squared_error(y, p)), rel=1e-12)
    assert got["mape"] == pytest.approx(sk.mean_absolute_percentage_error(y, p), rel=1e-12)
    assert got["r2"] == pytest.approx(sk.r2_score(y, p), rel=1e-9)


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_partials_merge_to_the_whole(binary: pl.DataFrame, task: str) -> None:
    kwargs = {"score": "score"} if task == "binary" else {}
    frame = binary if task == "binary" else binary.with_columns(pl.col("score").alias("label"))
    parts = [
        performance_partial(frame.slice(i, 300), task=task, **kwargs)  # type: ignore[arg-type]
        for i in range(0, frame.height, 300)
    ]
    merged = finalize_performance(reduce(lambda a, b: a.merge(b), parts))
    whole = finalize_performance(performance_partial(frame, task=task, **kwargs))  # type: ignore[arg-type]
    assert merged.keys() == whole.keys()
    for key, value in whole.items():
        assert merged[key] == pytest.approx(value, abs=1e-9)


def test_late_labels_are_joined_on_the_id(binary: pl.DataFrame) -> None:
    predictions = binary.select("id", "prediction", "score")
    labels = binary.select("id", "label").head(1500).sample(fraction=1.0, shuffle=True, seed=1)
    partial = performance_partial(
        predictions, task="binary", score="score", labels=labels, id_column="id"
    )
    assert (partial.rows, partial.unlabelled) == (1500, 500)
    head = binary.head(1500)
    assert finalize_performance(partial)["accuracy"] == pytest.approx(
        sk.accuracy_score(head["label"], head["prediction"])
    )


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        ({"label": [2, 1], "prediction": [1, 0]}, {}, r"binary column 'label' must hold 0/1"),
        ({"label": [1, 0], "prediction": [1, 0], "s": [1.5, 0.1]}, {"score": "s"}, r"in \[0, 1\]"),
        ({"label": [1, 0]}, {}, "data has no column 'prediction'"),
    ],
)
def test_bad_input(data: dict[str, list[float]], kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(DataError, match=message):
        compute_performance(data, task="binary", **kwargs)  # type: ignore[arg-type]


def test_undefined_metrics_are_none() -> None:
    got = compute_performance(
        {"label": [1, 1], "prediction": [1, 1], "s": [0.9, 0.8]}, task="binary", score="s"
    )
    assert got["roc_auc"] is None  # one class only
    assert (
        compute_performance({"label": [3.0], "prediction": [3.0]}, task="regression")["r2"] is None
    )


def test_performance_is_monitored_as_custom_metrics(binary: pl.DataFrame) -> None:
    from scouter_flows import CustomMetric, CustomMetricDriftConfig, Drifter
    from scouter_flows.drift.custom import finalize_custom_drift
    from scouter_flows.drift.performance import performance_as_custom

    profile = Drifter().create_drift_profile(
        [
            CustomMetric(name="accuracy", baseline_value=0.95, alert_threshold="Below", delta=0.02),
            CustomMetric(name="roc_auc", baseline_value=0.5, alert_threshold="Below"),
        ],
        CustomMetricDriftConfig(space="s", name="perf", sample_size=100),
    )
    partial = performance_partial(binary, task="binary", score="score")
    result = finalize_custom_drift(performance_as_custom(partial, profile), profile)
    accuracy, auc = result.metrics
    assert accuracy.value == pytest.approx(finalize_performance(partial)["accuracy"])
    assert (accuracy.status, auc.status) == ("drift", "ok")
    small = performance_partial(binary.head(50), task="binary", score="score")
    assert {
        m.status
        for m in finalize_custom_drift(performance_as_custom(small, profile), profile).metrics
    } == {"insufficient_data"}
    wrong = Drifter().create_drift_profile(
        [CustomMetric(name="mae", baseline_value=1.0, alert_threshold="Above")],
        CustomMetricDriftConfig(space="s", name="perf"),
    )
    with pytest.raises(DataError, match=r"also names \['mae'\]"):
        performance_as_custom(partial, wrong)
