"""What every part of the `Store` shares: the engine, transactions, frames of query results."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
import sqlalchemy as sa

from scouter_flows.errors import ConfigError, StoreError, StoreUnavailableError, first_line
from scouter_flows.sqla import URL, CompoundSelect, Connection, Engine, Select, make_url
from scouter_flows.sqla import create_engine as sqla_engine
from scouter_flows.store.url import redact


class StoreConnection:
    """The engine and the helpers the store's parts use to read and write."""

    url: URL
    _engine: Engine

    @property
    def dialect(self) -> str:
        """`postgresql` or `sqlite`."""
        return self.url.get_backend_name()

    def _frame(
        self, query: Select[Any] | CompoundSelect[Any], schema_: dict[str, Any]
    ) -> pl.DataFrame:
        with self._connect() as conn:
            rows = [tuple(r) for r in conn.execute(query)]
        return pl.DataFrame(rows, schema=schema_, orient="row")

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn:
                yield conn
        except sa.exc.DBAPIError as exc:
            error = store_error(self.url, exc)
            if error is None:
                raise
            raise error from None

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        try:
            with self._engine.begin() as conn:
                yield conn
        except sa.exc.DBAPIError as exc:
            error = store_error(self.url, exc)
            if error is None:
                raise
            raise error from None


def store_error(url: URL, exc: sa.exc.DBAPIError) -> StoreError | None:
    """The error to raise for a driver error: `StoreUnavailableError` when the server did not
    answer (refused, timed out, dropped the connection, a lock held too long), which a caller
    may retry; a `StoreError` for another operational failure; None for an SQL or integrity
    error, which surfaces as it is. Each names the store without its password."""
    message = f"store {redact(url)}: {first_line(exc)}"
    text = str(getattr(exc, "orig", exc)).lower()
    # SQLite reports a missing table or column as an OperationalError too: not an outage.
    schema_problem = url.get_backend_name() == "sqlite" and text.startswith("no such ")
    lost = isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError)
    if (lost or exc.connection_invalidated) and not schema_problem:
        return StoreUnavailableError(message)
    return StoreError(message) if isinstance(exc, sa.exc.OperationalError) else None


def dialect_insert(conn: Connection, table: sa.Table) -> Any:
    """A dialect insert that supports `on_conflict_do_*` (Postgres and SQLite share the API)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a Postgres store to accept a connection (`$SCOUTER_STORE_CONNECT_TIMEOUT`,
or `connect_timeout` in the URL)."""
STATEMENT_TIMEOUT = 600.0
"""Seconds one statement may run on a Postgres store before the server cancels it
(`$SCOUTER_STORE_STATEMENT_TIMEOUT`, 0 for none; or `options=-c statement_timeout=...` in
the URL)."""


def timeout_setting(name: str, default: float) -> float:
    """A timeout in seconds from the environment variable `name`, else `default`."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"${name} must be a number of seconds, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"${name} must not be negative, got {raw!r}")
    return value


def postgres_connect_args(url: URL) -> dict[str, Any]:
    """Connect and statement timeouts for psycopg, unless the URL sets its own: a server that
    accepts connections and never answers fails the run instead of hanging it."""
    args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        seconds = timeout_setting("SCOUTER_STORE_CONNECT_TIMEOUT", CONNECT_TIMEOUT)
        args["connect_timeout"] = max(1, round(seconds))
    statement = timeout_setting("SCOUTER_STORE_STATEMENT_TIMEOUT", STATEMENT_TIMEOUT)
    if "options" not in url.query and statement > 0:
        args["options"] = f"-c statement_timeout={round(statement * 1000)}"
    return args


def create_engine(url: URL) -> Engine:
    """The store's engine: pooled, pre-pinged connections with timeouts on Postgres; on SQLite,
    foreign keys, WAL and writers that take the lock as they begin.

    One engine per URL serves the process (the last few URLs are kept): each `Store` closes
    its connections when it closes, but the statements the engine compiled stay compiled, so
    the steps of a run that each open the store do not compile the same SQL again. An in-memory
    SQLite database is its own engine every time (each is a new, empty database).
    """
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return _new_engine(url, ())
        return _shared_engine(url.render_as_string(hide_password=False), ())
    # The timeouts come from the environment too: a changed setting is another engine.
    args = tuple(sorted(postgres_connect_args(url).items()))
    return _shared_engine(url.render_as_string(hide_password=False), args)


@functools.lru_cache(maxsize=16)
def _shared_engine(rendered: str, connect_args: tuple[tuple[str, Any], ...]) -> Engine:
    return _new_engine(make_url(rendered), connect_args)


def _new_engine(url: URL, connect_args: tuple[tuple[str, Any], ...]) -> Engine:
    driver = url.get_driver_name()
    if url.get_backend_name() == "postgresql" and driver in ("psycopg", "psycopg2"):
        try:
            # SQLAlchemy would fail later, naming only the module.
            __import__(driver)
        except ImportError:
            # SQLAlchemy 1.4 (Airflow 2.11) has no psycopg 3 dialect, so the extra cannot help.
            hint = (
                "the psycopg driver (psycopg 3): pip install 'scouter-flows[postgres]'"
                if driver == "psycopg"
                else "the psycopg2 driver on SQLAlchemy 1.4: pip install psycopg2-binary"
            )
            raise ConfigError(f"a Postgres store needs {hint}") from None
    if url.get_backend_name() != "sqlite":
        return sqla_engine(url, pool_pre_ping=True, connect_args=dict(connect_args))
    engine = sqla_engine(url, connect_args={"timeout": 30})

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
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
