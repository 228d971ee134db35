"""SPC: exact chart parameters, the X-bar limits, every rule kind, carry-over and bad input."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gamma

from scouter_flows import DataError, Drifter, SpcDriftConfig, SpcRule
from scouter_flows.drift.spc import c4, evaluate_rules, signed_zone

CONFIG = SpcDriftConfig(space="test", name="model", rule=SpcRule())  # the rule string


@pytest.mark.parametrize("n", [2, 5, 25, 100])
def test_c4_is_exact(n: int) -> None:
    assert c4(n) == pytest.approx(math.sqrt(2 / (n - 1)) * gamma(n / 2) / gamma((n - 1) / 2))


def test_c4_for_large_subgroups_does_not_overflow() -> None:
    assert c4(100_000) == pytest.approx(1 - 1 / (4 * 100_000), rel=1e-9)


def test_profile_matches_a_numpy_x_bar_chart() -> None:
    rng = np.random.default_rng(42)
    data = rng.normal(0, 1, (1010, 2))  # 40 full subgroups of 25, 10 leftover rows
    profile = Drifter().create_drift_profile(data, CONFIG)
    groups = data[:1000].reshape(40, 25, 2)
    for i, chart in enumerate(profile.features.values()):
        assert chart.center == pytest.approx(groups[:, :, i].mean(axis=1).mean(), abs=1e-12)
        sigma = groups[:, :, i].std(axis=1, ddof=1).mean() / c4(25)
        assert chart.sigma == pytest.approx(sigma, rel=1e-12)
        assert chart.standard_error == pytest.approx(sigma / 5)
        assert chart.limits()["3_ucl"] == pytest.approx(chart.center + 3 * sigma / 5)
    assert profile.leftover_rows == 10


def test_centre_equals_scouter_reference_with_its_subgroup_size() -> None:
    rng = np.random.default_rng(42)
    ref = rng.normal(0, 1, (1000, 3))
    profile = Drifter().create_drift_profile(ref, CONFIG.model_copy(update={"sample_size": 100}))
    # shared/reference/scouter-drift.md section 7: Scouter's centre for feature 0.
    assert profile.features["feature_0"].center == pytest.approx(-0.0082714674, abs=1e-10)
    # Scouter's 1UCL - centre is its sigma, with c4 approximated in f32.
    assert profile.features["feature_0"].sigma == pytest.approx(
        1.0037260036 + 0.0082714674, rel=1e-5
    )


def test_a_one_row_tail_does_not_poison_the_limits() -> None:
    data = pl.DataFrame({"x": np.random.default_rng(1).normal(size=26)})
    profile = Drifter().create_drift_profile(data, CONFIG)
    chart = profile.features["x"]
    assert math.isfinite(chart.sigma)
    assert (chart.subgroups, profile.leftover_rows) == (1, 1)


def test_a_mean_shift_of_one_sigma_is_caught_and_clean_data_is_not() -> None:
    rng = np.random.default_rng(7)
    profile = Drifter().create_drift_profile(rng.normal(size=(5000, 1)), CONFIG)
    clean = Drifter().compute_drift(rng.normal(size=(500, 1)), profile)
    shifted = Drifter().compute_drift(rng.normal(1.0, 1.0, size=(500, 1)), profile)
    assert clean.features[0].status == "ok"
    assert shifted.features[0].status == "drift"
    assert shifted.features[0].alerts[0].kind == "out_of_bounds"
    assert shifted.features[0].alerts[0].index == 0


@pytest.mark.parametrize(
    ("z", "expected"),
    [(0.0, 0), (0.5, 1), (1.0, 1), (1.01, 2), (-2.5, -3), (3.0, 3), (3.2, 4), (-9.0, -4)],
)
def test_zones(z: float, expected: int) -> None:
    assert signed_zone(z) == expected
    assert signed_zone(math.nan) == 0


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        ([0.5] * 7 + [-0.5], []),
        ([0.5] * 8, [("consecutive", 1, 7)]),
        ([-0.5] * 8, [("consecutive", 1, 7)]),
        ([1.5, 1.5, 0.5, 1.5, 1.5, 1.5, 1.5], [("consecutive", 2, 6)]),
        ([2.5, 2.5], [("consecutive", 3, 1)]),
        ([0.0, 3.5], [("out_of_bounds", 4, 1)]),
        ([3.5, -3.5], [("out_of_bounds", 4, 0), ("out_of_bounds", 4, 1)]),
        ([2.5, -2.5, 2.5, -2.5], [("alternating", 3, 3)]),
        ([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], [("trend", None, 6)]),
        ([0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1], [("trend", None, 6)]),
    ],
)
def test_rule_kinds(z: list[float], expected: list[tuple[str, int | None, int]]) -> None:
    assert evaluate_rules(z, SpcRule()) == expected


def test_a_sustained_pattern_is_reported_once_and_again_after_it_breaks() -> None:
    z = [2.5] * 5 + [0.0] + [2.5] * 2
    assert evaluate_rules(z, SpcRule(rule="0 0 0 0 2 0 0 0")) == [
        ("consecutive", 3, 1),
        ("consecutive", 3, 7),
    ]


def test_zones_to_monitor_and_disabled_checks() -> None:
    z = [3.5] * 8
    assert evaluate_rules(z, SpcRule(zones_to_monitor=[4])) == [("out_of_bounds", 4, 0)]
    assert evaluate_rules(z, SpcRule(rule="0 0 0 0 0 0 0 0", zones_to_monitor=[1])) == []


def test_carry_over_finds_a_pattern_spanning_two_windows() -> None:
    rng = np.random.default_rng(3)
    profile = Drifter().create_drift_profile(rng.normal(size=(5000, 1)), CONFIG)
    chart = profile.features["feature_0"]
    # Subgroups of 25 identical values place each mean exactly: 1.5 SE above the centre.
    value = chart.center + 1.5 * chart.standard_error
    window = np.full((50, 1), value)  # two means in zone 2: no alert alone
    alone = Drifter().compute_drift(window, profile)
    assert alone.features[0].alerts == []
    carried = Drifter().compute_drift(window, profile, carry_over={"feature_0": [value] * 2})
    assert [(a.kind, a.zone, a.index) for a in carried.features[0].alerts] == [
        ("consecutive", 2, 1)
    ]


def test_rows_are_ordered_by_the_timestamp_column() -> None:
    start = datetime(2026, 11, 21, tzinfo=UTC)
    values = [0.0] * 25 + [5.0] * 25
    frame = pl.DataFrame(
        {
            "x": values[::-1],
            "ts": [start + timedelta(minutes=i) for i in range(50)][::-1],
        }
    )
    config = CONFIG.model_copy(update={"timestamp_column": "ts"})
    baseline = pl.DataFrame({"x": np.random.default_rng(0).normal(size=500), "ts": [start] * 500})
    result = Drifter().compute_drift(frame, Drifter().create_drift_profile(baseline, config))
    assert result.features[0].means.tolist() == [0.0, 5.0]
    assert [a.index for a in result.features[0].alerts] == [1]
    assert result.features[0].alerts[0].time == start + timedelta(minutes=49)


@pytest.mark.parametrize(
    ("rule", "message"),
    [("8 16 4 8 2 4 1", "exactly eight"), ("8 16 4 8 2 4 1 -1", "exactly eight"), ("a", "eight")],
)
def test_malformed_rules(rule: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SpcRule(rule=rule)
    with pytest.raises(ValueError, match="among 1, 2, 3, 4"):
        SpcRule(zones_to_monitor=[5])


def test_sample_size_below_two_is_rejected() -> None:
    with pytest.raises(ValueError, match="sample_size"):
        SpcDriftConfig(space="s", name="n", sample_size=1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (pl.DataFrame({"x": [1.0] * 10}), "fewer than one subgroup"),
        (pl.DataFrame({"x": ["a"] * 50}), "baseline has no numeric column to chart"),
        (pl.DataFrame({"x": [None] * 50}, schema={"x": pl.Float64}), "no subgroup without"),
    ],
)
def test_bad_baselines(data: pl.DataFrame, message: str) -> None:
    with pytest.raises(DataError, match=message):
        Drifter().create_drift_profile(data, CONFIG)


@pytest.mark.parametrize("value", [math.inf, -math.inf])
def test_infinite_values_are_rejected_naming_the_feature(value: float) -> None:
    clean = np.random.default_rng(0).normal(size=100)
    poisoned = clean.copy()
    poisoned[37] = value
    with pytest.raises(DataError, match="baseline feature 'x' has infinite values"):
        Drifter().create_drift_profile(pl.DataFrame({"x": poisoned}), CONFIG)
    profile = Drifter().create_drift_profile(pl.DataFrame({"x": clean}), CONFIG)
    with pytest.raises(DataError, match="observed data feature 'x' has infinite values"):
        Drifter().compute_drift(pl.DataFrame({"x": poisoned}), profile)


def test_missing_values_leave_the_rest_of_a_subgroup_counted() -> None:
    data = np.random.default_rng(0).normal(size=100)
    data[[3, 4, 60]] = np.nan
    profile = Drifter().create_drift_profile(pl.DataFrame({"x": data}), CONFIG)
    groups = data.reshape(4, 25)
    chart = profile.features["x"]
    assert chart.center == pytest.approx(np.nanmean(groups, axis=1).mean(), abs=1e-12)
    sigma = np.nanstd(groups, axis=1, ddof=1).mean() / c4(25)
    assert chart.sigma == pytest.approx(sigma, rel=1e-12)
    result = Drifter().compute_drift(pl.DataFrame({"x": data}), profile)
    assert result.features[0].means.tolist() == pytest.approx(np.nanmean(groups, axis=1))


def test_timestamps_must_be_zoned_and_present() -> None:
    start = datetime(2026, 11, 21)
    naive = pl.DataFrame({"x": np.arange(50.0), "ts": [start] * 50})
    config = CONFIG.model_copy(update={"timestamp_column": "ts"})
    with pytest.raises(DataError, match=r"'ts' has dtype Datetime.*expected a Datetime with a"):
        Drifter().create_drift_profile(naive, config)
    gaps = naive.with_columns(
        pl.when(pl.col("x") == 3)
        .then(None)
        .otherwise(pl.col("ts"))
        .dt.replace_time_zone("UTC")
        .alias("ts")
    )
    with pytest.raises(DataError, match="'ts' has 1 null values"):
        Drifter().create_drift_profile(gaps, config)


def test_missing_feature_in_the_window() -> None:
    profile = Drifter().create_drift_profile(pl.DataFrame({"x": np.arange(100.0)}), CONFIG)
    with pytest.raises(DataError, match="no column 'x'"):
        Drifter().compute_drift(pl.DataFrame({"y": [1.0]}), profile)


def test_profile_json_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from scouter_flows import SpcDriftProfile

    profile = Drifter().create_drift_profile(pl.DataFrame({"x": np.arange(100.0)}), CONFIG)
    loaded = SpcDriftProfile.load_from_json(profile.save_to_json(tmp_path / "spc.json"))
    assert loaded == profile


def _reference_rules(z: list[float], rule: SpcRule) -> list[tuple[str, int | None, int]]:
    """The rule definitions checked one index at a time, as the design states them."""
    zones = [signed_zone(v) for v in z]
    holding: set[tuple[str, int | None, int]] = set()
    out = []
    for i in range(len(z)):
        now: set[tuple[str, int | None, int]] = set()
        for k, (c, a) in enumerate(rule.counts(), start=1):
            if k not in rule.zones_to_monitor:
                continue
            kind = "out_of_bounds" if k == 4 else "consecutive"
            if c and i + 1 >= c:
                last = zones[i + 1 - c : i + 1]
                for side in (1, -1):
                    if all(side * v >= k for v in last):
                        now.add((kind, k, side))
            if a >= 2 and i + 1 >= a:
                last = zones[i + 1 - a : i + 1]
                if all(abs(v) >= k for v in last) and all(
                    x * y < 0 for x, y in itertools.pairwise(last)
                ):
                    now.add(("out_of_bounds" if k == 4 else "alternating", k, 0))
        if i >= 6:
            run = z[i - 6 : i + 1]
            pairs = list(itertools.pairwise(run))
            if all(b > a for a, b in pairs) or all(b < a for a, b in pairs):
                now.add(("trend", None, 0))
        out.extend((kind, zone, i) for kind, zone, _ in sorted(now - holding, key=str))
        holding = now
    return out


@settings(max_examples=200, deadline=None)
@given(
    z=st.lists(st.floats(min_value=-5, max_value=5), max_size=60),
    rule=st.lists(st.integers(min_value=0, max_value=6), min_size=8, max_size=8),
    zones=st.sets(st.integers(min_value=1, max_value=4), min_size=1),
)
def test_vectorised_rules_equal_the_definition(
    z: list[float], rule: list[int], zones: set[int]
) -> None:
    spc_rule = SpcRule(rule=" ".join(map(str, rule)), zones_to_monitor=sorted(zones))
    assert evaluate_rules(z, spc_rule) == _reference_rules(z, spc_rule)


def test_recurring_patterns_raise_one_alert_with_a_count() -> None:
    rng = np.random.default_rng(3)
    profile = Drifter().create_drift_profile(rng.normal(size=(5000, 1)), CONFIG)
    chart = profile.features["feature_0"]
    far = chart.center + 4 * chart.standard_error
    blocks = [chart.center, far, chart.center, far, chart.center, far]
    window = np.repeat(blocks, 25).reshape(-1, 1)
    (alert,) = Drifter().compute_drift(window, profile).features[0].alerts
    assert (alert.kind, alert.zone, alert.index, alert.occurrences) == ("out_of_bounds", 4, 1, 3)
