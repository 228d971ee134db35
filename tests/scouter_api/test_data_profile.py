"""Data profiles read in Scouter's shape: `features[f].numeric_stats` and `.string_stats`."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from scouter_flows import DataProfiler
from scouter_flows.profiles.data_profile import DataProfile


@pytest.fixture
def frame() -> pl.DataFrame:
    rng = np.random.default_rng(11)
    return pl.DataFrame(
        {
            "x": rng.normal(10, 2, 1000),
            "y": rng.integers(0, 5, 1000).astype(float),
            "colour": rng.choice(["red", "blue", "green", "violet"], 1000, p=[0.4, 0.3, 0.2, 0.1]),
        }
    )


def test_numeric_stats_in_scouters_shape(frame: pl.DataFrame) -> None:
    profile = DataProfiler().create_data_profile(frame, bin_size=20)
    x = frame["x"].to_numpy()
    stats = profile.features["x"].numeric_stats
    assert stats is not None
    assert stats.mean == pytest.approx(x.mean(), rel=1e-12)
    assert stats.stddev == pytest.approx(x.std(ddof=1), rel=1e-12)
    assert (stats.min, stats.max) == (x.min(), x.max())
    assert stats.quantiles.q25 == pytest.approx(np.quantile(x, 0.25), rel=1e-12)
    assert stats.quantiles.q99 == pytest.approx(np.quantile(x, 0.99), rel=1e-12)
    assert stats.histogram is not None
    assert len(stats.histogram.bins) == len(stats.histogram.bin_counts) == 20
    assert stats.histogram.bins[0] == x.min()
    assert sum(stats.histogram.bin_counts) == 1000
    y = profile.features["y"].numeric_stats
    assert y is not None
    assert (y.distinct.count, y.distinct.percent) == (5, 5 / 1000)
    assert profile.features["colour"].numeric_stats is None


def test_string_stats_in_scouters_shape(frame: pl.DataFrame) -> None:
    profile = DataProfiler().create_data_profile(frame)
    colour = profile.features["colour"].string_stats
    assert colour is not None
    values = frame["colour"].to_list()
    # Scouter writes a string feature's distinct percent out of 100
    assert (colour.distinct.count, colour.distinct.percent) == (4, 100 * 4 / 1000)
    lengths = sorted(len(v) for v in values)
    assert colour.char_stats is not None
    assert (colour.char_stats.min_length, colour.char_stats.max_length) == (3, 6)
    assert colour.char_stats.median_length == lengths[len(lengths) // 2]
    assert colour.char_stats.mean_length == pytest.approx(sum(lengths) / len(lengths))
    assert colour.word_stats.words["red"].count == values.count("red")
    assert colour.word_stats.words["red"].percent == values.count("red") / 1000
    assert profile.features["x"].string_stats is None


def test_data_profiles_save_and_load_json(
    frame: pl.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = DataProfiler().create_data_profile(frame, compute_correlations=True)
    monkeypatch.chdir(tmp_path)
    path = profile.save_to_json()
    assert path == Path("data_profile.json")
    assert os.path.exists(tmp_path / "data_profile.json")
    again = DataProfile.model_validate_json(path.read_text())
    assert again == profile
    assert again.correlations is not None
    assert again.correlations["x"]["x"] == pytest.approx(1.0)


def test_each_feature_reads_its_row_of_the_correlations(frame: pl.DataFrame) -> None:
    from scouter_flows.profiles.data_profile import DataProfile

    profile = DataProfiler().create_data_profile(frame, compute_correlations=True)
    assert profile.correlations is not None
    x = profile.features["x"].correlations
    assert x == {"y": profile.correlations["x"]["y"]}
    assert x["y"] == pytest.approx(np.corrcoef(frame["x"], frame["y"])[0, 1], rel=1e-9)
    assert profile.features["colour"].correlations is None  # not numeric
    again = DataProfile.model_validate_json(profile.model_dump_json())
    assert again.features["y"].correlations == profile.features["y"].correlations
    assert DataProfiler().create_data_profile(frame).features["x"].correlations is None
