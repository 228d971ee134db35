"""SPC over a whole frame, as Scouter charts one: string columns are left out (named in a
warning), a constant column is charted and flags any mean off its value."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from scouter_flows import DataError, Drifter, SpcDriftConfig, SpcRule

RNG = np.random.default_rng(5)
BASELINE = pl.DataFrame(
    {"x": RNG.normal(0, 1, 1000), "colour": ["red"] * 1000, "k": [0.1] * 1000, "z": [0.0] * 1000}
)


@pytest.mark.parametrize(
    "config", [SpcDriftConfig(), SpcDriftConfig(rule=SpcRule())], ids=["calibrated", "rules"]
)
def test_a_frame_with_strings_and_constants_is_charted(config: SpcDriftConfig) -> None:
    with pytest.warns(UserWarning, match=r"baseline columns \['colour'\] are not charted"):
        profile = Drifter().create_drift_profile(BASELINE, config)
    assert list(profile.features) == ["x", "k", "z"]
    assert profile.features["k"].sigma == 0.0
    assert profile.features["z"].sigma == 0.0
    clean = Drifter().compute_drift(BASELINE.drop("colour"), profile)
    assert {f.feature: f.status for f in clean.features} == {"x": "ok", "k": "ok", "z": "ok"}
    window = BASELINE.with_columns(
        k=pl.Series([0.1] * 999 + [0.11]), z=pl.Series([0.0] * 500 + [-1e-6] * 500)
    )
    judged = {f.feature: f for f in Drifter().compute_drift(window, profile).features}
    assert (judged["x"].status, judged["k"].status, judged["z"].status) == ("ok", "drift", "drift")
    assert judged["k"].alerts[0].index == 39  # the subgroup holding the changed value
    assert "out_of_bounds" in {a.kind for a in judged["k"].alerts}


def test_named_features_stay_strict() -> None:
    config = SpcDriftConfig(features_to_monitor=["x", "colour"])
    with pytest.raises(DataError, match="feature 'colour' has dtype String"):
        Drifter().create_drift_profile(BASELINE, config)
