"""`InferenceLogger`: log model inputs and outputs from a service without slowing requests.

`insert` puts the record on a bounded in-memory queue and returns (a few microseconds); a
background thread takes batches off the queue and writes them to a sink: rotating parquet
files, hive-partitioned by UTC date, or the store's inference-log table. A failing sink is
retried with back-off and never stops the thread; `flush` and `close` (also run at interpreter
exit) return only when every accepted record is written.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import queue
import threading
import time
import uuid
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, Protocol

import polars as pl
from pydantic import BaseModel

from scouter_flows.deprecation import moved_names
from scouter_flows.errors import ConfigError, ScouterFlowsError, StoreError, StoreUnavailableError
from scouter_flows.sources.queue_records import Features, Metrics

log = logging.getLogger(__name__)

WhenFull = Literal["block", "drop"]

# Put on the queue by `flush` and `close` so a writer waiting out `flush_interval` wakes now.
_WAKE: Any = object()


class LogSink(Protocol):
    """Where batches of logged rows go (a `logged_at` column, UTC, plus the record's fields)."""

    def write(self, rows: pl.DataFrame) -> None:
        """Write one batch; raise to have it retried."""

    def close(self) -> None:
        """Release what the sink holds."""


class ParquetSink:
    """Parquet files under `folder/date=YYYY-MM-DD/`, one per batch and day.

    Each file is written under a temporary name and renamed when complete, so a reader never
    sees half a file; the folder scans as a hive-partitioned data set.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def write(self, rows: pl.DataFrame) -> None:
        """Write `rows`, a file per UTC date they span."""
        dated = rows.with_columns(
            pl.col("logged_at").dt.convert_time_zone("UTC").dt.date().alias("\x00date")
        )
        for (day,), part in dated.group_by("\x00date", maintain_order=True):
            target = self.folder / f"date={day}"
            target.mkdir(parents=True, exist_ok=True)
            name = f"part-{time.time_ns()}-{uuid.uuid4().hex[:8]}.parquet"
            temporary = target / f".{name}.tmp"
            part.drop("\x00date").write_parquet(temporary)
            temporary.rename(target / name)

    def close(self) -> None:
        """Nothing to release."""


class InferenceLogger:
    """Buffers records in memory and writes them in batches from a background thread.

    Args:
        sink: Where batches go: `ParquetSink(folder)` or `StoreSink(space, name, url)`.
        batch_size: Most records per write.
        flush_interval: Seconds a record may wait before a partial batch is written.
        max_queued: Records held in memory at most; beyond that `when_full` applies.
        when_full: `block` waits up to `block_timeout` for room, then drops; `drop` drops at
            once. Dropped records are counted (`dropped`) and logged, never silently lost.
        block_timeout: Seconds `insert` may wait under `block`.
        close_timeout: Seconds `close` keeps retrying a failing sink before it gives up.
        label: What the records are, in log messages and errors ("inference log", "span").

    Example:
        >>> import tempfile
        >>> from scouter_flows.sources.logger import InferenceLogger, ParquetSink
        >>> logger = InferenceLogger(ParquetSink(tempfile.mkdtemp()))
        >>> logger.insert({"age": 41, "score": 0.83})
        True
        >>> logger.close()
        >>> logger.written
        1
    """

    def __init__(
        self,
        sink: LogSink,
        *,
        batch_size: int = 10_000,
        flush_interval: float = 1.0,
        max_queued: int = 1_000_000,
        when_full: WhenFull = "drop",
        block_timeout: float = 0.05,
        close_timeout: float = 30.0,
        label: str = "inference log",
    ) -> None:
        if batch_size < 1 or max_queued < 1 or flush_interval <= 0:
            raise ConfigError(
                "batch_size and max_queued must be at least 1 and flush_interval positive; got "
                f"{batch_size}, {max_queued}, {flush_interval}"
            )
        if when_full not in ("block", "drop"):
            raise ConfigError(f"when_full must be 'block' or 'drop', got {when_full!r}")
        self.sink = sink
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.when_full = when_full
        self.block_timeout = block_timeout
        self.close_timeout = close_timeout
        self.label = label
        self._queue: queue.Queue[tuple[int, Any]] = queue.Queue(maxsize=max_queued)
        self._accepted = 0
        self._written = 0
        self._dropped = 0
        self._lost = 0
        self._lock = threading.Lock()
        self._progress = threading.Condition()
        self._closing = threading.Event()
        self._flushers = 0  # callers waiting in `flush`: the writer stops waiting for a full batch
        self._thread = threading.Thread(
            target=self._run, name=f"scouter-{label.replace(' ', '-')}-writer"
        )
        self._thread.daemon = True
        self._thread.start()
        atexit.register(_close_at_exit, weakref.ref(self))

    @property
    def written(self) -> int:
        """Records the sink has accepted."""
        return self._written

    @property
    def dropped(self) -> int:
        """Records that will not be written: refused because the queue was full, refused by
        the sink as invalid, or still failing `close_timeout` seconds into `close`. A store
        outage drops nothing: the writer keeps the batch and retries until the store answers,
        while new records queue (up to `max_queued`)."""
        return self._dropped

    def insert(self, record: Mapping[str, Any] | BaseModel | Features | Metrics) -> bool:
        """Queue one record (a mapping, a pydantic model, or Scouter's `Features` / `Metrics`);
        True when accepted.

        Never raises for a full queue: the record is dropped and counted instead. A record
        without `logged_at` is stamped with the time of this call.
        """
        if self._closing.is_set():
            raise StoreError(f"this {self.label} logger is closed")
        if isinstance(record, Features | Metrics):
            record = record.to_record()
        item = (time.time_ns(), record)
        try:
            if self.when_full == "block":
                self._queue.put(item, timeout=self.block_timeout)
            else:
                self._queue.put_nowait(item)
        except queue.Full:
            with self._lock:
                self._dropped += 1
                dropped = self._dropped
            if dropped == 1 or dropped % 10_000 == 0:
                log.warning("%s queue full: %d records dropped so far", self.label, dropped)
            return False
        with self._lock:
            self._accepted += 1
        return True

    def flush(self, timeout: float | None = None) -> None:
        """Return when every record accepted so far is written.

        Raises:
            StoreError: `timeout` passed first (the records stay queued and are retried).
        """
        with self._lock:
            target = self._accepted
            self._flushers += 1
        self._wake()
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            with self._progress:
                while self._written + self._lost < target:
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        raise StoreError(
                            f"flush timed out: {target - self._written} accepted {self.label} "
                            "records not written yet (they stay queued)"
                        )
                    self._progress.wait(timeout=remaining if remaining is not None else 0.5)
        finally:
            with self._lock:
                self._flushers -= 1

    def close(self) -> None:
        """Write everything accepted, stop the thread and close the sink (idempotent).

        Raises:
            StoreError: the sink refused records as invalid, or kept failing for
                `close_timeout` seconds; the message says how many could not be written.
        """
        if not self._closing.is_set():
            self._closing.set()
            self._wake()
            self._thread.join()
            self.sink.close()
        if self._lost:
            raise StoreError(
                f"{self._lost} accepted {self.label} records could not be written: the sink "
                f"refused them or kept failing for {self.close_timeout} s at close (see the log)"
            )

    def _run(self) -> None:
        while True:
            batch = self._take()
            if batch:
                self._write(batch)
            elif self._closing.is_set() and self._queue.empty():
                return

    def _wake(self) -> None:
        with contextlib.suppress(queue.Full):  # a full queue keeps the writer busy anyway
            self._queue.put_nowait((0, _WAKE))

    def _take(self) -> list[tuple[int, Any]]:
        batch: list[tuple[int, Any]] = []
        deadline = time.monotonic() + self.flush_interval
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            if self._closing.is_set():
                remaining = 0.0
            elif self._flushers:
                # Someone waits for what is queued: write it now, and poll briefly when idle.
                remaining = min(remaining, 0.01) if not batch else 0.0
            try:
                item = (
                    self._queue.get(timeout=remaining)
                    if remaining > 0
                    else self._queue.get_nowait()
                )
            except queue.Empty:
                break
            if item[1] is not _WAKE:
                batch.append(item)
        return batch

    def _write(self, batch: list[tuple[int, Any]]) -> None:
        rows = _frame(batch)
        delay = 0.05
        give_up = None
        failing = False
        while True:
            try:
                self.sink.write(rows)
                break
            except StoreUnavailableError as exc:
                # An outage, not bad rows: keep the batch and retry until the store answers.
                if not failing:
                    log.warning("%s store unavailable, retrying: %s", self.label, exc)
                failing = True
            except ScouterFlowsError as exc:
                # Bad records, not a sink outage: retrying cannot help. They are counted and
                # reported by `close`, never silently dropped.
                log.error("%s batch of %d records refused: %s", self.label, len(batch), exc)
                self._give_up(len(batch))
                return
            except Exception:  # a sink failure must never end the thread
                log.exception("%s sink failed for %d records; retrying", self.label, len(batch))
                failing = True
            if self._closing.is_set():
                give_up = give_up or time.monotonic() + self.close_timeout
                if time.monotonic() >= give_up:
                    log.error(
                        "%s sink still failing after %s s at close: %d records dropped",
                        self.label,
                        self.close_timeout,
                        len(batch),
                    )
                    self._give_up(len(batch))
                    return
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
        if failing:
            log.warning("%s sink recovered: %d records written", self.label, len(batch))
        with self._progress:
            self._written += len(batch)
            self._progress.notify_all()

    def _give_up(self, records: int) -> None:
        """Count records that will never be written: in `dropped`, and for `close` to report."""
        with self._lock:
            self._dropped += records
        with self._progress:
            self._lost += records
            self._progress.notify_all()


def _frame(batch: list[tuple[int, Any]]) -> pl.DataFrame:
    records = [r.model_dump() if isinstance(r, BaseModel) else dict(r) for _, r in batch]
    frame = pl.DataFrame(records, infer_schema_length=None)
    stamps = pl.from_epoch(
        pl.Series("logged_at", [ns for ns, _ in batch], dtype=pl.Int64), time_unit="ns"
    )
    inserted = stamps.dt.cast_time_unit("us").dt.replace_time_zone("UTC")
    if "logged_at" not in frame.columns:
        return frame.with_columns(inserted)
    given = frame["logged_at"]
    if isinstance(given.dtype, pl.Datetime) and given.dtype.time_zone is not None:
        given = given.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
        return frame.with_columns(given.fill_null(inserted))
    return frame  # the sink names what is wrong with the column


def _close_at_exit(ref: weakref.ReferenceType[InferenceLogger]) -> None:
    logger = ref()
    if logger is not None:
        try:
            logger.close()
        except StoreError as exc:
            log.error("%s", exc)


__getattr__ = moved_names(__name__, {"StoreSink": "scouter_flows.store.sink:StoreSink"})
