"""Spans and raw inference logs (day-partitioned on Postgres)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import polars as pl
import sqlalchemy as sa

from scouter_flows.deprecation import moved_names
from scouter_flows.errors import DataError
from scouter_flows.sqla import Connection
from scouter_flows.store import schema
from scouter_flows.store.bulk import write_frame
from scouter_flows.store.connection import StoreConnection
from scouter_flows.traces.schema import SPAN_SCHEMA
from scouter_flows.window import Window

_PARTITION_LOCK = 0x5C0_7E13  # held while creating an inference-log partition


class Telemetry(StoreConnection):
    """Writes and reads of spans and inference logs."""

    def write_spans(self, spans: pl.DataFrame) -> int:
        """Store spans (columns as the `spans` table; attributes and events as JSON text).

        A span already stored (same trace_id and span_id) is replaced, and a span given twice
        in `spans` is stored once (the last), so re-reading an export never duplicates. The
        `depth` and `order` the span readers add are derived on read and not stored. Returns
        the number of rows written.
        """
        derived = [c for c in ("depth", "order") if c in spans.columns]
        # One upsert may not name a row twice (Postgres refuses it), so keep the last copy.
        unique = spans.drop(derived).unique(
            ["trace_id", "span_id"], keep="last", maintain_order=True
        )
        # A timestamp column holds microseconds: the nanoseconds past them go beside it.
        times = [
            c for c in ("start_time", "end_time") if isinstance(unique.schema.get(c), pl.Datetime)
        ]
        unique = unique.with_columns(
            *((pl.col(c).dt.nanosecond() % 1_000).cast(pl.Int16).alias(_nanos(c)) for c in times),
            *(pl.col(c).dt.cast_time_unit("us") for c in times),
        )
        with self._begin() as conn:
            return write_frame(conn, schema.spans, unique, conflict="update")

    def spans(self, trace_ids: Sequence[str]) -> pl.DataFrame:
        """The stored spans of `trace_ids`, ordered by trace and start time."""
        table = schema.spans
        query = (
            sa.select(*(c for c in table.columns))
            .where(table.c.trace_id.in_(list(trace_ids)))
            .order_by(table.c.trace_id, table.c.start_time)
        )
        with self._connect() as conn:
            rows = [
                {
                    **r._mapping,
                    "attributes": json.dumps(r.attributes),
                    "events": json.dumps(r.events),
                }
                for r in conn.execute(query)
            ]
        nanos = {_nanos(c): pl.Int64 for c in ("start_time", "end_time")}
        frame = pl.DataFrame(rows, schema={**SPAN_SCHEMA, **nanos})
        return frame.with_columns(
            pl.col(c) + pl.duration(nanoseconds=pl.col(_nanos(c)).fill_null(0))
            for c in ("start_time", "end_time")
        ).select(*SPAN_SCHEMA)

    def write_inference_logs(self, space: str, name: str, rows: pl.DataFrame) -> int:
        """Append raw feature rows of model `space/name`: a zoned `logged_at` column, an
        optional `record_id` and one column per feature, kept as JSON. Rows are unique by
        (logged_at, record_id): a retried batch is never stored twice. Without a `record_id`,
        a row's id is a hash of its content and its rank among identical rows, so a retry
        matches and different rows logged at the same instant never collide.

        On Postgres the table has a partition per UTC day, created as rows for it arrive.

        Raises:
            DataError: `logged_at` is missing, not a zoned datetime, or null somewhere.
        """
        _check_logged_at(rows)
        features = [c for c in rows.columns if c not in ("logged_at", "record_id")]
        if "record_id" in rows.columns:
            ids = pl.col("record_id").cast(pl.String)
        else:
            content = pl.struct(pl.all()).hash(seed=0)
            ids = pl.concat_str(
                content.cast(pl.String), pl.lit("-"), pl.int_range(pl.len()).over(content)
            )
        frame = rows.select(
            pl.lit(space).alias("space"),
            pl.lit(name).alias("name"),
            pl.col("logged_at"),
            ids.alias("record_id"),
            (pl.struct(features).struct.json_encode() if features else pl.lit("{}")).alias(
                "features"
            ),
        )
        with self._begin() as conn:
            if conn.dialect.name == "postgresql":
                days = frame.select(
                    pl.col("logged_at").dt.convert_time_zone("UTC").dt.date().unique()
                )
                for (day,) in days.iter_rows():
                    _ensure_day_partition(conn, day)
            return write_frame(conn, schema.inference_logs, frame, conflict="ignore")

    def inference_logs(self, space: str, name: str, window: Window) -> pl.DataFrame:
        """The logged rows of `space/name` in `window`, one column per feature."""
        table = schema.inference_logs
        query = (
            sa.select(table.c.logged_at, table.c.record_id, table.c.features)
            .where(
                table.c.space == space,
                table.c.name == name,
                table.c.logged_at >= window.start,
                table.c.logged_at < window.end,
            )
            .order_by(table.c.logged_at, table.c.record_id)
        )
        with self._connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return pl.DataFrame(
                schema={"logged_at": pl.Datetime("us", "UTC"), "record_id": pl.String}
            )
        head = pl.DataFrame(
            {"logged_at": [r.logged_at for r in rows], "record_id": [r.record_id for r in rows]},
            schema={"logged_at": pl.Datetime("us", "UTC"), "record_id": pl.String},
        )
        return pl.concat([head, pl.DataFrame([r.features for r in rows])], how="horizontal")


def _nanos(column: str) -> str:
    """The store column of the nanoseconds past `column`'s microsecond."""
    return column.replace("_time", "_nanos")


def _check_logged_at(rows: pl.DataFrame) -> None:
    dtype = rows.schema.get("logged_at")
    if dtype is None:
        raise DataError(f"inference log rows need a 'logged_at' column; columns are {rows.columns}")
    if not isinstance(dtype, pl.Datetime) or dtype.time_zone is None:
        raise DataError(
            f"inference log column 'logged_at' has dtype {dtype}, expected a Datetime with a "
            "time zone (convert with .dt.replace_time_zone('UTC'))"
        )
    nulls = rows["logged_at"].null_count()
    if nulls:
        raise DataError(f"inference log column 'logged_at' has {nulls} null values")


def _partition_name(day: date) -> str:
    return f"{schema.INFERENCE_LOG_PARTITION_PREFIX}{day:%Y%m%d}"


def _ensure_day_partition(conn: Connection, day: date) -> None:
    """Create the inference-log partition of UTC `day` unless it exists.

    Only a writer that finds it missing takes the lock (held to its commit), so writers of days
    that exist never wait for one another.
    """
    name = _partition_name(day)
    if conn.execute(sa.select(sa.func.to_regclass(name))).scalar() is not None:
        return
    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PARTITION_LOCK)))
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    conn.exec_driver_sql(
        f'CREATE TABLE IF NOT EXISTS "{_partition_name(day)}" PARTITION OF inference_logs '
        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{(start + timedelta(days=1)).isoformat()}')"
    )


def prune_inference_logs(conn: Connection, cutoff: datetime) -> int:
    """Delete inference logs before `cutoff`; return how many rows went."""
    table = schema.inference_logs
    if conn.dialect.name != "postgresql":
        return int(conn.execute(sa.delete(table).where(table.c.logged_at < cutoff)).rowcount)
    # Whole days before the cutoff's day are dropped (cheap, no vacuum); that day is trimmed.
    names = conn.execute(
        sa.text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'inference_logs'"
        )
    ).scalars()
    cutoff_day = cutoff.astimezone(UTC).date()
    deleted = 0
    for relation in sorted(names):
        day = datetime.strptime(
            relation.removeprefix(schema.INFERENCE_LOG_PARTITION_PREFIX), "%Y%m%d"
        ).date()
        if day < cutoff_day:
            deleted += int(conn.execute(sa.text(f'SELECT count(*) FROM "{relation}"')).scalar_one())
            conn.exec_driver_sql(f'DROP TABLE "{relation}"')
    deleted += int(conn.execute(sa.delete(table).where(table.c.logged_at < cutoff)).rowcount)
    return deleted


__getattr__ = moved_names(__name__, {"SPAN_COLUMNS": "scouter_flows.traces.schema:SPAN_SCHEMA"})
