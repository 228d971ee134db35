"""Real concurrent writer processes, and a writer killed mid-transaction (SIGKILL)."""

from __future__ import annotations

import multiprocessing
import time
from datetime import UTC, datetime
from typing import Any

import numpy as np
import polars as pl
import sqlalchemy as sa

from scouter_flows import Drifter, PsiDriftConfig, PsiDriftProfile, Store, Window
from scouter_flows.profiles.results import PsiDriftResult

WINDOW = Window(datetime(2026, 11, 21, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC))
_SPAWN = multiprocessing.get_context("spawn")


def _profile() -> PsiDriftProfile:
    rng = np.random.default_rng(0)
    data = pl.DataFrame({"x": rng.normal(size=2000), "y": rng.normal(size=2000)})
    return Drifter().create_drift_profile(data, PsiDriftConfig(space="s", name="n"))


def _result(shift: float) -> PsiDriftResult:
    rng = np.random.default_rng(int(shift * 10))
    data = pl.DataFrame({"x": rng.normal(shift, 1, 2000), "y": rng.normal(-shift, 1, 2000)})
    return Drifter().compute_drift(data, _profile())


def _write_repeatedly(url: str, shift: float, times: int, barrier: Any) -> None:
    with Store(url) as store:
        profile_id = store.register_profile(_profile())
        result = _result(shift)
        barrier.wait()
        for _ in range(times):
            store.write_drift_run(profile_id, WINDOW, result)


def _values(url: str) -> list[float]:
    with Store(url) as store:
        runs = store.runs()
        assert runs.height == 1
        return store.drift_results(int(runs["run_id"][0]))["value"].to_list()


def test_concurrent_writers_of_one_window_leave_one_complete_set(store_url: str) -> None:
    Store(store_url, auto_upgrade=True).close()
    barrier = _SPAWN.Barrier(2)
    writers = [
        _SPAWN.Process(target=_write_repeatedly, args=(store_url, shift, 25, barrier))
        for shift in (0.5, 1.5)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
        assert writer.exitcode == 0
    values = _values(store_url)
    expected = [[f.value for f in _result(shift).features] for shift in (0.5, 1.5)]
    assert values in expected  # two features, both from the same writer: never a mix


def _write_and_stall(url: str, ready: Any) -> None:
    store = Store(url)

    @sa.event.listens_for(store._engine, "before_cursor_execute")
    def _stall(*args: Any) -> None:
        if "INSERT INTO drift_results" in str(args[2]):
            ready.set()  # the run row is upserted and the old results deleted, uncommitted
            time.sleep(120)

    store.write_drift_run(store.register_profile(_profile()), WINDOW, _result(3.0))


def _kill_mid_transaction(url: str) -> None:
    ready = _SPAWN.Event()
    writer = _SPAWN.Process(target=_write_and_stall, args=(url, ready))
    writer.start()
    assert ready.wait(timeout=60), "the writer never reached its results insert"
    writer.kill()  # SIGKILL: no cleanup, no rollback from the client side
    writer.join(timeout=30)
    assert writer.exitcode == -9


def test_a_writer_killed_mid_transaction_leaves_the_previous_complete_run(
    store_url: str,
) -> None:
    with Store(store_url, auto_upgrade=True) as store:
        first = store.write_drift_run(store.register_profile(_profile()), WINDOW, _result(0.5))
    before = _values(store_url)
    _kill_mid_transaction(store_url)
    assert _values(store_url) == before
    with Store(store_url) as store:
        assert store.runs()["status"].to_list() == [first.status]


def test_a_writer_killed_during_its_first_write_leaves_no_run(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store:
        store.register_profile(_profile())
    _kill_mid_transaction(store_url)
    with Store(store_url) as store:
        assert store.runs().height == 0
        assert store.open_alerts().height == 0
