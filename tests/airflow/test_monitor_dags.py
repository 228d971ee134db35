"""Batch scoring, mapped partitions, model health and profile-built DAGs under `dag.test()`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from scouter_flows import (
    CommonCrons,
    CustomMetric,
    CustomMetricDriftConfig,
    Drifter,
    PsiAlertConfig,
    PsiDriftConfig,
    Store,
)
from scouter_flows.sources.sample import SampleData, sample_frame
from tests.airflow.compat import DagBag, asset_events, run_dag
from tests.partition_samples import write_split_logs

DAGS = Path(__file__).resolve().parents[2] / "dags"


def _dag(name: str, dag_id: str) -> Any:
    bag = DagBag(dag_folder=str(DAGS / name))
    assert bag.import_errors == {}
    return bag.get_dag(dag_id)


def _states(run: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def _results(url: str) -> pl.DataFrame:
    with Store(url) as store:
        (run_id,) = store.runs()["run_id"].to_list()
        return store.drift_results(run_id)


def test_batch_scoring_logs_and_monitors_the_batch_once(
    monkeypatch: pytest.MonkeyPatch, sample_data: SampleData, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    Store(url, auto_upgrade=True).close()
    monkeypatch.setenv("SCOUTER_DATABASE_URL", url)
    profile = Drifter().create_drift_profile(
        sample_data.baseline, PsiDriftConfig(space="credit", name="batch", version="1")
    )
    profile_path = str(profile.save_to_json(tmp_path / "profile.json"))
    batch = tmp_path / "batch.parquet"
    sample_frame(3_000, np.random.default_rng(3), drifted=True).write_parquet(batch)
    dag = _dag("batch_scoring.py", "scouter_batch_scoring")
    conf = {
        "input_path": str(batch),
        "predictions_path": str(tmp_path / "scored.parquet"),
        "profile": profile_path,
    }
    when = datetime(2026, 11, 25, tzinfo=UTC)
    states = _states(run_dag(dag, logical_date=when, run_conf=conf))
    assert states == {
        "score": "success",
        "monitor": "success",
        "any_alerts": "success",
        "dispatch_alerts": "success",
        "no_alerts": "skipped",
        "drift_event": "success",
    }
    assert pl.read_parquet(tmp_path / "scored.parquet")["score"].is_between(0, 1).all()
    with Store(url) as store:
        runs = store.runs()
        assert runs["status"].to_list() == ["drift"]
        logged = store.inference_logs("credit", "batch", runs_window(runs))
        assert logged.height == 3_000
    # The same batch again: its run is replaced and no row is logged twice.
    assert _states(run_dag(dag, logical_date=when, run_conf=conf))["monitor"] == "success"
    with Store(url) as store:
        assert store.runs().height == 1
        assert store.inference_logs("credit", "batch", runs_window(store.runs())).height == 3_000


def test_batch_scoring_is_safe_to_unpause(
    monkeypatch: pytest.MonkeyPatch, sample_data: SampleData, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("SCOUTER_DATABASE_URL", url)
    monkeypatch.setenv("SCOUTER_PROFILE", "credit/other-model/1")  # the drift DAG's variable
    monkeypatch.delenv("SCOUTER_BATCH_PROFILE", raising=False)
    monkeypatch.delenv("SCOUTER_BATCH_INPUT", raising=False)
    dag = _dag("batch_scoring.py", "scouter_batch_scoring")
    assert dag.max_active_runs == 1
    assert dag.params["profile"] == ""  # not the drift DAG's profile
    when = datetime(2026, 11, 25, tzinfo=UTC)
    # Unconfigured, a run (the one unpausing creates) skips instead of logging anything.
    states = _states(run_dag(dag, logical_date=when))
    assert states["score"] == "skipped"
    assert states["monitor"] == "skipped"
    with Store(url, auto_upgrade=True) as store:
        assert store.runs().height == 0

    profile = Drifter().create_drift_profile(
        sample_data.baseline, PsiDriftConfig(space="credit", name="batch", version="1")
    )
    batch = tmp_path / "batch.parquet"
    sample_frame(1_000, np.random.default_rng(4)).write_parquet(batch)
    conf = {
        "input_path": str(batch),
        "predictions_path": str(tmp_path / "scored-{{ ds }}.parquet"),
        "profile": str(profile.save_to_json(tmp_path / "profile.json")),
    }
    assert _states(run_dag(dag, logical_date=when, run_conf=conf))["monitor"] == "success"
    assert [f.name for f in tmp_path.glob("scored-*")] == ["scored-2026-11-25.parquet"]


def runs_window(runs: pl.DataFrame) -> Any:
    from scouter_flows import Window

    return Window(runs["window_start"][0], runs["window_end"][0] + timedelta(seconds=1))


def test_mapped_partitions_store_what_one_operator_stores(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    single_url = f"sqlite:///{tmp_path / 'single.db'}"
    mapped_url = f"sqlite:///{tmp_path / 'mapped.db'}"
    logs = write_split_logs(tmp_path, single_url)
    write_split_logs(tmp_path / "copy", mapped_url)  # the same profiles in a second store
    _, end = logs.window  # both DAGs monitor the data interval ending here: the second day
    conf = {"profile": "s/psi/0.1.0", "source_path": logs.glob}

    monkeypatch.setenv("SCOUTER_DATABASE_URL", single_url)
    single = run_dag(
        _dag("drift_monitor.py", "scouter_drift_monitor"), logical_date=end, run_conf=conf
    )
    assert _states(single)["monitor_drift"] == "success"

    monkeypatch.setenv("SCOUTER_DATABASE_URL", mapped_url)
    mapped = run_dag(
        _dag("partitioned_drift.py", "scouter_partitioned_drift"),
        logical_date=end,
        run_conf={**conf, "partition_by": "file", "parts": 3},
    )
    states = _states(mapped)
    assert states["merge"] == "success"
    assert states["dispatch_alerts"] == states["drift_event"] == "success"
    assert len([ti for ti in mapped.get_task_instances() if ti.task_id == "partial"]) == 3

    got, expected = _results(mapped_url), _results(single_url)
    assert got["feature"].to_list() == expected["feature"].to_list()
    assert got["status"].to_list() == expected["status"].to_list()
    for a, b in zip(got["value"].to_list(), expected["value"].to_list(), strict=True):
        assert a == pytest.approx(b, abs=1e-9)
    with Store(single_url) as one, Store(mapped_url) as other:
        assert one.runs()["rows_observed"].to_list() == other.runs()["rows_observed"].to_list()


def test_model_health_joins_late_labels_and_stores_a_data_profile(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("SCOUTER_DATABASE_URL", url)
    day = datetime(2026, 11, 20, tzinfo=UTC)
    rng = np.random.default_rng(5)
    n = 2_000
    truth = rng.random(n) < 0.4
    score = np.clip(truth * 0.3 + rng.random(n) * 0.7, 0, 1)
    times = pl.datetime_range(
        day, day + timedelta(seconds=n - 1), timedelta(seconds=1), time_zone="UTC", eager=True
    )
    ids = [f"r{i}" for i in range(n)]
    pl.DataFrame(
        {"id": ids, "score": score, "prediction": (score > 0.5).astype(int), "timestamp": times}
    ).write_parquet(tmp_path / "predictions.parquet")
    pl.DataFrame(
        {"id": ids, "label": truth.astype(int), "timestamp": times + timedelta(days=2)}
    ).write_parquet(tmp_path / "labels.parquet")
    with Store(url, auto_upgrade=True) as store:
        store.register_profile(
            Drifter().create_drift_profile(
                [
                    CustomMetric(name="accuracy", baseline_value=0.95, alert_threshold="Below"),
                    CustomMetric(name="roc_auc", baseline_value=0.5, alert_threshold="Below"),
                ],
                CustomMetricDriftConfig(space="m", name="health", version="1"),
            )
        )
    dag = _dag("model_health.py", "scouter_model_health")
    conf = {
        "profile": "m/health/1",
        "predictions": str(tmp_path / "predictions.parquet"),
        "labels": str(tmp_path / "labels.parquet"),
        "model": "m/scorer/1",
    }
    states = _states(run_dag(dag, logical_date=day + timedelta(days=1), run_conf=conf))
    assert states["performance"] == states["data_profile"] == "success"
    assert states["dispatch_alerts"] == "success"  # accuracy is far below 0.95
    expected_accuracy = float(np.mean((score > 0.5) == truth))
    with Store(url) as store:
        results = _results(url)
        accuracy = results.filter(pl.col("feature") == "accuracy")
        assert accuracy["value"][0] == pytest.approx(expected_accuracy, abs=1e-12)
        assert accuracy["status"][0] == "drift"
        assert results.filter(pl.col("feature") == "roc_auc")["status"][0] == "ok"
        (stored,) = store.data_profiles("m", "scorer", "1")["data_profile_id"].to_list()
        assert store.get_data_profile(stored).rows == n


@pytest.fixture
def monitored_store(tmp_path: Path, sample_data: SampleData) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with Store(url, auto_upgrade=True) as store:
        for name, cron in (("hourly", CommonCrons.EveryHour), ("daily", CommonCrons.EveryDay)):
            config = PsiDriftConfig(
                space="credit",
                name=name,
                version="1",
                alert_config=PsiAlertConfig(schedule=cron.value),
            )
            store.register_profile(Drifter().create_drift_profile(sample_data.baseline, config))
    return url, tmp_path / "monitors.json"


def _factory_bag(monkeypatch: pytest.MonkeyPatch, url: str, cache: Path, logs: str) -> DagBag:
    monkeypatch.setenv("SCOUTER_DATABASE_URL", url)
    monkeypatch.setenv("SCOUTER_MONITOR_CACHE", str(cache))
    monkeypatch.setenv("SCOUTER_SOURCE_TEMPLATE", logs)
    bag = DagBag(dag_folder=str(DAGS / "profile_monitors.py"))
    assert bag.import_errors == {}
    return bag


def test_one_dag_per_profile_on_its_schedule_emitting_drift_assets(
    monkeypatch: pytest.MonkeyPatch, monitored_store: tuple[str, Path], sample_data: SampleData
) -> None:
    url, cache = monitored_store
    bag = _factory_bag(monkeypatch, url, cache, sample_data.logs_glob)
    assert sorted(bag.dag_ids) == ["scouter_psi_credit_daily_1", "scouter_psi_credit_hourly_1"]
    hourly = bag.get_dag("scouter_psi_credit_hourly_1")
    assert hourly.timetable.summary == CommonCrons.EveryHour.value
    assert set(hourly.params.keys()) == {"profile", "window_start", "window_end", "dry_run"}
    assert json.loads(cache.read_text())["monitors"][0]["schedule"] == CommonCrons.EveryDay.value

    daily = bag.get_dag("scouter_psi_credit_daily_1")
    start, end = sample_data.day_window(sample_data.days - 1)
    states = _states(run_dag(daily, logical_date=end))
    assert states["monitor"] == "success"
    assert states["dispatch_alerts"] == states["drift_event"] == "success"
    event = asset_events("scouter://credit/daily/1")[-1]
    assert event["run_id"] == 1
    assert "income" in event["drifted"]
    # A dry run from the trigger form (another run date, the same window) stores nothing
    # more and emits no event.
    conf = {"dry_run": True, "window_start": start.isoformat(), "window_end": end.isoformat()}
    dry = _states(run_dag(daily, logical_date=end + timedelta(days=1), run_conf=conf))
    assert dry["monitor"] == "success"
    assert dry["drift_event"] == "skipped"
    with Store(url) as store:
        assert store.runs().height == 1


def test_parsing_reads_the_store_once_per_ttl_and_survives_an_outage(
    monkeypatch: pytest.MonkeyPatch,
    monitored_store: tuple[str, Path],
    sample_data: SampleData,
    tmp_path: Path,
) -> None:
    url, cache = monitored_store
    assert len(_factory_bag(monkeypatch, url, cache, sample_data.logs_glob).dag_ids) == 2
    fetched = json.loads(cache.read_text())["fetched_at"]
    # Within the TTL the cached list is used, not the store (here gone).
    down = "postgresql://scouter@127.0.0.1:9/nowhere"
    assert len(_factory_bag(monkeypatch, down, cache, sample_data.logs_glob).dag_ids) == 2
    assert json.loads(cache.read_text())["fetched_at"] == fetched
    # Past the TTL, with the store down, the stale list still builds the DAGs.
    monkeypatch.setenv("SCOUTER_MONITOR_CACHE_TTL", "0")
    assert len(_factory_bag(monkeypatch, down, cache, sample_data.logs_glob).dag_ids) == 2
    # No cache and no store: no DAG, and no import error either.
    empty = _factory_bag(monkeypatch, down, tmp_path / "none.json", sample_data.logs_glob)
    assert empty.dag_ids == []


def test_every_example_dag_parses_with_the_store_unreachable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SCOUTER_DATABASE_URL", "postgresql://scouter@127.0.0.1:9/nowhere")
    monkeypatch.setenv("SCOUTER_MONITOR_CACHE", str(tmp_path / "cache.json"))
    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    assert {
        "scouter_batch_scoring",
        "scouter_drift_monitor",
        "scouter_eval_monitor",
        "scouter_model_health",
        "scouter_partitioned_drift",
        "scouter_retention",
    } <= set(bag.dag_ids)


def test_parsing_with_a_fresh_cache_imports_neither_polars_nor_the_store(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    cache = tmp_path / "monitors.json"
    monitor = {
        "space": "s",
        "name": "n",
        "version": "1",
        "drift_type": "psi",
        "schedule": "0 0 * * *",
    }
    cache.write_text(json.dumps({"fetched_at": time.time(), "monitors": [monitor]}))
    code = (
        "import runpy, sys; "
        f"found = runpy.run_path({str(DAGS / 'profile_monitors.py')!r}); "
        "print(sorted(k for k in found if k.startswith('scouter_'))); "
        "print(sorted(m for m in ('polars', 'numpy', 'scouter_flows.store.store') "
        "if m in sys.modules))"
    )
    env = {**os.environ, "SCOUTER_MONITOR_CACHE": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    dags, heavy = out.stdout.strip().splitlines()[-2:]
    assert dags == "['scouter_psi_s_n_1']"
    assert heavy == "[]"


def test_a_genai_profile_gets_an_eval_monitor_without_a_drift_event() -> None:
    from scouter_flows.operators import GenAIEvalOperator, MonitorSpec, build_monitor_dag

    spec = MonitorSpec(
        space="qa", name="bot", version="2", drift_type="genai", schedule="0 * * * *"
    )
    dag = build_monitor_dag(spec, source_path="/evals/bot/*.ndjson")
    assert dag.dag_id == "scouter_genai_qa_bot_2"
    assert set(dag.task_ids) == {"monitor", "any_alerts", "dispatch_alerts", "no_alerts"}
    monitor = dag.get_task("monitor")
    assert isinstance(monitor, GenAIEvalOperator)
    assert monitor.timestamp_column == "created_at"
    dispatch = dag.get_task("dispatch_alerts")
    assert "task_ids='monitor'" in str(dispatch.eval_run_id)  # type: ignore[attr-defined]
    assert dispatch.run_id is None  # type: ignore[attr-defined]
