"""Bulk writes of large result sets: Postgres COPY, SQLite executemany.

Frames come in with the target table's column names; JSON columns hold JSON text, timestamps
are zoned. On Postgres the rows are written as CSV by Polars (Rust) and streamed through
psycopg's COPY: straight into the table when no row can conflict, else into a temporary
staging table and from there with one `INSERT ... ON CONFLICT`.
"""

from __future__ import annotations

import io
from typing import Any, Literal

import polars as pl
import sqlalchemy as sa

from scouter_flows.errors import DataError
from scouter_flows.limits import check_frame_text
from scouter_flows.sqla import Connection

Conflict = Literal["none", "ignore", "update"]
"""`none`: no row can conflict (COPY straight in); `ignore`: keep the stored row; `update`:
replace it."""

_COPY_CHUNK_ROWS = 200_000


def write_frame(
    conn: Connection,
    table: sa.Table,
    frame: pl.DataFrame,
    *,
    conflict: Conflict = "none",
) -> int:
    """Write every row of `frame` into `table` inside the caller's transaction.

    Raises:
        DataError: `frame` lacks a column of `table` or has one `table` does not know, or a
            text is longer than its column holds (checked on both backends; SQLite would keep
            it, Postgres would refuse it), before any row of `frame` is written.
    """
    columns = [c.name for c in table.columns]
    missing = [c for c in columns if c not in frame.columns and not _has_default(table, c)]
    extra = [c for c in frame.columns if c not in columns]
    if missing or extra:
        raise DataError(
            f"rows for table {table.name!r} must have the columns {columns}; "
            + (f"missing {missing}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unknown {extra}" if extra else "")
        )
    if frame.is_empty():
        return 0
    sized = {
        c.name: c.type.length
        for c in table.columns
        if isinstance(c.type, sa.String) and c.type.length is not None
    }
    check_frame_text(frame, sized, f"rows for table {table.name!r}")
    if conn.dialect.name == "postgresql":
        _copy_postgres(conn, table, frame, conflict)
    else:
        _insert_sqlite(conn, table, frame, conflict)
    return frame.height


def _has_default(table: sa.Table, column: str) -> bool:
    col = table.c[column]
    return col.server_default is not None or col.default is not None


def _copy_postgres(
    conn: Connection, table: sa.Table, frame: pl.DataFrame, conflict: Conflict
) -> None:
    raw: Any = conn.connection.driver_connection
    if conflict == "none":
        _copy(raw, table.name, frame)
        return
    # Optimistic: most batches hold no row that is already stored, and a COPY straight into the
    # table costs half of COPY-to-staging plus INSERT ... SELECT. A conflict rolls the attempt
    # back (to a savepoint) and takes the staging path.
    try:
        with conn.begin_nested():  # a SAVEPOINT within the caller's transaction
            _copy(raw, table.name, frame)
        return
    except Exception as exc:
        if getattr(exc, "sqlstate", getattr(exc, "pgcode", None)) != _UNIQUE_VIOLATION:
            raise
    stage = f"_stage_{table.name}"
    names = ", ".join(f'"{c}"' for c in frame.columns)
    key = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
    action = "DO NOTHING"
    if conflict == "update":
        updates = [c for c in frame.columns if c not in table.primary_key.columns]
        action = "DO UPDATE SET " + ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in updates)
    with raw.cursor() as cursor:
        cursor.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" (LIKE "{table.name}") ON COMMIT DROP'
        )
        cursor.execute(f'TRUNCATE "{stage}"')
    _copy(raw, stage, frame)
    with raw.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{stage}" '
            f"ON CONFLICT ({key}) {action}"
        )


_UNIQUE_VIOLATION = "23505"
"""The SQLSTATE of a duplicate key, as psycopg 3 (`sqlstate`) and psycopg2 (`pgcode`) name it."""


def _copy(raw: Any, target: str, frame: pl.DataFrame) -> None:
    names = ", ".join(f'"{c}"' for c in frame.columns)
    sql = f'COPY "{target}" ({names}) FROM STDIN (FORMAT csv)'
    chunks = (
        chunk.write_csv(include_header=False, null_value="")
        for chunk in frame.iter_slices(_COPY_CHUNK_ROWS)
    )
    with raw.cursor() as cursor:
        if not hasattr(cursor, "copy"):  # psycopg2, under SQLAlchemy 1.4
            for text in chunks:
                cursor.copy_expert(sql, io.StringIO(text))
            return
        with cursor.copy(sql) as copy:
            for text in chunks:
                copy.write(text)


def _insert_sqlite(
    conn: Connection, table: sa.Table, frame: pl.DataFrame, conflict: Conflict
) -> None:
    # Written through the DBAPI cursor so JSON text and timestamps go in as SQLAlchemy's own
    # SQLite types store them (TEXT, naive UTC) without a per-row Python round trip.
    prepared = frame.with_columns(
        pl.col(c).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S.%6f")
        for c, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime)
    )
    verb = {"none": "INSERT", "ignore": "INSERT OR IGNORE", "update": "INSERT OR REPLACE"}[conflict]
    names = ", ".join(f'"{c}"' for c in prepared.columns)
    marks = ", ".join("?" for _ in prepared.columns)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for chunk in prepared.iter_slices(_COPY_CHUNK_ROWS):
            cursor.executemany(
                f'{verb} INTO "{table.name}" ({names}) VALUES ({marks})', chunk.rows()
            )
    finally:
        cursor.close()
