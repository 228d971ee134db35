"""The README's Prefect example runs as written, in a folder holding the sample data."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from scouter_flows import Store
from scouter_flows.sources.sample import generate_sample_data
from tests.support import readme_example


def test_prefect_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # the block makes its own inputs here
    monkeypatch.setenv("SCOUTER_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    namespace: dict[str, object] = {}
    exec(compile(readme_example("Prefect"), "README.md", "exec"), namespace)
    assert (tmp_path / "baseline.parquet").exists()
    summary = namespace["summary"]
    assert isinstance(summary, dict)
    assert "income" in summary["drifted"]
    assert str(summary["drifted"]) in capsys.readouterr().out
    with Store(os.environ["SCOUTER_DATABASE_URL"]) as store:
        assert store.runs()["status"].to_list() == ["drift"]


def test_alert_config_example_sends_to_slack_and_opsgenie_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scouter_flows.flows import drift_monitor_flow
    from tests.fake_providers import OPSGENIE_KEY, SLACK_TOKEN, fake_opsgenie, fake_slack

    sample = generate_sample_data(tmp_path)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    exec(compile(readme_example("Alert configs", "docs/alerts.md"), "docs/alerts.md", "exec"), {})
    with fake_slack() as slack, fake_opsgenie() as genie:
        monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
        monkeypatch.setenv("SLACK_API_URL", slack.url + "/api/")
        monkeypatch.setenv("OPSGENIE_API_KEY", OPSGENIE_KEY)
        monkeypatch.setenv("OPSGENIE_API_URL", genie.url)
        summaries = []
        for day in (sample.days - 2, sample.days - 1):  # two drifted days in a row
            start, end = sample.day_window(day)
            summaries.append(
                drift_monitor_flow(
                    profile="profile.json",
                    source_path=sample.logs_glob,
                    window_start=start,
                    window_end=end,
                    store_url=url,
                )
            )
        assert slack.violations == genie.violations == []
    first, second = summaries
    assert first["dispatch"]["sent"] == 2 * len(first["drifted"])  # Slack and OpsGenie rows
    new = set(second["drifted"]) - set(first["drifted"])
    repeated = set(first["drifted"]) & set(second["drifted"])
    assert repeated
    # One message per run; the second day's repeats are suppressed, only new breaches go out.
    assert len(slack.received) == 1 + bool(new)
    message = slack.received[0]
    assert message.body["channel"] == "#credit-ml"
    assert message.body["blocks"][0]["text"]["text"] == "Drift detected: credit/default-risk/1.1.0"
    assert ":rotating_light: *Critical*" in message.body["blocks"][1]["text"]["text"]
    assert {r.body["priority"] for r in genie.received} == {"P2"}
    assert sorted(r.body["details"]["entity"] for r in genie.received) == sorted(
        [*first["drifted"], *new]
    )
    with Store(url) as store:
        statuses = {a.entity: a.status for a in store.alerts(run_id=second["run_id"])}
        links = {a.link for a in store.alerts(run_id=first["run_id"])}
    assert {statuses[f] for f in repeated} == {"suppressed"}
    assert all(link and "/flow-run/" in link for link in links)


def test_blocks_example_saves_blocks_the_flows_can_load() -> None:
    from scouter_flows.flows import ScouterSlack
    from scouter_flows.flows.drift import block_credentials, block_store_url

    exec(compile(readme_example("Blocks", "docs/prefect.md"), "docs/prefect.md", "exec"), {})
    assert (
        block_store_url("monitoring", None) == "postgresql://monitor:secret@db.internal/monitoring"
    )
    slack = ScouterSlack.load("ml-slack")
    assert isinstance(slack, ScouterSlack)
    credentials = block_credentials("ml-slack", None)
    assert credentials.slack is not None
    assert credentials.slack.bot_token is not None
    assert credentials.slack.bot_token.get_secret_value() == "xoxb-..."


def test_the_quick_start_from_nothing_to_a_served_run(tmp_path: Path) -> None:
    """Every command of the README's serve quick start, as written (its folder moved here)."""
    import os
    import shlex
    import subprocess
    import sys
    import time

    from prefect.settings import PREFECT_API_URL

    from scouter_flows import Store
    from tests.support import readme_commands

    root = str(tmp_path / "quickstart")
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env.pop("SCOUTER_DATABASE_URL", None)
    serve: list[str] = []
    for command in readme_commands("From nothing to served deployments", "docs/prefect.md"):
        command = command.replace("/tmp/scouter-quickstart", root)
        if command.startswith("export "):
            name, value = command.removeprefix("export ").split("=", 1)
            env[name] = str(PREFECT_API_URL.value()) if name == "PREFECT_API_URL" else value
        elif command.startswith("scouter-flows serve"):
            serve = shlex.split(command)
        else:
            done = subprocess.run(shlex.split(command), env=env, capture_output=True, text=True)
            assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
    assert serve, "the quick start serves"
    (by_hand,) = readme_commands("Then, from another shell", "docs/prefect.md")
    store = env["SCOUTER_DATABASE_URL"]
    with subprocess.Popen(
        serve, env={**env, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}, start_new_session=True
    ) as process:
        try:
            deadline = time.monotonic() + 120
            while True:  # the deployment exists once serve has registered it
                started = subprocess.run(
                    shlex.split(by_hand), env=env, capture_output=True, text=True
                )
                if started.returncode == 0 or time.monotonic() > deadline:
                    break
                time.sleep(1)
            assert started.returncode == 0, started.stdout + started.stderr
            while time.monotonic() < deadline + 120:
                with Store(store) as opened:
                    runs = opened.runs()
                if runs.height:
                    break
                time.sleep(1)
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert runs.height == 1
    run = runs.row(0, named=True)
    assert (run["space"], run["name"], run["version"]) == ("credit", "default-risk", "1.0.0")
    assert run["window_start"].isoformat() == "2026-11-21T00:00:00+00:00"
    assert run["window_end"].isoformat() == "2026-11-22T00:00:00+00:00"


def test_service_logs_monitor_as_the_logger_wrote_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fastapi.testclient import TestClient

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCOUTER_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    service: dict[str, Any] = {}
    exec(
        compile(readme_example("Logging from a service", "docs/data.md"), "docs/data.md", "exec"),
        service,
    )
    with TestClient(service["app"]) as client:  # leaving it closes the logger
        for i in range(1_000):
            client.post("/score", json={"age": 18 + i % 70, "income": 30_000.0 + 40.0 * i})
    assert "timestamp" not in pl.read_parquet("logs/credit/date=*/*.parquet").columns
    namespace: dict[str, Any] = {}
    code = readme_example("Monitoring what the service logged", "docs/data.md")
    exec(compile(code, "docs/data.md", "exec"), namespace)
    summary = namespace["summary"]
    assert summary["rows_observed"] == 1_000
    with Store(os.environ["SCOUTER_DATABASE_URL"]) as store:
        results = store.drift_results(summary["run_id"])
    assert sorted(results["feature"]) == ["age", "income", "probability"]
    assert "insufficient_data" not in results["status"].to_list()
    assert f"1000 {summary['drifted']}" in capsys.readouterr().out


def test_dask_example_runs_as_a_script(tmp_path: Path) -> None:
    """As a file run with `python`: Dask's spawned workers import it again, so this fails
    without the block's `__main__` guard."""
    import subprocess
    import sys

    script = tmp_path / "on_dask.py"
    script.write_text(readme_example("In Prefect", "docs/scale-out.md"), encoding="utf-8")
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": "",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "SCOUTER_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
    }
    done = subprocess.run(
        [sys.executable, script.name],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    status, rows = done.stdout.split()[-2:]
    assert status == "drift"
    with Store(env["SCOUTER_DATABASE_URL"]) as store:
        runs = store.runs()
    assert runs["status"].to_list() == ["drift"]
    assert int(rows) == runs["rows_observed"][0] > 0
