"""Mergeable statistics: partials of any partitioning merge to the result of the whole."""

from __future__ import annotations

import itertools
import math
from functools import reduce

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scouter_flows import DataError, DataProfiler, Drifter, PsiDriftConfig, SpcDriftConfig
from scouter_flows.drift.profiler import data_profile_partial
from scouter_flows.drift.psi import finalize_psi_drift, psi_partial
from scouter_flows.drift.spc import (
    finalize_spc_drift,
    finalize_spc_profile,
    spc_partial,
    spc_profile_partial,
)

_BASELINE = pl.DataFrame(
    {
        "x": np.random.default_rng(0).normal(size=2000),
        "c": np.random.default_rng(1).choice(["a", "b", "c"], 2000),
    }
)
_PROFILE = Drifter().create_drift_profile(_BASELINE, PsiDriftConfig(space="s", name="n"))

values = st.one_of(
    st.floats(min_value=-4, max_value=4),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.none(),
)
categories = st.one_of(st.sampled_from(["a", "b", "c", "unseen"]), st.none())


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(values, categories), min_size=1, max_size=300),
    cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=6),
    reverse=st.booleans(),
)
def test_psi_partials_merge_to_the_whole(
    rows: list[tuple[float | None, str | None]], cuts: list[int], reverse: bool
) -> None:
    frame = pl.DataFrame(rows, schema={"x": pl.Float64, "c": pl.String}, orient="row")
    bounds = sorted({0, len(rows), *(min(c, len(rows)) for c in cuts)})
    parts = [
        psi_partial(frame.slice(lo, hi - lo).lazy(), _PROFILE)
        for lo, hi in itertools.pairwise(bounds)
    ]
    merged = reduce(lambda a, b: a.merge(b), parts[::-1] if reverse else parts)
    whole = psi_partial(frame.lazy(), _PROFILE)
    assert merged == whole  # counts are exact
    got = finalize_psi_drift(merged, _PROFILE)
    expected = finalize_psi_drift(whole, _PROFILE)
    for a, b in zip(got.features, expected.features, strict=True):
        assert a.status == b.status
        assert (a.value is None and b.value is None) or a.value == pytest.approx(b.value, abs=1e-9)


def test_partials_of_different_profiles_do_not_merge() -> None:
    other = Drifter().create_drift_profile(
        _BASELINE.rename({"x": "y"}), PsiDriftConfig(space="s", name="n")
    )
    left = psi_partial(_BASELINE.lazy(), _PROFILE)
    right = psi_partial(_BASELINE.rename({"x": "y"}).lazy(), other)
    with pytest.raises(DataError, match="cannot merge PSI partials of different features"):
        left.merge(right)


def test_partials_are_json_for_mapped_tasks() -> None:
    part = psi_partial(_BASELINE.lazy(), _PROFILE)
    assert type(part).model_validate_json(part.model_dump_json()) == part


_SPC_CONFIG = SpcDriftConfig(space="s", name="n", sample_size=5, timestamp_column="ts")
_SPC_BASELINE = pl.DataFrame(
    {
        "x": np.random.default_rng(2).normal(size=500),
        "ts": pl.datetime_range(
            pl.datetime(2026, 11, 1, time_zone="UTC"),
            pl.datetime(2026, 11, 1, time_zone="UTC") + pl.duration(seconds=499),
            "1s",
            eager=True,
        ),
    }
)
_SPC_PROFILE = Drifter().create_drift_profile(_SPC_BASELINE, _SPC_CONFIG)


def _spc_frame(values: list[float | None]) -> pl.DataFrame:
    return pl.DataFrame({"x": values}, schema={"x": pl.Float64}).with_columns(
        ts=pl.datetime_range(
            pl.datetime(2026, 11, 2, time_zone="UTC"),
            pl.datetime(2026, 11, 2, time_zone="UTC") + pl.duration(seconds=len(values) - 1),
            "1s",
            eager=True,
        )
    )


spc_values = st.one_of(st.floats(min_value=-4, max_value=4), st.just(math.nan), st.none())


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(spc_values, min_size=1, max_size=80),
    cuts=st.lists(st.integers(min_value=0, max_value=80), max_size=6),
)
def test_spc_partials_of_any_cut_merge_to_the_whole(
    values: list[float | None], cuts: list[int]
) -> None:
    frame = _spc_frame(values)
    bounds = sorted({0, len(values), *(min(c, len(values)) for c in cuts)})
    parts = [
        spc_partial(frame.slice(lo, hi - lo).lazy(), _SPC_PROFILE, offset=lo)
        for lo, hi in itertools.pairwise(bounds)
    ]
    merged = reduce(lambda a, b: a.merge(b), parts)
    whole = spc_partial(frame.lazy(), _SPC_PROFILE)
    assert merged == whole  # subgroup means are computed from the same values in the same order
    assert finalize_spc_drift(merged, _SPC_PROFILE) == finalize_spc_drift(whole, _SPC_PROFILE)

    baseline = frame.with_columns(pl.col("x").fill_null(0.5))
    profile_parts = [
        spc_profile_partial(baseline.slice(lo, hi - lo).lazy(), _SPC_CONFIG, offset=lo)
        for lo, hi in itertools.pairwise(bounds)
    ]
    merged_profile = reduce(lambda a, b: a.merge(b), profile_parts)
    whole_profile = spc_profile_partial(baseline.lazy(), _SPC_CONFIG)
    assert merged_profile.mean_count == whole_profile.mean_count
    assert merged_profile.std_count == whole_profile.std_count
    for field in ("mean_sum", "std_sum"):
        for name, total in getattr(whole_profile, field).items():
            assert getattr(merged_profile, field)[name] == pytest.approx(total, abs=1e-9)
    assert (merged_profile.rows, merged_profile.leftover_rows) == (
        whole_profile.rows,
        whole_profile.leftover_rows,
    )


def test_spc_profile_from_partials_equals_one_pass() -> None:
    parts = [
        spc_profile_partial(_SPC_BASELINE.slice(lo, 123).lazy(), _SPC_CONFIG, offset=lo)
        for lo in range(0, 500, 123)
    ]
    merged = reduce(lambda a, b: a.merge(b), parts)
    profile = finalize_spc_profile(merged, _SPC_CONFIG)
    for name, chart in profile.features.items():
        assert chart.center == pytest.approx(_SPC_PROFILE.features[name].center, abs=1e-12)
        assert chart.sigma == pytest.approx(_SPC_PROFILE.features[name].sigma, rel=1e-12)


def test_spc_partials_must_be_adjacent() -> None:
    left = spc_partial(_SPC_BASELINE.slice(0, 100).lazy(), _SPC_PROFILE)
    right = spc_partial(_SPC_BASELINE.slice(200, 100).lazy(), _SPC_PROFILE, offset=200)
    with pytest.raises(DataError, match="must be adjacent"):
        left.merge(right)


def test_spc_partials_are_json_for_mapped_tasks() -> None:
    part = spc_partial(_SPC_BASELINE.slice(3, 101).lazy(), _SPC_PROFILE, offset=3)
    assert type(part).model_validate_json(part.model_dump_json()) == part


@settings(max_examples=50, deadline=None)
@given(
    rows=st.lists(st.tuples(values, categories), min_size=1, max_size=200),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=5),
)
def test_data_profile_partials_merge_to_the_whole(
    rows: list[tuple[float | None, str | None]], cuts: list[int]
) -> None:
    frame = pl.DataFrame(rows, schema={"x": pl.Float64, "c": pl.String}, orient="row")
    bounds = sorted({0, len(rows), *(min(c, len(rows)) for c in cuts)})
    parts = [
        data_profile_partial(frame.slice(lo, hi - lo)) for lo, hi in itertools.pairwise(bounds)
    ]
    merged = reduce(lambda a, b: a.merge(b), parts)
    whole = data_profile_partial(frame)
    assert merged.categorical == whole.categorical  # counts are exact
    got, expected = merged.numeric["x"], whole.numeric["x"]
    assert (got.finite, got.missing, got.infinite, got.min, got.max) == (
        expected.finite,
        expected.missing,
        expected.infinite,
        expected.min,
        expected.max,
    )
    if expected.mean is None:
        assert got.mean is None
    else:
        assert got.mean == pytest.approx(expected.mean, abs=1e-9)
        assert got.m2 == pytest.approx(expected.m2, abs=1e-9)
    profile = DataProfiler().create_data_profile(frame)
    assert profile.features["x"].numeric is not None
    assert profile.features["x"].numeric.std == (
        None if got.std is None else pytest.approx(got.std, abs=1e-9)
    )
