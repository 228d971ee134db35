"""The commands that read the store, against a store filled by real runs, and `profile create`
for every kind."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from scouter_flows import (
    CustomDriftProfile,
    DataProfile,
    Drifter,
    PsiDriftConfig,
    PsiDriftProfile,
    SpcDriftProfile,
    Store,
    Window,
)
from scouter_flows.alerts.rules import drift_alerts
from tests.support import run_cli

DAY = datetime(2026, 11, 2, tzinfo=UTC)
KEY = "credit/scorer/1"


def _fill(url: str) -> dict[str, list[int]]:
    """Three daily PSI runs of credit/scorer/1 (the last drifts on age, with an alert) and two
    eval runs; returns the run ids."""
    rng = np.random.default_rng(11)
    baseline = pl.DataFrame({"age": rng.normal(40, 9, 3000), "income": rng.normal(5, 1, 3000)})
    profile = Drifter().create_drift_profile(
        baseline, PsiDriftConfig(space="credit", name="scorer", version="1")
    )
    ids: dict[str, list[int]] = {"drift": [], "eval": []}
    with Store(url, auto_upgrade=True) as store:
        profile_id = store.register_profile(profile)
        for day in range(3):
            shift = 8.0 if day == 2 else 0.0
            current = pl.DataFrame(
                {"age": rng.normal(40 + shift, 9, 3000), "income": rng.normal(5, 1, 3000)}
            )
            result = Drifter().compute_drift(current, profile)
            window = Window(DAY + timedelta(days=day), DAY + timedelta(days=day + 1))
            alerts = drift_alerts(result, profile.config.alert_config)
            written = store.write_drift_run(profile_id, window, result, alerts)
            assert written.run_id is not None
            ids["drift"].append(written.run_id)
    return ids


def _json(*args: str) -> list[dict[str, object]]:
    done = run_cli(*args, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    loaded: list[dict[str, object]] = json.loads(done.stdout)
    return loaded


def test_profiles_runs_and_reports_from_the_shell(store_url: str, tmp_path: Path) -> None:
    ids = _fill(store_url)["drift"]
    url = ("--url", store_url)
    (listed,) = _json("profiles", "list", *url)
    assert (listed["space"], listed["name"], listed["version"]) == ("credit", "scorer", "1")
    shown = run_cli("profiles", "show", KEY, *url, columns=200)
    assert shown.returncode == 0, shown.stdout
    assert "2 monitored: age, income" in shown.stdout
    assert str(ids[-1]) in shown.stdout
    missing = run_cli("profiles", "show", "no/such/1", *url)
    assert missing.returncode == 2
    assert "unknown profile no/such/1" in missing.stdout

    (latest,) = _json("runs", *url)
    assert latest["run_id"] == ids[-1]
    assert latest["status"] == "drift"
    history = _json("runs", "--profile", KEY, *url)
    assert [r["run_id"] for r in history] == ids[::-1]
    assert history[0]["drifted"] == ["age"]
    assert run_cli("runs", "--profile", "credit/scorer", *url).returncode == 2

    page = tmp_path / "run.html"
    done = run_cli("report", str(ids[-1]), "-o", str(page), *url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert str(page.resolve()) in done.stdout.replace("\n", "")
    assert "PSI drift: credit/scorer/1" in page.read_text()
    at = (DAY + timedelta(days=1, hours=6)).isoformat()
    by_window = tmp_path / "window.html"
    assert (
        run_cli("report", "--profile", KEY, "--window", at, "-o", str(by_window), *url).returncode
        == 0
    )
    assert f"<dd>{ids[1]}</dd>" in by_window.read_text()
    charted = tmp_path / "history.html"
    done = run_cli("report", "--profile", KEY, "--history", "3", "-o", str(charted), *url)
    assert done.returncode == 0, done.stdout
    assert "History: credit/scorer/1" in charted.read_text()
    for args, message in (
        (("report", "999"), "no drift run has id 999"),
        (("report", "--eval", "999"), "no eval run has id 999"),
        (("report", "--profile", KEY, "--window", "2020-01-01T00:00Z"), "has a window holding"),
        (("report",), "give a RUN_ID or --profile"),
    ):
        failed = run_cli(*args, "-o", str(tmp_path / "x.html"), *url, columns=300)
        assert failed.returncode == 2, (args, failed.stdout)
        assert message in failed.stdout
        assert "Traceback" not in failed.stdout + failed.stderr
    assert not (tmp_path / "x.html").exists()


def test_alerts_open_abandoned_and_resolve(store_url: str) -> None:
    _fill(store_url)
    url = ("--url", store_url)
    with Store(store_url) as store:
        (alert,) = store.alerts(status="pending")
    opened = _json("alerts", "open", *url)
    assert [a["alert_id"] for a in opened] == [alert.id]
    assert opened[0]["entity"] == "age"
    assert _json("alerts", "abandoned", *url) == []
    with Store(store_url) as store:
        assert store.mark_alert_failed(alert.id, "HTTP 500", give_up_after=1) == {alert.id}
    (abandoned,) = _json("alerts", "abandoned", *url)
    assert abandoned["last_error"] == "HTTP 500"
    done = run_cli("alerts", "resolve", str(alert.id), "--note", "known shift", *url)
    assert done.returncode == 0, done.stdout
    assert f"resolved alert(s) {alert.id}" in done.stdout
    assert _json("alerts", "open", *url) == []
    with Store(store_url) as store:
        (resolved,) = store.alerts(status="resolved")
    assert resolved.last_error == "known shift"
    again = run_cli("alerts", "resolve", str(alert.id), *url)
    assert again.returncode == 2
    assert f"no undelivered alert has id {alert.id}" in again.stdout


def test_profile_create_for_every_kind(sample_data: object, tmp_path: Path) -> None:
    baseline = str(sample_data.baseline)  # type: ignore[attr-defined]
    spc = tmp_path / "spc.json"
    done = run_cli(
        "profile", "create", baseline, "--kind", "spc", "--space", "s", "--name", "chart",
        "--sample-size", "30", "--feature", "age", "-o", str(spc),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    chart = SpcDriftProfile.load_from_json(spc)
    assert chart.config.sample_size == 30
    assert list(chart.features) == ["age"]

    metrics = tmp_path / "metrics.yaml"
    metrics.write_text(
        "- {name: accuracy, baseline_value: 0.91, alert_threshold: Below, delta: 0.02}\n"
        "- {name: latency_ms, value: 120, threshold: Above}\n"  # Scouter's spellings
    )
    custom = tmp_path / "custom.json"
    done = run_cli(
        "profile", "create", "--kind", "custom", "--metrics", str(metrics),
        "--space", "s", "--name", "kpi", "-o", str(custom),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    kpis = CustomDriftProfile.load_from_json(custom)
    assert kpis.metrics["latency_ms"].baseline_value == 120
    assert kpis.metrics["accuracy"].alert_threshold == "Below"

    data = tmp_path / "data.json"
    done = run_cli("profile", "create", baseline, "--kind", "data", "--bins", "8", "-o", str(data))
    assert done.returncode == 0, done.stdout + done.stderr
    summary = DataProfile.model_validate_json(data.read_text())
    assert "age" in summary.features

    psi = tmp_path / "psi.json"
    args = ("profile", "create", baseline, "--space", "s", "--name", "p", "-o", str(psi))
    assert run_cli(*args).returncode == 0
    assert PsiDriftProfile.load_from_json(psi).config.name == "p"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--kind", "custom"), "needs --metrics FILE"),
        (("--kind", "spc"), "built from baseline data: give DATA"),
        (("--kind", "histogram"), "--kind must be one of psi, spc, custom, data"),
        (("--kind", "custom", "--metrics", "METRICS"), "metric accuracy: alert_threshold"),
    ],
)
def test_profile_create_errors_name_what_is_wrong(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    metrics = tmp_path / "metrics.yaml"
    metrics.write_text("accuracy: {baseline_value: 0.9, alert_threshold: Sideways}\n")
    output = tmp_path / "p.json"
    args = tuple(str(metrics) if a == "METRICS" else a for a in args)
    done = run_cli("profile", "create", *args, "--space", "s", "--name", "n", "-o", str(output))
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stdout
    if "METRICS" in args or str(metrics) in args:
        assert str(metrics) in done.stdout
    assert not output.exists()
