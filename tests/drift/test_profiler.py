"""DataProfiler: statistics against numpy, NaN that poisons nothing, categories, correlations."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from scouter_flows import DataError, DataProfile, DataProfiler


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    rng = np.random.default_rng(5)
    x = rng.normal(10, 2, 1000)
    return pl.DataFrame(
        {
            "x": x,
            "y": 3 * x + rng.normal(0, 1, 1000),
            "n": rng.integers(0, 50, 1000),
            "c": rng.choice(["a", "b", "c"], 1000, p=[0.6, 0.3, 0.1]),
        }
    )


def test_numeric_statistics_match_numpy(frame: pl.DataFrame) -> None:
    profile = DataProfiler().create_data_profile(frame, bin_size=10)
    x = frame["x"].to_numpy()
    summary = profile.features["x"].numeric
    assert summary is not None
    assert summary.mean == pytest.approx(x.mean(), rel=1e-12)
    assert summary.std == pytest.approx(x.std(ddof=1), rel=1e-12)
    assert (summary.min, summary.max) == (x.min(), x.max())
    for label, q in {"p1": 0.01, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p99": 0.99}.items():
        assert summary.quantiles[label] == pytest.approx(np.quantile(x, q), rel=1e-12)
    assert summary.histogram is not None
    expected, _ = np.histogram(x, bins=10, range=(x.min(), x.max()))
    assert summary.histogram.counts == expected.tolist()
    assert sum(summary.histogram.counts) == 1000  # the maximum is counted
    assert profile.features["n"].distinct == len(np.unique(frame["n"].to_numpy()))


def test_nan_and_inf_in_one_column_do_not_poison_another(frame: pl.DataFrame) -> None:
    clean = DataProfiler().create_data_profile(frame)
    dirty_x = frame["x"].to_numpy().copy()
    dirty_x[:10] = np.nan
    dirty_x[10:12] = np.inf
    dirty = DataProfiler().create_data_profile(frame.with_columns(x=dirty_x))
    assert dirty.features["y"] == clean.features["y"]
    x = dirty.features["x"]
    assert (x.missing, x.count) == (10, 990)
    assert x.numeric is not None
    assert x.numeric.infinite == 2
    assert x.numeric.mean == pytest.approx(np.mean(dirty_x[12:]))
    assert x.numeric.histogram is not None
    assert sum(x.numeric.histogram.counts) == 988


def test_categorical_top_categories(frame: pl.DataFrame) -> None:
    c = DataProfiler().create_data_profile(frame, top_categories=2).features["c"]
    counts = frame["c"].value_counts(sort=True)
    assert [t.value for t in c.top_categories] == counts["c"].head(2).to_list()
    assert c.top_categories[0].share == pytest.approx(counts["count"][0] / 1000)
    assert (c.kind, c.distinct, c.missing) == ("categorical", 3, 0)


def test_correlations(frame: pl.DataFrame) -> None:
    profile = DataProfiler().create_data_profile(frame, compute_correlations=True)
    assert profile.correlations is not None
    r = np.corrcoef(frame["x"].to_numpy(), frame["y"].to_numpy())[0, 1]
    assert profile.correlations["x"]["y"] == pytest.approx(r, rel=1e-9)
    assert profile.correlations["y"]["x"] == profile.correlations["x"]["y"]
    assert "c" not in profile.correlations


def test_profile_round_trips_and_frames(frame: pl.DataFrame) -> None:
    profile = DataProfiler().create_data_profile(frame, compute_correlations=True)
    assert DataProfile.model_validate_json(profile.model_dump_json()) == profile
    table = profile.to_polars()
    assert table["feature"].to_list() == ["x", "y", "n", "c"]
    assert table.filter(pl.col("feature") == "c")["mean"].to_list() == [None]


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        (pl.DataFrame({"x": []}, schema={"x": pl.Float64}), {}, "data is empty"),
        (pl.DataFrame({"x": [1.0]}), {"bin_size": 0}, "bin_size must be at least 1"),
        (pl.DataFrame({"t": [pl.date(2026, 1, 1)]}).select("t"), {}, "cannot profile columns"),
    ],
)
def test_bad_input(data: pl.DataFrame, kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(DataError, match=message):
        DataProfiler().create_data_profile(data, **kwargs)  # type: ignore[arg-type]
