"""The example DAG sends to Slack and OpsGenie with credentials from Airflow connections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scouter_flows import Drifter, PsiDriftConfig, Store
from scouter_flows.sources.sample import SampleData
from tests.airflow.compat import DagBag, run_dag
from tests.alerts.helpers import slack_and_opsgenie
from tests.fake_providers import OPSGENIE_KEY, SLACK_TOKEN, fake_opsgenie, fake_slack

DAG_FILE = Path(__file__).resolve().parents[2] / "dags" / "drift_monitor.py"


@pytest.fixture
def alerting_profile(sample_data: SampleData, tmp_path: Path) -> str:
    config = PsiDriftConfig(
        space="credit",
        name="scorer",
        version="2.0",
        alert_config=slack_and_opsgenie(),
    )
    profile = Drifter().create_drift_profile(sample_data.baseline, config)
    return str(profile.save_to_json(tmp_path / "profile.json"))


def _dag(monkeypatch: pytest.MonkeyPatch, store_url: str, connections: bool = True):  # type: ignore[no-untyped-def]
    """The example DAG, parsed with (or without) the alert connection ids set."""
    Store(store_url, auto_upgrade=True).close()
    monkeypatch.setenv("SCOUTER_DATABASE_URL", store_url)
    for name, conn_id in (("SLACK", "team_slack"), ("OPSGENIE", "team_opsgenie")):
        if connections:
            monkeypatch.setenv(f"SCOUTER_{name}_CONN_ID", conn_id)
        else:
            monkeypatch.delenv(f"SCOUTER_{name}_CONN_ID", raising=False)
    for name in ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "OPSGENIE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return DagBag(dag_folder=str(DAG_FILE)).get_dag("scouter_drift_monitor")


def _run_last_day(dag, sample_data: SampleData, profile: str):  # type: ignore[no-untyped-def]
    _, end = sample_data.day_window(sample_data.days - 1)
    run = run_dag(
        dag, logical_date=end, run_conf={"profile": profile, "source_path": sample_data.logs_glob}
    )
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def test_dispatch_uses_the_slack_and_opsgenie_connections(
    monkeypatch: pytest.MonkeyPatch,
    sample_data: SampleData,
    alerting_profile: str,
    store_url: str,
) -> None:
    dag = _dag(monkeypatch, store_url)
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
        states = _run_last_day(dag, sample_data, alerting_profile)
        assert slack.violations == genie.violations == []
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
    dag = _dag(monkeypatch, store_url, connections=False)
    states = _run_last_day(dag, sample_data, alerting_profile)
    assert states["monitor_drift"] == "success"
    assert states["dispatch_alerts"] == "failed"
    with Store(store_url) as store:
        alerts = store.alerts()
    assert alerts
    assert {a.status for a in alerts} == {"failed"}
    errors = {a.last_error for a in alerts}
    assert any(e and e.startswith("no Slack credentials") for e in errors)
    assert any(e and e.startswith("no OpsGenie credentials") for e in errors)
