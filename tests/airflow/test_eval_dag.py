"""The example evaluation DAG run with `dag.test()`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from scouter_flows import Store
from tests.airflow.compat import DagBag, run_dag
from tests.eval_samples import DAY, write_eval_day

DAG_FILE = Path(__file__).resolve().parents[2] / "dags" / "eval_monitor.py"


def test_eval_dag_evaluates_the_interval_and_alerts(
    tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store(store_url, auto_upgrade=True).close()
    monkeypatch.setenv("SCOUTER_DATABASE_URL", store_url)
    profile, records = write_eval_day(tmp_path)
    dag = DagBag(dag_folder=str(DAG_FILE)).get_dag("scouter_eval_monitor")
    run = run_dag(
        dag,
        logical_date=DAY + timedelta(days=1),
        run_conf={"profile": profile, "source_path": records},
    )
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states == {
        "evaluate": "success",
        "any_alerts": "success",
        "dispatch_alerts": "success",
        "no_alerts": "skipped",
    }
    with Store(store_url) as store:
        (alert,) = store.alerts()
        assert alert.status == "sent"
        assert alert.link  # the evaluate task's log URL
