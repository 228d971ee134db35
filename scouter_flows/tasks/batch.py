"""`monitor_batch`: monitoring as the last step of a batch scoring job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from scouter_flows.deprecation import renamed_argument
from scouter_flows.errors import DataError
from scouter_flows.sources.frames import DataLike, to_lazyframe
from scouter_flows.store.store import Store
from scouter_flows.tasks.drift import (
    dispatch_alerts,
    drift_of,
    load_profile,
    persist_drift,
    should_dispatch,
    stored_profile,
)
from scouter_flows.window import Window


def monitor_batch(
    predictions: DataLike,
    profile: str,
    *,
    store_url: str | None = None,
    timestamp_column: str = "timestamp",
    record_id_column: str | None = None,
    logged_at: datetime | None = None,
    dispatch: bool = False,
    link: str | None = None,
    store: str | None = None,
) -> dict[str, Any]:
    """Log a scored batch and store its drift against `profile`; return the run summary.

    The batch's window is `[first timestamp, last timestamp + 1 us)`, so scoring the same
    batch again replaces its run instead of adding one, and its logged rows are not stored
    twice. Everything is checked (profile, columns, timestamps) and the drift computed before
    anything is written.

    Args:
        predictions: The scored rows (a frame, a table, a path or glob, ...), with the profile's
            features and, unless `logged_at` is given, a zoned `timestamp_column`.
        profile: A profile JSON file (registered on first use) or a stored `space/name/version`.
        store_url: The store's SQLAlchemy URL; default `$SCOUTER_DATABASE_URL` or embedded
            SQLite.
        timestamp_column: When each row was scored.
        record_id_column: A column that identifies each row (default: a hash of the row).
        logged_at: One time for every row, when the rows carry none.
        dispatch: Also send the run's pending alerts.
        link: A link to the scoring job, carried by every alert.
        store: Deprecated spelling of `store_url`.

    Raises:
        DataError: the batch is empty, lacks a profile column, or has naive or null times.
    """
    store = renamed_argument("monitor_batch", "store", "store_url", store, store_url)
    frame = to_lazyframe(predictions).collect()
    if frame.height == 0:
        raise DataError("the batch is empty: nothing to log or monitor")
    frame = _stamped(frame, timestamp_column, logged_at)
    ref = load_profile(profile, store)
    first, last = frame[timestamp_column].min(), frame[timestamp_column].max()
    assert isinstance(first, datetime)
    assert isinstance(last, datetime)
    window = Window(first, last + timedelta(microseconds=1))
    result = drift_of(stored_profile(ref, store), frame.lazy(), window)
    rows = frame.rename({timestamp_column: "logged_at"})
    if record_id_column is not None:
        rows = rows.rename({record_id_column: "record_id"})
    with Store(store) as opened:
        logged = opened.write_inference_logs(ref.space, ref.name, rows)
    summary = persist_drift(ref, window, result, store, link=link)
    summary["logged"] = logged
    summary["dispatch"] = (
        dispatch_alerts(summary["run_id"], store) if dispatch and should_dispatch(summary) else None
    )
    return summary


def _stamped(frame: pl.DataFrame, column: str, logged_at: datetime | None) -> pl.DataFrame:
    if logged_at is not None:
        if logged_at.tzinfo is None:
            raise DataError(f"logged_at {logged_at.isoformat()} has no time zone; pass UTC")
        return frame.with_columns(pl.lit(logged_at.astimezone(UTC)).alias(column))
    if column not in frame.columns:
        raise DataError(
            f"the batch has no {column!r} column; pass timestamp_column or logged_at "
            f"(columns: {frame.columns})"
        )
    dtype = frame.schema[column]
    if not isinstance(dtype, pl.Datetime) or dtype.time_zone is None:
        raise DataError(f"column {column!r} must be a zoned datetime, got {dtype}")
    nulls = frame[column].null_count()
    if nulls:
        raise DataError(f"column {column!r} has {nulls} null values")
    return frame.with_columns(pl.col(column).dt.convert_time_zone("UTC"))
