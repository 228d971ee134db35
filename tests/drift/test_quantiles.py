"""Exact quantiles: the bracketing pass and the selection (PSI edges) and the sort (data
profile) give numpy's values, bit for bit."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from scouter_flows.drift import quantiles, selection
from scouter_flows.drift.quantiles import sorted_summaries

VALUES = st.lists(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True, width=64),
        st.sampled_from([0.0, 1.0, -1.0, 2.5]),  # ties
    ),
    min_size=0,
    max_size=300,
)
BINS = st.integers(min_value=2, max_value=40)


@settings(max_examples=300, deadline=None)
@given(values=VALUES, bins=BINS)
def test_selected_and_sorted_quantiles_are_numpys_bit_for_bit(
    values: list[float], bins: int
) -> None:
    probabilities = [k / bins for k in range(1, bins)]
    frame = pl.DataFrame({"x": values}, schema={"x": pl.Float64})
    array = np.asarray(values, dtype=np.float64)
    finite = array[np.isfinite(array)]
    expected = np.quantile(finite, probabilities, method="linear").tolist() if finite.size else None
    for distinct in (False, True):
        found = sorted_summaries(frame.lazy(), ["x"], probabilities, large=False, distinct=distinct)
        summary = found["x"]
        assert summary.finite == finite.size
        if expected is None:
            assert summary.quantiles == [None] * len(probabilities)
        else:
            assert summary.quantiles == expected  # equal floats, not close ones
    assert found["x"].distinct == len(set(array[~np.isnan(array)].tolist()))


def test_a_large_column_is_selected_the_same_way() -> None:
    rng = np.random.default_rng(11)
    values = np.concatenate([rng.normal(size=200_001), np.full(1000, 0.25), [np.inf, np.nan]])
    kept = values.copy()
    frame = pl.DataFrame({"x": values})
    probabilities = [k / 10 for k in range(1, 10)]
    selected = sorted_summaries(frame.lazy(), ["x"], probabilities, large=True, distinct=False)
    finite = values[np.isfinite(values)]
    assert selected["x"].quantiles == np.quantile(finite, probabilities).tolist()
    assert selected["x"].distinct is None
    assert np.array_equal(values, kept, equal_nan=True)  # the input is left as it was


@settings(max_examples=300, deadline=None)
@given(values=VALUES, bins=BINS, sample=st.integers(min_value=2, max_value=64))
def test_the_bracketing_pass_gives_numpys_quantiles_or_hands_the_column_back(
    values: list[float], bins: int, sample: int
) -> None:
    """With a tiny sample and no minimum length, every shape of data goes through the pass."""
    probabilities = [k / bins for k in range(1, bins)]
    array = np.asarray(values, dtype=np.float64)
    finite = array[np.isfinite(array)]
    frame = pl.DataFrame({"x": values}, schema={"x": pl.Float64})
    with patch.object(selection, "SAMPLE", sample), patch.object(quantiles, "MIN_ROWS", 0):
        answer = selection.bracket_quantiles(frame, ["x"], probabilities)["x"]
        summary = sorted_summaries(frame.lazy(), ["x"], probabilities, large=False, distinct=False)[
            "x"
        ]
    expected = np.quantile(finite, probabilities).tolist() if finite.size else None
    assert summary.quantiles == (expected or [None] * len(probabilities))
    if answer is not None:  # settled by the pass: exactly numpy's
        assert answer == (expected or [None] * len(probabilities), finite.size)


def test_million_row_columns_of_every_shape_are_settled_exactly() -> None:
    rng = np.random.default_rng(5)
    n = 1_000_000
    columns = {
        "normal": rng.normal(size=n),
        "ties": rng.integers(0, 4, size=n).astype(np.float64),
        "holes": np.where(rng.random(n) < 0.1, np.nan, rng.exponential(size=n)),
        "infinite": np.where(rng.random(n) < 0.05, np.inf, rng.normal(size=n)),
        "constant": np.full(n, 3.25),
        "nothing": np.full(n, np.nan),
    }
    frame = pl.DataFrame(columns).with_columns(
        ints=pl.Series(rng.integers(-5, 5, size=n)),
        nulls=pl.Series(np.where(rng.random(n) < 0.2, None, rng.normal(size=n)).tolist()),
    )
    probabilities = [k / 10 for k in range(1, 10)]
    found = sorted_summaries(
        frame.lazy(), frame.columns, probabilities, large=False, distinct=False
    )
    for name in frame.columns:
        values = frame[name].cast(pl.Float64).to_numpy()
        finite = values[np.isfinite(values)]
        expected = np.quantile(finite, probabilities).tolist() if finite.size else None
        assert found[name].quantiles == (expected or [None] * 9), name
        assert found[name].finite == finite.size


def test_data_arranged_against_the_sample_is_selected_whole_and_stays_exact() -> None:
    n = 1 << 20
    values = np.random.default_rng(9).normal(size=n)
    step = n // selection.SAMPLE
    values[::step] = -1000.0 - np.arange(values[::step].size)  # the sample sees only outliers
    frame = pl.DataFrame({"x": values})
    probabilities = [k / 10 for k in range(1, 10)]
    assert selection.bracket_quantiles(frame, ["x"], probabilities)["x"] is None
    found = sorted_summaries(frame.lazy(), ["x"], probabilities, large=False, distinct=False)
    assert found["x"].quantiles == np.quantile(values, probabilities).tolist()
