"""Airflow sees scouter-flows as a provider: its connection type, hook and operators."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from airflow.providers_manager import ProvidersManager

from scouter_flows import Store
from scouter_flows.operators import ScouterStoreHook
from tests.airflow.compat import DagBag, provider_hook, run_dag
from tests.eval_samples import DAY, write_eval_day

DAGS = Path(__file__).resolve().parents[2] / "dags"


def test_the_providers_manager_lists_the_provider_and_its_connection_type() -> None:
    manager = ProvidersManager()
    assert "scouter-flows" in manager.providers
    info = manager.providers["scouter-flows"]
    assert info.data["name"] == "Scouter Flows"
    hook = provider_hook("scouter_store")
    assert hook is not None
    assert hook.hook_class_name == "scouter_flows.operators.hooks.ScouterStoreHook"
    assert hook.connection_type == "scouter_store"
    behaviour = ScouterStoreHook.get_ui_field_behaviour()
    # A database connection's form: the password is its own (masked) field, not in the extra.
    assert behaviour["hidden_fields"] == []
    assert behaviour["relabeling"]["schema"] == "Database"
    assert "driver" in behaviour["placeholders"]["extra"]
    assert "password" not in behaviour["placeholders"]["extra"]


def test_prune_operator_deletes_old_runs(
    tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scouter_flows import tasks
    from scouter_flows.window import Window

    Store(store_url, auto_upgrade=True).close()
    profile, records = write_eval_day(tmp_path)
    ref = tasks.load_eval_profile(profile, store_url)
    frame = pl.read_ndjson(records)
    tasks.evaluate_window(ref, frame, Window(DAY, DAY + timedelta(days=1)), store_url)
    monkeypatch.setenv(
        "AIRFLOW_CONN_RESULTS",
        json.dumps({"conn_type": "scouter_store", "extra": {"url": store_url}}),
    )
    monkeypatch.setenv("SCOUTER_STORE_CONN_ID", "results")
    dag = DagBag(dag_folder=str(DAGS / "retention.py")).get_dag("scouter_retention")
    run = run_dag(
        dag, logical_date=datetime(2026, 12, 30, tzinfo=UTC), run_conf={"older_than": "12h"}
    )
    (ti,) = run.get_task_instances()
    assert str(ti.state) == "success"
    with Store(store_url) as store:
        assert store.eval_pass_rates("support", "bot").height == 0
