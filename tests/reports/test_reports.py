"""Each kind of report, rendered, opened offline in headless Chromium and counted mark by mark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from scouter_flows import Drifter, PsiDriftConfig, SpcDriftConfig, Store, Window
from scouter_flows.profiles.custom import CustomDriftProfile, CustomMetric, CustomMetricDriftConfig
from scouter_flows.reports import (
    drift_report,
    eval_report,
    history_report,
    stored_eval_report,
    stored_run_report,
)
from scouter_flows.reports.drift import bin_names, rule_breaks
from scouter_flows.reports.evaluation import MAX_ROWS
from tests.reports.browser import Opened, open_report

MIB = 1024 * 1024
DAY = datetime(2026, 11, 2, tzinfo=UTC)


def _window(day: int) -> Window:
    return Window(DAY + timedelta(days=day), DAY + timedelta(days=day + 1))


def _open(browser: Any, report: Any, tmp_path: Path, name: str) -> Opened:
    page = report.write(tmp_path / f"{name}.html")
    opened = open_report(browser, page, tmp_path / f"{name}.png")
    assert opened.console_errors == []
    assert opened.requests == []
    assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    return opened


def _psi_inputs(features: int = 6, rows: int = 4000) -> tuple[Any, Any]:
    rng = np.random.default_rng(7)
    names = [f"f{i:02d}" for i in range(features)]
    baseline = pl.DataFrame({n: rng.normal(0, 1, rows) for n in names}).with_columns(
        colour=pl.Series(rng.choice(["red", "green", "blue"], rows))
    )
    shifted = {n: rng.normal(1.0 if i < 2 else 0.0, 1, rows) for i, n in enumerate(names)}
    current = pl.DataFrame(shifted).with_columns(
        colour=pl.Series(rng.choice(["red", "green", "blue", "mauve"], rows))
    )
    profile = Drifter().create_drift_profile(
        baseline, PsiDriftConfig(space="credit", name="scorer", version="1")
    )
    return profile, Drifter().compute_drift(current, profile)


def test_psi_report_shows_bins_and_psi_drifted_first(browser: Any, tmp_path: Path) -> None:
    profile, result = _psi_inputs()
    report = drift_report(profile, result, window=_window(0), run_id=3)
    opened = _open(browser, report, tmp_path, "psi")
    page = opened.page
    features = len(result.features)
    assert opened.marks("values", "figure.headline") == features
    assert opened.marks("thresholds", "figure.headline") == features
    headings = page.locator("section h2").all_inner_texts()
    drifted = set(result.drifted)
    assert {"f00", "f01"} <= drifted
    flags = [h.split()[0] in drifted for h in headings]
    assert flags == sorted(flags, reverse=True)
    for i, heading in enumerate(headings):
        bins = len(bin_names(profile.features[heading.split()[0]]))
        assert opened.marks("bins", f"section#section-{i}") == 2 * bins
    assert page.locator("nav.toc a").count() == features
    assert "drift" in page.locator("h1 .badge").inner_text()


def test_a_psi_report_of_50_features_stays_under_one_mib(tmp_path: Path) -> None:
    profile, result = _psi_inputs(features=50, rows=20_000)
    size = report_size(drift_report(profile, result), tmp_path)
    assert size < MIB, f"{size} bytes"


def report_size(report: Any, tmp_path: Path) -> int:
    return report.write(tmp_path / "sized.html").stat().st_size


def _spc_inputs() -> tuple[Any, Any]:
    rng = np.random.default_rng(3)
    baseline = pl.DataFrame({"latency": rng.normal(100, 10, 5000), "size": rng.normal(5, 1, 5000)})
    profile = Drifter().create_drift_profile(
        baseline, SpcDriftConfig(space="svc", name="api", version="2", sample_size=25)
    )
    latency = rng.normal(100, 10, 2500)
    latency[1500:] += 12  # a step the chart must catch
    current = pl.DataFrame({"latency": latency, "size": rng.normal(5, 1, 2500)})
    return profile, Drifter().compute_drift(current, profile)


def test_spc_report_draws_means_zones_limits_and_the_breaks(browser: Any, tmp_path: Path) -> None:
    profile, result = _spc_inputs()
    report = drift_report(profile, result, window=_window(0))
    opened = _open(browser, report, tmp_path, "spc")
    assert result.drifted == ["latency"]
    latency = next(f for f in result.features if f.feature == "latency")
    baseline = profile.features["latency"]
    breaks = rule_breaks(latency, baseline.center, baseline.standard_error)
    section = "section#section-0"
    assert opened.page.locator(f"{section} h2").inner_text().startswith("latency")
    assert 0 < len(breaks) < latency.subgroups
    assert opened.marks("breaks", section) == len(breaks)
    assert opened.marks("means", section) == 1  # one line through every mean
    assert opened.marks("zones", section) == 6  # +/- zones 1, 2 and 3
    assert opened.marks("limits", section) == 7  # the centre and +/- 1, 2, 3 SE
    # The breaks table lists each rule that completed.
    assert opened.page.locator(f"{section} table tbody tr").count() == len(latency.alerts)


def test_custom_report_draws_each_value_against_its_bounds(browser: Any, tmp_path: Path) -> None:
    profile = CustomDriftProfile(
        config=CustomMetricDriftConfig(space="s", name="kpi", sample_size=1),
        metrics={
            "accuracy": CustomMetric(
                name="accuracy", baseline_value=0.9, alert_threshold="Below", delta=0.02
            ),
            "latency": CustomMetric(
                name="latency", baseline_value=100.0, alert_threshold="Outside", delta=20
            ),
            "cost": CustomMetric(name="cost", baseline_value=1.0, alert_threshold="Above"),
        },
    )
    result = Drifter().compute_drift(
        pl.DataFrame({"accuracy": [0.8, 0.84], "latency": [90.0, 95.0], "cost": [0.5, 0.7]}),
        profile,
    )
    opened = _open(browser, drift_report(profile, result), tmp_path, "custom")
    assert opened.marks("value", "figure.headline") == 3
    assert opened.marks("baseline", "figure.headline") == 3
    assert opened.marks("bounds", "figure.headline") == 3
    headings = opened.page.locator("section h2").all_inner_texts()
    assert headings[0].startswith("accuracy")  # the one breach first
    assert "breach below 0.88" in opened.page.locator("section#section-0").inner_text()


def _eval_rows(fail_every: int, records: int = 300) -> pl.DataFrame:
    tasks = ["format", "tone", "grounded"]
    rows = [
        (
            f"r{r:04d}",
            t,
            "fail" if t == "tone" and r % fail_every == 0 else "skipped" if r == 1 else "pass",
            f"record {r} was curt" if t == "tone" and r % fail_every == 0 else None,
        )
        for r in range(records)
        for t in tasks
    ]
    return pl.DataFrame(rows, schema=["record_id", "task_id", "status", "message"], orient="row")


def test_eval_report_shows_pass_rates_failures_and_the_baseline(
    browser: Any, tmp_path: Path
) -> None:
    current, baseline = _eval_rows(fail_every=1), _eval_rows(fail_every=3)
    report = eval_report(current, baseline, title="support-bot")
    opened = _open(browser, report, tmp_path, "eval")
    page = opened.page
    assert opened.marks("rates", "figure.headline") == 3
    assert opened.marks("baselines", "figure.headline") == 3
    failing = current.filter(pl.col("status") == "fail").height
    assert failing > MAX_ROWS
    assert page.locator("section#section-1 tbody tr").count() == MAX_ROWS
    assert f"{failing - MAX_ROWS:,} more failing" in page.locator("section#section-1").inner_text()
    tasks = page.locator("section#tasks").inner_text()
    assert "tone" in tasks
    assert "0.0%" in tasks
    baseline_text = page.locator("section#baseline").inner_text()
    newly = baseline.filter((pl.col("status") == "pass") & (pl.col("task_id") == "tone")).height
    assert f"newly failing\n{newly:,}\n" in baseline_text
    assert report.status == "fail"


def test_eval_report_of_a_clean_run_passes() -> None:
    report = eval_report(_eval_rows(fail_every=10**9).filter(pl.col("task_id") != "tone"))
    assert report.status == "pass"
    assert "Every judged result passed." in report.html()


def test_stored_runs_report_as_they_did_in_memory(store_url: str, tmp_path: Path) -> None:
    psi_profile, psi_result = _psi_inputs(features=3)
    spc_profile, spc_result = _spc_inputs()
    with Store(store_url, auto_upgrade=True) as store:
        for profile, result in ((psi_profile, psi_result), (spc_profile, spc_result)):
            profile_id = store.register_profile(profile)
            run_id = store.write_drift_run(profile_id, _window(0), result).run_id
            assert run_id is not None
            fresh = drift_report(profile, result, window=_window(0), run_id=run_id)
            stored = stored_run_report(store, run_id)
            assert stored.facts == fresh.facts
            assert [(s.heading, s.status, s.facts) for s in stored.sections] == [
                (s.heading, s.status, s.facts) for s in fresh.sections
            ]
        with pytest.raises(Exception, match="no drift run has id 999"):
            stored_run_report(store, 999)


def test_history_report_charts_each_feature_over_its_windows(
    browser: Any, store_url: str, tmp_path: Path
) -> None:
    rng = np.random.default_rng(5)
    baseline = pl.DataFrame({"age": rng.normal(40, 9, 3000), "income": rng.normal(5, 1, 3000)})
    profile = Drifter().create_drift_profile(
        baseline, PsiDriftConfig(space="credit", name="scorer", version="1")
    )
    windows = 5
    with Store(store_url, auto_upgrade=True) as store:
        profile_id = store.register_profile(profile)
        from scouter_flows.alerts.rules import drift_alerts

        for day in range(windows):
            shift = 6.0 if day >= 3 else 0.0  # the last two windows drift on age
            current = pl.DataFrame(
                {"age": rng.normal(40 + shift, 9, 3000), "income": rng.normal(5, 1, 3000)}
            )
            result = Drifter().compute_drift(current, profile)
            store.write_drift_run(
                profile_id,
                _window(day),
                result,
                drift_alerts(result, profile.config.alert_config),
            )
        report = history_report(store, "credit", "scorer", "1", limit=4)
    opened = _open(browser, report, tmp_path, "history")
    assert opened.marks("points", "figure.headline") == 2 * 4  # two features, newest 4 windows
    assert opened.marks("series", "figure.headline") == 2
    assert opened.marks("alerts", "figure.headline") == 2  # age, in windows 4 and 5
    assert opened.page.locator("section#feature-age h2").inner_text().startswith("age")
    assert opened.marks("alerts", "section#feature-age") == 2
    assert opened.marks("alerts", "section#feature-income") == 0
    assert opened.page.locator("section#runs tbody tr").count() == 4
    assert ("windows with drift", "2 of 4") in report.facts


def test_stored_eval_report_compares_with_the_window_before(store_url: str) -> None:
    from scouter_flows.evaluate.profile import AgentEvalConfig, AgentEvalProfile
    from scouter_flows.evaluate.task_graph import AssertionTask

    task = AssertionTask(id="tone", context_path="response", operator="Equals", expected_value="ok")
    profile = AgentEvalProfile(config=AgentEvalConfig(space="s", name="bot"), tasks=[task])
    with Store(store_url, auto_upgrade=True) as store:
        profile_id = store.register_profile(profile)
        ids = []
        for day, rows in enumerate((_eval_rows(3), _eval_rows(1))):
            frame = rows.with_columns(value=pl.lit(None, pl.String)).select(
                "record_id", "task_id", "status", "value", "message"
            )
            written = store.write_eval_run(
                profile_id, _window(day), frame, records=300, pass_rate=0.5
            )
            ids.append(written.run_id)
        assert [r["run_id"] for r in store.eval_run_list("s", "bot")] == ids[::-1]
        assert store.eval_run_list("s", "other") == []
        report = stored_eval_report(store, ids[1])
        first = stored_eval_report(store, ids[0])
        with pytest.raises(Exception, match="no eval run has id 999"):
            stored_eval_report(store, 999)
    assert ("baseline run id", str(ids[0])) in report.facts
    assert [s.anchor for s in report.sections][-1] == "baseline"
    assert "baseline" not in [s.anchor for s in first.sections]
