"""The README's Prefect example runs as written, in a folder holding the sample data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scouter_flows import Store
from scouter_flows.sources.sample import generate_sample_data
from tests.support import readme_example


def test_prefect_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    generate_sample_data(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCOUTER_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    namespace: dict[str, object] = {}
    exec(compile(readme_example("Prefect"), "README.md", "exec"), namespace)
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
    exec(compile(readme_example("Alert configs"), "README.md", "exec"), {})
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

    exec(compile(readme_example("In Prefect"), "README.md", "exec"), {})
    assert (
        block_store_url("monitoring", None) == "postgresql://monitor:secret@db.internal/monitoring"
    )
    slack = ScouterSlack.load("ml-slack")
    assert isinstance(slack, ScouterSlack)
    credentials = block_credentials("ml-slack", None)
    assert credentials.slack is not None
    assert credentials.slack.bot_token is not None
    assert credentials.slack.bot_token.get_secret_value() == "xoxb-..."
