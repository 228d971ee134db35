"""Prune racing real writer processes leaves no row without its run, on both backends."""

from __future__ import annotations

import multiprocessing
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from scouter_flows import Store, Window
from tests.store.test_concurrency import _profile, _result

_SPAWN = multiprocessing.get_context("spawn")
OLD = datetime(2020, 1, 1, tzinfo=UTC)
"""Every window written here is far older than the prune's cutoff."""


def _eval_results(rows: int, writer: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "record_id": [f"r{writer}-{i}" for i in range(rows)],
            "task_id": ["t"] * rows,
            "status": ["pass"] * rows,
            "value": [None] * rows,
            "message": [None] * rows,
        },
        schema_overrides={"value": pl.String, "message": pl.String},
    )


def _write_old_runs(url: str, writer: int, seconds: float, go: Any) -> None:
    with Store(url) as store:
        profile_id = store.register_profile(_profile())
        result, results = _result(1.0), _eval_results(500, writer)
        go.wait()
        deadline = time.monotonic() + seconds
        day = 0
        while time.monotonic() < deadline:
            window = Window(OLD + timedelta(days=day % 5), OLD + timedelta(days=day % 5 + 1))
            store.write_eval_run(profile_id, window, results, records=500, pass_rate=1.0)
            store.write_drift_run(profile_id, window, result)
            day += 1


def _prune_repeatedly(url: str, seconds: float, go: Any) -> None:
    with Store(url) as store:
        go.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            store.prune(timedelta(days=1))


def test_prune_racing_four_writers_leaves_no_orphans(store_url: str) -> None:
    Store(store_url, auto_upgrade=True).close()
    go = _SPAWN.Barrier(5)
    processes = [
        _SPAWN.Process(target=_write_old_runs, args=(store_url, writer, 8.0, go))
        for writer in range(4)
    ]
    processes.append(_SPAWN.Process(target=_prune_repeatedly, args=(store_url, 8.0, go)))
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=180)
        assert process.exitcode == 0
    with Store(store_url) as store:
        assert store.orphans() == {
            "eval_results": 0,
            "drift_results": 0,
            "metric_results": 0,
            "alerts": 0,
        }


def test_check_counts_and_repair_removes_orphans(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store:
        profile_id = store.register_profile(_profile())
        window = Window(OLD, OLD + timedelta(days=1))
        kept = store.write_eval_run(profile_id, window, _eval_results(3, 0), records=3, pass_rate=1)
        assert kept.run_id is not None
        other = Window(OLD + timedelta(days=1), OLD + timedelta(days=2))
        gone = store.write_eval_run(profile_id, other, _eval_results(4, 1), records=4, pass_rate=1)
        with store._begin() as conn:  # a run deleted behind the store's back, as an old prune did
            from scouter_flows.store import schema

            conn.execute(schema.eval_runs.delete().where(schema.eval_runs.c.id == gone.run_id))
        assert store.orphans()["eval_results"] == 4
        assert store.remove_orphans()["eval_results"] == 4
        assert store.orphans()["eval_results"] == 0
        assert store.eval_results(kept.run_id).height == 3
