"""`dags/drift_monitor.py` on Airflow's own components, not `dag.test()`: a real scheduler,
DAG processor and API server (a webserver on 2.11), a run triggered through the REST API with a
`conf` exactly as "Trigger DAG w/ config" sends it, and the scheduler's own run after unpausing.
The results go to a Postgres store named by the `scouter_default` connection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scouter_flows import Drifter, PsiDriftConfig, Store
from scouter_flows.sources.sample import generate_sample_data
from scouter_flows.sqla import make_url
from tests.airflow.compat import DRIFTED_RUN_STATES
from tests.real_airflow import AIRFLOW_V_3_0_PLUS, real_airflow, wait_for_dag, wait_for_run
from tests.support import RESET_POSTGRES, run_sql

pytestmark = pytest.mark.real_server
DAGS = Path(__file__).resolve().parents[2] / "dags"
DAG_ID = "scouter_drift_monitor"


def _scouter_store_uri(postgres_url: str) -> str:
    """The session's Postgres as a `scouter-store://` connection URI."""
    url = make_url(postgres_url)
    auth = url.username + (f":{url.password}" if url.password else "")
    return f"scouter-store://{auth}@{url.host}:{url.port or 5432}/{url.database}"


def _states(server: Any, run_id: str) -> dict[str, str]:
    import urllib.parse

    quoted = urllib.parse.quote(run_id, safe="")
    found = server.request("GET", f"/dags/{DAG_ID}/dagRuns/{quoted}/taskInstances")
    return {ti["task_id"]: ti["state"] for ti in found["task_instances"]}


def test_a_run_triggered_with_config_and_a_scheduled_run_complete_on_a_real_scheduler(
    postgres_url: str, tmp_path: Path
) -> None:
    run_sql(postgres_url, RESET_POSTGRES)
    # Yesterday's logs are clean, today's drift: the scheduler's run monitors yesterday (the
    # interval that just ended), the triggered run today's hours so far, named in its conf.
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    data = generate_sample_data(
        tmp_path / "data", start=today - timedelta(days=1), days=2, rows_per_day=20_000
    )
    profile = Drifter().create_drift_profile(
        data.baseline, PsiDriftConfig(space="credit", name="scheduled", version="1.0")
    )
    with Store(postgres_url, auto_upgrade=True) as store:
        store.register_profile(profile)
    key = "credit/scheduled/1.0"
    logs = str(tmp_path / "data" / "logs" / "*" / "*.parquet")
    env = {
        "AIRFLOW_CONN_SCOUTER_DEFAULT": _scouter_store_uri(postgres_url),
        # The params' defaults, which the scheduler's own run takes.
        "SCOUTER_PROFILE": key,
        "SCOUTER_LOGS": logs,
    }
    start, end = today, today + timedelta(days=1)
    conf = {
        "profile": key,
        "source_path": logs,
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
    }
    with real_airflow(tmp_path, DAGS, env) as server:
        wait_for_dag(server, DAG_ID)
        body: dict[str, Any] = {"conf": conf}
        if AIRFLOW_V_3_0_PLUS:
            body["logical_date"] = None  # what the UI sends for a run with no logical date
        triggered = server.request("POST", f"/dags/{DAG_ID}/dagRuns", body)
        server.request("PATCH", f"/dags/{DAG_ID}", {"is_paused": False})
        run = wait_for_run(server, DAG_ID, triggered["dag_run_id"])
        states = _states(server, triggered["dag_run_id"])
        assert run["state"] == "success", (states, server.log_tail())
        assert run["conf"] == conf
        assert states == DRIFTED_RUN_STATES

        runs = server.request("GET", f"/dags/{DAG_ID}/dagRuns")["dag_runs"]
        (scheduled,) = [r for r in runs if r["run_type"] == "scheduled"]
        scheduled = wait_for_run(server, DAG_ID, scheduled["dag_run_id"])
        assert scheduled["state"] == "success", server.log_tail()

    with Store(postgres_url) as store:
        stored = {
            (r["window_start"], r["window_end"]): r
            for r in store.runs(name="scheduled").iter_rows(named=True)
        }
    assert set(stored) == {(start, end), (today - timedelta(days=1), today)}
    assert stored[(start, end)]["status"] == "drift"
    assert stored[(today - timedelta(days=1), today)]["status"] == "ok"
    assert stored[(start, end)]["rows_observed"] == 20_000
