"""The example DAG sends to Slack and OpsGenie with credentials from Airflow connections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

from scouter_flows import (
    Drifter,
    OpsGenieDispatchConfig,
    PsiAlertConfig,
    PsiDriftConfig,
    SlackDispatchConfig,
    Store,
)
from scouter_flows.sources.sample import SampleData
from tests.fake_providers import OPSGENIE_KEY, SLACK_TOKEN, fake_opsgenie, fake_slack

DAG_FILE = Path(__file__).resolve().parents[2] / "dags" / "drift_monitor.py"


@pytest.fixture
def alerting_profile(sample_data: SampleData, tmp_path: Path) -> str:
    config = PsiDriftConfig(
        space="credit",
        name="scorer",
        version="2.0",
        alert_config=PsiAlertConfig(
            dispatch_config=[
                SlackDispatchConfig(channel="#credit"),
                OpsGenieDispatchConfig(team="credit-oncall"),
            ]
        ),
    )
    profile = Drifter().create_drift_profile(sample_data.baseline, config)
    return str(profile.save_to_json(tmp_path / "profile.json"))


def _dag(monkeypatch: pytest.MonkeyPatch, store_url: str):  # type: ignore[no-untyped-def]
    Store(store_url, auto_upgrade=True).close()
    monkeypatch.setenv("SCOUTER_DATABASE_URL", store_url)
    monkeypatch.setenv("SCOUTER_SLACK_CONN_ID", "team_slack")
    monkeypatch.setenv("SCOUTER_OPSGENIE_CONN_ID", "team_opsgenie")
    for name in ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "OPSGENIE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return DagBag(dag_folder=str(DAG_FILE)).get_dag("scouter_drift_monitor")


def test_dispatch_uses_the_slack_and_opsgenie_connections(
    monkeypatch: pytest.MonkeyPatch,
    sample_data: SampleData,
    alerting_profile: str,
    store_url: str,
) -> None:
    dag = _dag(monkeypatch, store_url)
    _, end = sample_data.day_window(sample_data.days - 1)
    with fake_slack() as slack, fake_opsgenie() as genie:
        monkeypatch.setenv(
            "AIRFLOW_CONN_TEAM_SLACK",
            json.dumps(
                {
                    "conn_type": "slack",
                    "password": SLACK_TOKEN,
                    "extra": {"base_url": slack.url + "/api/"},
                }
            ),
        )
        monkeypatch.setenv(
            "AIRFLOW_CONN_TEAM_OPSGENIE",
            json.dumps({"conn_type": "opsgenie", "host": genie.url, "password": OPSGENIE_KEY}),
        )
        run = dag.test(
            logical_date=end,
            run_conf={"profile": alerting_profile, "source_path": sample_data.logs_glob},
        )
        assert slack.violations == genie.violations == []
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states["dispatch_alerts"] == "success"
    (message,) = slack.received
    assert message.body["channel"] == "#credit"
    assert genie.received
    assert all(
        r.body["responders"] == [{"name": "credit-oncall", "type": "team"}] for r in genie.received
    )
    with Store(store_url) as store:
        alerts = store.alerts()
    assert {a.status for a in alerts} == {"sent"}
    assert all(a.link for a in alerts)  # the monitor task's log URL


def test_missing_connection_fails_the_dispatch_task_and_keeps_the_alerts(
    monkeypatch: pytest.MonkeyPatch,
    sample_data: SampleData,
    alerting_profile: str,
    store_url: str,
) -> None:
    dag = _dag(monkeypatch, store_url)
    monkeypatch.delenv("SCOUTER_SLACK_CONN_ID")
    monkeypatch.delenv("SCOUTER_OPSGENIE_CONN_ID")
    dag = DagBag(dag_folder=str(DAG_FILE)).get_dag("scouter_drift_monitor")
    _, end = sample_data.day_window(sample_data.days - 1)
    run = dag.test(
        logical_date=end,
        run_conf={"profile": alerting_profile, "source_path": sample_data.logs_glob},
    )
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states["monitor_drift"] == "success"
    assert states["dispatch_alerts"] == "failed"
    with Store(store_url) as store:
        alerts = store.alerts()
    assert alerts
    assert {a.status for a in alerts} == {"failed"}
    errors = {a.last_error for a in alerts}
    assert any(e and e.startswith("no Slack credentials") for e in errors)
    assert any(e and e.startswith("no OpsGenie credentials") for e in errors)
