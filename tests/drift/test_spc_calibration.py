"""The default SPC judgement alerts on a stated share of clean windows, whatever their length,
and still catches a sustained half-standard-error shift."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from scouter_flows import Drifter, SpcDriftConfig, SpcDriftProfile
from scouter_flows.drift.cusum import calibrated_limits, cusum_paths
from scouter_flows.profiles.spc import SpcFeatureProfile, SpcRule

N = 25
WINDOWS = 1_000


def _profile(features: int, **config: object) -> SpcDriftProfile:
    chart = SpcFeatureProfile(center=0.0, sigma=1.0, sample_size=N, subgroups=10_000)
    return SpcDriftProfile(
        config=SpcDriftConfig(space="s", name="n", sample_size=N, **config),  # type: ignore[arg-type]
        features={f"x{i}": chart for i in range(features)},
        baseline_rows=N * 10_000,
        leftover_rows=0,
    )


def _alert_rate(subgroups: int, shift_se: float, seed: int, **config: object) -> float:
    """Share of WINDOWS independent windows (one per feature) that alert."""
    rng = np.random.default_rng(seed)
    shift = shift_se / np.sqrt(N)  # standard errors of a subgroup mean, in raw units
    values = rng.standard_normal((subgroups * N, WINDOWS)) + shift
    frame = pl.DataFrame(values, schema=[f"x{i}" for i in range(WINDOWS)])
    result = Drifter().compute_drift(frame, _profile(WINDOWS, **config))
    return sum(f.status == "drift" for f in result.features) / WINDOWS


@pytest.mark.parametrize("subgroups", [200, 10])
def test_clean_windows_alert_at_about_alpha_per_feature(subgroups: int) -> None:
    assert 0.02 <= _alert_rate(subgroups, 0.0, seed=subgroups) <= 0.09


def test_a_sustained_half_se_shift_over_200_subgroups_is_caught() -> None:
    assert _alert_rate(200, 0.5, seed=3) >= 0.95


def test_the_rule_string_keeps_its_per_subgroup_meaning_and_alarms_on_long_clean_windows() -> None:
    # What the calibrated default fixes: the same clean windows, judged by the rule string.
    assert _alert_rate(200, 0.0, seed=200, rule=SpcRule()) > 0.5


def test_an_explicit_rule_string_selects_the_rules_and_the_default_is_calibrated() -> None:
    assert SpcDriftConfig(space="s", name="n").method == "calibrated"
    assert SpcDriftConfig(space="s", name="n", rule=SpcRule(rule="8 16 4 8 2 4 1 1")).method == (
        "rules"
    )
    stored_before = {"space": "s", "name": "n", "rule": {"rule": "8 16 4 8 2 4 1 1"}}
    assert SpcDriftConfig.model_validate(stored_before).method == "rules"


def test_cusum_paths_follow_the_recursion() -> None:
    z = np.random.default_rng(1).standard_normal(500)
    upper, lower = cusum_paths(z)
    s_plus = s_minus = 0.0
    for i, value in enumerate(z):
        s_plus, s_minus = max(0.0, s_plus + value - 0.25), max(0.0, s_minus - value - 0.25)
        assert upper[i] == pytest.approx(s_plus)
        assert lower[i] == pytest.approx(s_minus)


def test_limits_grow_with_the_window_and_are_cached() -> None:
    short, long = calibrated_limits(10, 0.05), calibrated_limits(1_000, 0.05)
    assert short.h < long.h
    assert short.single_mean < long.single_mean
    assert calibrated_limits(10, 0.05) is short


def test_the_alert_names_the_kind_and_the_subgroup_where_it_fired() -> None:
    rng = np.random.default_rng(5)
    values = rng.standard_normal(200 * N)
    values[100 * N :] += 1.0 / np.sqrt(N) * 1.0  # a 1 SE shift from subgroup 100 on
    profile = _profile(1)
    result = Drifter().compute_drift(pl.DataFrame({"x0": values}), profile)
    (feature,) = result.features
    assert feature.status == "drift"
    cusum = next(a for a in feature.alerts if a.kind == "cusum")
    assert 100 <= cusum.index < 200
    assert cusum.limit == calibrated_limits(200, 0.05, 0, 10_000).h
    assert feature.limit == calibrated_limits(200, 0.05, 0, 10_000).single_mean


def test_carry_over_lets_the_calibrated_chart_see_a_shift_that_spans_two_windows() -> None:
    profile = _profile(1)
    se = 1.0 / np.sqrt(N)
    # Means at the centre, but 1.5 SE above it for the last 6 subgroups of one window and the
    # first 6 of the next: neither half alone is enough evidence, together they are.
    first = np.zeros(100 * N)
    first[94 * N :] += 1.5 * se
    second = np.zeros(100 * N)
    second[: 6 * N] += 1.5 * se
    before = Drifter().compute_drift(pl.DataFrame({"x0": first}), profile)
    carried = {"x0": before.features[0].means.tolist()}
    alone = Drifter().compute_drift(pl.DataFrame({"x0": second}), profile)
    joined = Drifter().compute_drift(pl.DataFrame({"x0": second}), profile, carry_over=carried)
    assert before.features[0].alerts == []
    assert alone.features[0].alerts == []
    (cusum,) = [a for a in joined.features[0].alerts if a.kind == "cusum"]
    assert cusum.index < 6
