"""The README's Airflow example runs as written under `dag.test()`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scouter_flows import Drifter, PsiDriftConfig, Store
from scouter_flows.sources.sample import generate_sample_data
from tests.airflow.compat import DagBag, for_this_airflow, run_dag
from tests.support import readme_commands, readme_example


def test_airflow_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = generate_sample_data(tmp_path)
    config = PsiDriftConfig(space="credit", name="default-risk", version="1.0.0")
    Drifter().create_drift_profile(data.baseline, config).save_to_json(tmp_path / "profile.json")
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("SCOUTER_DATABASE_URL", url)
    # dag.test() serialises the DAGs of the configured bundles: add one for the example's folder.
    bundles = [
        {
            "name": "readme-example",
            "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
            "kwargs": {"path": str(tmp_path), "refresh_interval": 0},
        }
    ]
    monkeypatch.setenv("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST", json.dumps(bundles))
    dag_file = tmp_path / "credit_drift.py"
    dag_file.write_text(for_this_airflow(readme_example("Airflow")), encoding="utf-8")
    bag = DagBag(dag_folder=str(dag_file))
    assert bag.import_errors == {}
    dag = bag.get_dag("credit_drift")
    _, end = data.day_window(data.days - 1)
    run = run_dag(dag, logical_date=end)
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states["dispatch_alerts"] == "success"
    assert states["no_alerts"] == "skipped"
    with Store(url) as store:
        assert store.runs()["status"].to_list() == ["drift"]


def test_retrain_on_drift_example_is_scheduled_on_the_profile_asset(tmp_path: Path) -> None:
    from airflow.providers.common.compat.sdk import Asset

    from scouter_flows.operators import profile_asset

    dag_file = tmp_path / "retrain.py"
    dag_file.write_text(
        for_this_airflow(readme_example("Assets", "docs/airflow.md")), encoding="utf-8"
    )
    bag = DagBag(dag_folder=str(dag_file))
    assert bag.import_errors == {}
    dag = bag.get_dag("retrain_on_drift")
    assert dag is not None
    timetable = dag.timetable  # a dataset condition on 2.11
    condition = getattr(timetable, "asset_condition", None) or timetable.dataset_condition
    (asset,) = condition.objects
    assert isinstance(asset, Asset)
    assert asset == profile_asset("credit", "default-risk", "1.0.0")
    assert asset.uri == "scouter://credit/default-risk/1.0.0"


def test_the_readme_commands_run_the_example_once(tmp_path: Path) -> None:
    """The README's commands, as written, in the folder the Prefect example leaves behind."""
    import os
    import shlex
    import subprocess
    import sys

    data = generate_sample_data(tmp_path)
    config = PsiDriftConfig(space="credit", name="default-risk", version="1.0.0")
    Drifter().create_drift_profile(data.baseline, config).save_to_json(tmp_path / "profile.json")
    (tmp_path / "credit_drift.py").write_text(
        for_this_airflow(readme_example("Airflow")), encoding="utf-8"
    )
    url = f"sqlite:///{tmp_path / 'store.db'}"
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "SCOUTER_DATABASE_URL": url}
    env.pop("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST", None)
    commands = readme_commands("To run it once")
    assert commands[-1].startswith("airflow dags test credit_drift")
    for command in commands:
        if command.startswith("export "):
            name, value = command.removeprefix("export ").split("=", 1)
            env[name] = str(tmp_path) if value == "$PWD" else value
            continue
        done = subprocess.run(
            shlex.split(command), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "state=success" in done.stdout + done.stderr
    with Store(url) as store:
        runs = store.runs()
        assert runs["status"].to_list() == ["drift"]
        assert runs["window_start"][0].isoformat().startswith("2026-11-21")
