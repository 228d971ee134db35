"""What every part of the `Store` shares: the engine, transactions, frames of query results."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
import sqlalchemy as sa

from scouter_flows.errors import StoreError
from scouter_flows.store.url import redact


class StoreConnection:
    """The engine and the helpers the store's parts use to read and write."""

    url: sa.URL
    _engine: sa.Engine

    @property
    def dialect(self) -> str:
        """`postgresql` or `sqlite`."""
        return self.url.get_backend_name()

    def _frame(
        self, query: sa.Select[Any] | sa.CompoundSelect[Any], schema_: dict[str, Any]
    ) -> pl.DataFrame:
        with self._connect() as conn:
            rows = [tuple(r) for r in conn.execute(query)]
        return pl.DataFrame(rows, schema=schema_, orient="row")

    @contextmanager
    def _connect(self) -> Iterator[sa.Connection]:
        try:
            with self._engine.connect() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            raise StoreError(f"store {redact(self.url)}: {first_line(exc)}") from None

    @contextmanager
    def _begin(self) -> Iterator[sa.Connection]:
        try:
            with self._engine.begin() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            raise StoreError(f"store {redact(self.url)}: {first_line(exc)}") from None


def dialect_insert(conn: sa.Connection, table: sa.Table) -> Any:
    """A dialect insert that supports `on_conflict_do_*` (Postgres and SQLite share the API)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def create_engine(url: sa.URL) -> sa.Engine:
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, start transactions, so BEGIN IMMEDIATE below takes the
        # write lock up front: two writers then queue instead of failing on a lock upgrade.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
