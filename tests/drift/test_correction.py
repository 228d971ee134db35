"""Family-wise control over a profile's features: Holm and Benjamini-Hochberg as one level per
window, checked against adjusted p-values and by the false-alarm rate over clean windows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from pydantic import ValidationError
from scipy import stats

from scouter_flows import Drifter, PsiDriftConfig
from scouter_flows.drift.psi import PsiPartial, family_alpha, finalize_psi_drift
from scouter_flows.profiles.psi import Correction, PsiDriftProfile, PsiFixedThreshold
from scouter_flows.profiles.results import PsiDriftResult
from scouter_flows.sources.sample import generate_sample_data, sample_frame


def holm_adjusted(p: np.ndarray) -> np.ndarray:
    """Holm's adjusted p-values: the running maximum of (k - i + 1) p_(i), capped at 1."""
    order = np.argsort(p)
    k = len(p)
    adjusted = np.maximum.accumulate((k - np.arange(k)) * p[order]).clip(max=1.0)
    out = np.empty(k)
    out[order] = adjusted
    return out


@pytest.mark.parametrize("correction", ["holm", "bh"])
def test_one_level_flags_what_the_adjusted_p_values_flag(correction: Correction) -> None:
    rng = np.random.default_rng(3)
    for _ in range(2_000):
        k = int(rng.integers(1, 12))
        # A mix of true effects (small p) and nulls (uniform p).
        p = np.where(rng.random(k) < 0.3, rng.random(k) * 0.02, rng.random(k))
        alpha = float(rng.choice([0.01, 0.05, 0.1]))
        adjusted = holm_adjusted(p) if correction == "holm" else stats.false_discovery_control(p)
        level = family_alpha(list(p), alpha, correction)
        assert list(p <= level) == list(adjusted <= alpha), (p, alpha)


def test_no_correction_keeps_alpha() -> None:
    assert family_alpha([0.001, 0.5], 0.05, "none") == 0.05
    assert family_alpha([], 0.05, "holm") == 0.05


def clean_windows_with_a_false_alarm(
    correction: Correction, windows: int = 600, rows: int = 5_000
) -> float:
    """Share of no-drift windows in which the 8-feature sample profile flags anything: the
    baseline and every window drawn from the same bin probabilities, as the threshold models."""
    rng = np.random.default_rng(11)
    config = PsiDriftConfig(space="s", name="clean", correction=correction)
    template = Drifter().create_drift_profile(sample_frame(20_000, rng), config)
    assert isinstance(template, PsiDriftProfile)
    alarms = 0
    for _ in range(windows):
        features, counts = {}, {}
        for name, feature in template.features.items():
            p = np.array(feature.proportions())
            features[name] = feature.model_copy(
                update={"counts": rng.multinomial(feature.rows, p).tolist()}
            )
            counts[name] = rng.multinomial(rows, p).tolist()
        profile = template.model_copy(update={"features": features})
        result = finalize_psi_drift(PsiPartial(rows=rows, counts=counts), profile)
        alarms += result.has_drift
    return alarms / windows


def test_holm_and_bh_hold_the_profile_false_alarm_rate_near_alpha() -> None:
    # Per feature alpha = 0.05 over 8 features: 1 - 0.95^8 = 34 % of clean windows alarm.
    # 600 windows: a binomial standard error of about 0.9 points at 5 %, 1.9 at 34 %.
    uncorrected = clean_windows_with_a_false_alarm("none")
    assert 0.27 < uncorrected < 0.41
    for correction in ("holm", "bh"):
        assert clean_windows_with_a_false_alarm(correction) < 0.08


def test_the_demos_unshifted_feature_is_no_longer_flagged(tmp_path: Path) -> None:
    data = generate_sample_data(tmp_path)
    drifter = Drifter()
    window = data.day_window(data.days - 1)
    logs = pl.scan_parquet(data.logs_glob).filter(
        pl.col("timestamp").is_between(*window, closed="left")
    )
    verdicts: dict[str, PsiDriftResult] = {}
    corrections: tuple[Correction, ...] = ("none", "holm")
    for correction in corrections:
        config = PsiDriftConfig(space="credit", name="demo", correction=correction)
        profile = drifter.create_drift_profile(data.baseline, config)
        result = drifter.compute_drift(logs.drop("timestamp"), profile)
        assert isinstance(result, PsiDriftResult)
        verdicts[correction] = result
    assert "tenure_months" in verdicts["none"].drifted  # a false alarm at 5 % per feature
    assert sorted(verdicts["holm"].drifted) == ["country", "credit_score", "income"]
    holm = verdicts["holm"]
    assert holm.feature_alpha is not None
    assert holm.feature_alpha < 0.05
    for feature in holm.features:  # the stored rule still reads PSI > threshold
        assert feature.value is not None
        assert feature.threshold is not None
        assert (feature.status == "drift") == (feature.value > feature.threshold)
        assert feature.p_value is not None


def test_a_correction_needs_an_alpha_threshold() -> None:
    with pytest.raises(ValidationError, match="correction='holm' needs a threshold with an alpha"):
        PsiDriftConfig(space="s", name="n", correction="holm", threshold=PsiFixedThreshold())
    with pytest.raises(ValidationError, match="correction"):
        PsiDriftConfig(space="s", name="n", correction="bonferroni")  # type: ignore[arg-type]
