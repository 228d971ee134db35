"""`InferenceLogger`: nothing accepted is lost, nothing is written twice, a full queue drops
visibly, and a failing sink is retried without killing the thread."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from pydantic import BaseModel

from scouter_flows import ConfigError, Store, StoreError, Window
from scouter_flows.sources.logger import InferenceLogger, ParquetSink
from scouter_flows.store.sink import StoreSink


def test_four_producers_one_million_records_each_written_once(tmp_path: Path) -> None:
    logger = InferenceLogger(ParquetSink(tmp_path), batch_size=50_000)
    per_thread = 250_000

    def produce(producer: int) -> None:
        for i in range(per_thread):
            logger.insert({"producer": producer, "i": i, "score": i / per_thread})

    threads = [threading.Thread(target=produce, args=(p,)) for p in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    logger.close()
    written = pl.scan_parquet(tmp_path / "date=*" / "*.parquet", hive_partitioning=True).collect()
    assert written.height == 4 * per_thread
    assert written.select(pl.struct("producer", "i").n_unique()).item() == 4 * per_thread
    assert (logger.written, logger.dropped) == (4 * per_thread, 0)
    assert written["logged_at"].dtype == pl.Datetime("us", "UTC")
    assert not list(tmp_path.rglob(".*.tmp"))  # every file was completed and renamed


class Prediction(BaseModel):
    record_id: str
    age: int
    score: float


def test_store_sink_writes_models_into_the_inference_log_table(store_url: str) -> None:
    Store(store_url, auto_upgrade=True).close()
    at = datetime(2026, 11, 21, 12, tzinfo=UTC)
    logger = InferenceLogger(StoreSink("credit", "default-risk", store_url), batch_size=64)
    for i in range(500):
        logger.insert(
            {
                **Prediction(record_id=f"r{i}", age=20 + i % 50, score=0.5).model_dump(),
                "logged_at": at,
            }
        )
    logger.insert(Prediction(record_id="late", age=99, score=0.1))
    logger.flush(timeout=60)
    logger.close()
    with Store(store_url) as store:
        day = store.inference_logs(
            "credit", "default-risk", Window(at - timedelta(hours=12), at + timedelta(hours=12))
        )
    assert day.height == 500
    assert sorted(day.columns) == ["age", "logged_at", "record_id", "score"]


class FlakySink:
    """Fails its first `failures` writes, like a database that is restarting."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.rows: list[pl.DataFrame] = []

    def write(self, rows: pl.DataFrame) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("database is starting up")
        self.rows.append(rows)

    def close(self) -> None:
        pass


def test_a_failing_sink_is_retried_and_nothing_is_lost(caplog: pytest.LogCaptureFixture) -> None:
    sink = FlakySink(failures=2)
    logger = InferenceLogger(sink, batch_size=1_000, flush_interval=0.05)
    for i in range(300):
        logger.insert({"i": i})
    logger.flush(timeout=30)
    logger.insert({"i": 300})  # the thread survived the failures
    logger.close()
    assert sorted(pl.concat(sink.rows)["i"].to_list()) == list(range(301))
    assert sink.calls >= 3
    assert "retrying" in caplog.text


class StuckSink(FlakySink):
    def __init__(self) -> None:
        super().__init__(failures=0)
        self.release = threading.Event()

    def write(self, rows: pl.DataFrame) -> None:
        self.release.wait(timeout=30)
        super().write(rows)


@pytest.mark.parametrize("when_full", ["drop", "block"])
def test_a_full_queue_drops_and_counts(when_full: str, caplog: pytest.LogCaptureFixture) -> None:
    sink = StuckSink()
    logger = InferenceLogger(
        sink,
        batch_size=5,
        max_queued=10,
        when_full=when_full,
        block_timeout=0.01,  # type: ignore[arg-type]
    )
    caplog.set_level(logging.WARNING)
    accepted = sum(logger.insert({"i": i}) for i in range(100))
    sink.release.set()
    logger.close()
    assert logger.dropped == 100 - accepted > 0
    assert logger.written == accepted
    assert "records dropped so far" in caplog.text


def test_close_reports_what_a_dead_sink_could_not_take() -> None:
    logger = InferenceLogger(FlakySink(failures=10**9), flush_interval=0.05, close_timeout=0.3)
    logger.insert({"i": 1})
    with pytest.raises(StoreError, match="1 accepted inference log records could not be written"):
        logger.close()
    with pytest.raises(StoreError, match="closed"):
        logger.insert({"i": 2})


def test_records_the_sink_refuses_are_counted_not_retried(store_url: str) -> None:
    Store(store_url, auto_upgrade=True).close()
    logger = InferenceLogger(StoreSink("s", "n", store_url), flush_interval=0.05)
    logger.insert({"logged_at": datetime(2026, 11, 21), "x": 1.0})  # no time zone
    with pytest.raises(StoreError, match="1 accepted inference log records could not be written"):
        logger.close()


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ConfigError, match="when_full must be"):
        InferenceLogger(FlakySink(0), when_full="wait")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="batch_size and max_queued"):
        InferenceLogger(FlakySink(0), batch_size=0)


def test_records_accepted_before_interpreter_exit_are_written(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = (
        "from scouter_flows import InferenceLogger, ParquetSink\n"
        f"logger = InferenceLogger(ParquetSink({str(tmp_path)!r}), flush_interval=60)\n"
        "for i in range(1000):\n"
        "    logger.insert({'i': i})\n"
        # no close(): the exit hook must write what was accepted
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    written = pl.read_parquet(tmp_path / "date=*" / "*.parquet")
    assert sorted(written["i"].to_list()) == list(range(1000))


def test_flush_and_close_do_not_wait_out_the_flush_interval(tmp_path: Path) -> None:
    # With a minute between timed writes, flush must still write at once: its own timeout
    # (a tenth of the interval) raises if it waited for the writer's timer instead.
    logger = InferenceLogger(ParquetSink(tmp_path), flush_interval=60)
    for round_ in range(3):
        logger.insert({"round": round_})
        logger.flush(timeout=6)
        assert logger.written == round_ + 1
    logger.insert({"round": 3})
    closer = threading.Thread(target=logger.close)
    closer.start()
    closer.join(timeout=6)
    assert not closer.is_alive(), "close waited for the flush interval"
    assert logger.written == 4
    assert sorted(pl.read_parquet(tmp_path / "date=*" / "*.parquet")["round"]) == [0, 1, 2, 3]
