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

from scouter_flows import DataError, Drifter, PsiDriftConfig
from scouter_flows.drift.psi import finalize_psi_drift, psi_partial

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
