"""Partitioned, performance, data-profile and backfill flows under the Prefect test server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from prefect.artifacts import Artifact

from scouter_flows import Store
from scouter_flows.errors import ConfigError
from scouter_flows.flows import (
    backfill_flow,
    backfill_windows,
    data_profile_flow,
    drift_monitor_flow,
    performance_flow,
)
from scouter_flows.tasks import Partitioning, PerformanceSpec
from tests.partition_samples import SplitLogs, write_split_logs

PERFORMANCE = PerformanceSpec(task="binary", score="score")


@pytest.fixture
def split(tmp_path: Path) -> tuple[SplitLogs, str]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    return write_split_logs(tmp_path, url), url


def _key(ref: Any) -> str:
    return f"{ref.space}/{ref.name}/{ref.version}"


def _flow_args(logs: SplitLogs, url: str, ref: Any) -> dict[str, Any]:
    """A monitoring flow's arguments for `ref` over the whole of `logs`."""
    start, end = logs.window
    return {
        "profile": _key(ref),
        "source_path": logs.glob,
        "window_start": start,
        "window_end": end,
        "store_url": url,
    }


def _stored(url: str, run_id: int) -> pl.DataFrame:
    with Store(url) as store:
        return store.drift_results(run_id)


def assert_same_results(left: pl.DataFrame, right: pl.DataFrame) -> None:
    """Same features and statuses, values within 1e-9."""
    assert left["feature"].to_list() == right["feature"].to_list()
    assert left["status"].to_list() == right["status"].to_list()
    for a, b in zip(left["value"].to_list(), right["value"].to_list(), strict=True):
        assert a == pytest.approx(b, abs=1e-9)


@pytest.mark.parametrize(
    "partitioning",
    [Partitioning(by="file", parts=3), Partitioning(by="hash", parts=4, hash_column="request_id")],
)
def test_mapped_partitions_store_what_one_task_stores(
    split: tuple[SplitLogs, str], partitioning: Partitioning
) -> None:
    logs, url = split
    args = _flow_args(logs, url, logs.psi)
    single = drift_monitor_flow(**args)
    single_results = _stored(url, single["run_id"])
    mapped = drift_monitor_flow(**args, partitioning=partitioning)
    assert mapped["run_id"] == single["run_id"]  # the same window: the run is replaced
    assert (
        mapped["rows_observed"]
        == single["rows_observed"]
        == 2 * sum(700 + 400 * p for p in range(4))
    )
    assert mapped["drifted"] == single["drifted"]
    assert_same_results(_stored(url, mapped["run_id"]), single_results)


def test_performance_flow_partitioned_equals_single_and_dry_run_stores_nothing(
    split: tuple[SplitLogs, str],
) -> None:
    logs, url = split
    args = {**_flow_args(logs, url, logs.performance), "performance": PERFORMANCE}
    dry = performance_flow(**args, dry_run=True)
    assert dry["dry_run"] is True
    assert dry["run_id"] is None
    with Store(url) as store:
        assert store.runs().height == 0
    single = performance_flow(**args)
    assert single["status"] == "drift"  # accuracy is far below its 0.9 baseline
    assert "accuracy" in single["drifted"]
    assert dry["drifted"] == single["drifted"]
    single_results = _stored(url, single["run_id"])
    assert single_results["feature"].to_list() == ["accuracy", "roc_auc"]
    mapped = performance_flow(**args, partitioning=Partitioning(by="hive"))
    assert_same_results(_stored(url, mapped["run_id"]), single_results)
    artifact = Artifact.get("performance-s-performance-0-1-0")
    assert artifact is not None
    assert "accuracy" in str(artifact.data)


def test_data_profile_flow_stores_the_window_profile(split: tuple[SplitLogs, str]) -> None:
    logs, url = split
    start, end = logs.window
    summary = data_profile_flow(
        profile="s/scorer/1",
        source_path=logs.glob,
        window_start=start,
        window_end=start + timedelta(days=1),
        columns=["age", "income", "country"],
        store_url=url,
    )
    assert summary["rows_observed"] == sum(700 + 400 * p for p in range(4))
    assert summary["features"] == 3
    with Store(url) as store:
        stored = store.get_data_profile(summary["data_profile_id"])
        assert sorted(stored.features) == ["age", "country", "income"]
        assert stored.features["country"].kind == "categorical"
    table = Artifact.get("profile-s-scorer-1")
    assert table is not None
    assert "income" in str(table.data)
    with pytest.raises(ConfigError, match="model 'scorer' is not a 'space/name/version' key"):
        data_profile_flow(
            profile="scorer", source_path=logs.glob, window_start=start, window_end=end
        )
    with pytest.raises(ConfigError, match="needs 'source_path'"):
        data_profile_flow(profile="s/scorer/1")


def test_data_profile_flow_still_takes_the_old_model_parameter(
    split: tuple[SplitLogs, str],
) -> None:
    logs, url = split
    start, _ = logs.window
    window = {"window_start": start, "window_end": start + timedelta(days=1), "store_url": url}
    with pytest.warns(DeprecationWarning, match=r"use data_profile_flow\(profile=...\)"):
        summary = data_profile_flow(model="s/scorer/1", source_path=logs.glob, **window)
    assert summary["rows_observed"] == sum(700 + 400 * p for p in range(4))
    with pytest.raises(TypeError, match="both 'profile' and its deprecated spelling 'model'"):
        data_profile_flow(profile="s/a/1", model="s/a/1", source_path=logs.glob, **window)


def test_backfill_runs_one_subflow_per_window_and_repeats_idempotently(
    split: tuple[SplitLogs, str],
) -> None:
    logs, url = split
    start, end = logs.window
    args: dict[str, Any] = {
        "profile": _key(logs.psi),
        "source_path": logs.glob,
        "start": start,
        "end": end,
        "every_hours": 12,
        "store_url": url,
    }
    first = backfill_flow(**args)
    assert [s["window_start"] for s in first] == [
        (start + timedelta(hours=12 * k)).isoformat() for k in range(4)
    ]
    assert first[0]["status"] == "ok"
    assert all("income" in s["drifted"] for s in first[2:])  # the second day drifts
    assert all("income" not in s["drifted"] for s in first[:2])
    again = backfill_flow(**args)
    assert [s["run_id"] for s in again] == [s["run_id"] for s in first]
    with Store(url) as store:
        assert store.runs().height == 4


def test_backfill_windows_must_tile_the_period(split: tuple[SplitLogs, str]) -> None:
    logs, _ = split
    start, end = logs.window
    assert len(backfill_windows(start, end, timedelta(hours=6))) == 8
    with pytest.raises(ConfigError, match="7:00:00 does not divide the period"):
        backfill_windows(start, end, timedelta(hours=7))
    with pytest.raises(ConfigError, match="every must be positive"):
        backfill_windows(start, end, timedelta(0))


def test_partitions_on_a_local_dask_cluster_store_what_one_task_stores(
    split: tuple[SplitLogs, str],
) -> None:
    from distributed import Client, LocalCluster, get_task_stream
    from prefect_dask import DaskTaskRunner

    logs, url = split
    args = _flow_args(logs, url, logs.psi)
    single = drift_monitor_flow(**args)
    single_results = _stored(url, single["run_id"])
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        Client(cluster) as client,
        get_task_stream(client) as stream,
    ):
        runner = DaskTaskRunner(address=cluster.scheduler_address)
        on_dask = drift_monitor_flow.with_options(task_runner=runner)(
            **args, partitioning=Partitioning(by="file", parts=4)
        )
        workers = set(cluster.scheduler_info["workers"])
    # The partitions ran on the cluster's worker processes, not in this one.
    ran = [task["worker"] for task in stream.data if "partial" in task["key"]]
    assert len(ran) == 4
    assert set(ran) <= workers
    assert on_dask["run_id"] == single["run_id"]
    assert on_dask["rows_observed"] == single["rows_observed"]
    assert_same_results(_stored(url, on_dask["run_id"]), single_results)


def test_monitor_batch_task_at_the_end_of_a_scoring_flow(split: tuple[SplitLogs, str]) -> None:
    from prefect import flow

    from scouter_flows.flows import monitor_batch_task

    logs, url = split
    batch = pl.read_parquet(logs.glob).head(2_500)

    @flow
    def score_and_monitor() -> dict[str, Any]:
        scored = batch.with_columns(score=pl.col("score") * 0.5)  # stands in for a model
        return monitor_batch_task(scored, _key(logs.psi), url, record_id_column="request_id")

    summary = score_and_monitor()
    assert summary["logged"] == 2_500
    assert summary["rows_observed"] == 2_500
    assert summary["profile"] == "s/psi/0.1.0"
    with Store(url) as store:
        assert store.runs()["run_id"].to_list() == [summary["run_id"]]


@pytest.mark.parametrize("flow", [drift_monitor_flow, performance_flow, backfill_flow])
def test_flow_parameters_render_as_a_typed_form(flow: Any) -> None:
    schema = flow.parameters.model_dump()
    properties = schema["properties"]
    assert all(p.get("description") for p in properties.values())  # every field is described
    assert properties["partitioning"]["anyOf"][0] == {"$ref": "#/definitions/Partitioning"}
    partitioning = schema["definitions"]["Partitioning"]["properties"]
    assert partitioning["by"]["enum"] == ["file", "hive", "hash"]
    assert partitioning["parts"]["minimum"] == 1
    if flow is performance_flow:
        spec = schema["definitions"]["PerformanceSpec"]["properties"]
        assert spec["task"]["enum"] == ["binary", "multiclass", "regression"]
    if flow is not backfill_flow:
        assert properties["dry_run"]["type"] == "boolean"
        assert properties["window_start"]["anyOf"][0]["format"] == "date-time"


def test_a_schedule_sets_the_window_between_its_last_two_ticks(
    split: tuple[SplitLogs, str],
) -> None:
    logs, url = split
    start, _ = logs.window  # Thursday 2026-11-19
    monday = start + timedelta(days=4)
    # Weekdays at midnight: the run of Monday covers Friday to Monday, the weekend included.
    summary = drift_monitor_flow(
        profile=_key(logs.psi),
        source_path=logs.glob,
        window_end=monday,
        schedule="0 0 * * 1-5",
        store_url=url,
    )
    assert summary["window_start"] == (start + timedelta(days=1)).isoformat()
    assert summary["window_end"] == monday.isoformat()
    assert summary["rows_observed"] == sum(700 + 400 * p for p in range(4))
    with pytest.raises(ConfigError, match="must be a 5-field cron"):
        drift_monitor_flow(
            profile=_key(logs.psi),
            source_path=logs.glob,
            window_end=monday,
            schedule="@daily",
            store_url=url,
        )
