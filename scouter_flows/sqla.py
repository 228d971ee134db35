"""SQLAlchemy 1.4 and 2.x from one source.

Airflow 2 pins SQLAlchemy below 2.0, so a store that only ran on 2.x could not be installed
beside it. The store is written in the 2.0 style, which 1.4 speaks when an engine is created
with `future=True`; the names it uses come from the module paths both releases share.
SQLAlchemy 1.4 has no psycopg 3 dialect, so there a Postgres store goes through psycopg2
(the same libpq, the same COPY).

Example:
    >>> url = make_url("postgresql://monitor@db/monitoring")
    >>> postgres_url(url).get_driver_name() == POSTGRES_DRIVER
    True
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.sql.expression import ColumnElement, CompoundSelect, Select

__all__ = [
    "POSTGRES_DRIVER",
    "SQLALCHEMY_2",
    "URL",
    "ColumnElement",
    "CompoundSelect",
    "Connection",
    "Engine",
    "Select",
    "create_engine",
    "make_url",
    "postgres_url",
]

SQLALCHEMY_2 = int(sa.__version__.split(".", 1)[0]) >= 2
"""True on SQLAlchemy 2.x, False on 1.4."""

POSTGRES_DRIVER = "psycopg" if SQLALCHEMY_2 else "psycopg2"
"""The driver a `postgresql://` store URL is given: psycopg 3, or psycopg2 on SQLAlchemy 1.4."""

_LIBPQ_DRIVERS = ("", "psycopg", "psycopg2")


def postgres_url(url: URL) -> URL:
    """`url` with the Postgres driver this SQLAlchemy has, when it names a libpq driver or none;
    any other driver (asyncpg, pg8000) is kept as given."""
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in _LIBPQ_DRIVERS:
        return url.set(drivername=f"postgresql+{POSTGRES_DRIVER}")
    return url


def create_engine(url: URL | str, **kwargs: Any) -> Engine:
    """`sqlalchemy.create_engine` with 2.0 semantics on either release."""
    if not SQLALCHEMY_2:
        kwargs.setdefault("future", True)
    return sa.create_engine(url, **kwargs)


def _sqlite_returning() -> None:
    # SQLite has had RETURNING since 3.35 (2021) and SQLAlchemy 2.0 compiles it; 1.4's SQLite
    # compiler refuses it. The clause is the standard one Postgres's compiler writes, after
    # ON CONFLICT and WHERE, where SQLite wants it.
    from sqlalchemy.dialects.postgresql.base import PGCompiler
    from sqlalchemy.dialects.sqlite.base import SQLiteCompiler

    SQLiteCompiler.returning_clause = PGCompiler.returning_clause  # type: ignore[method-assign]


if not SQLALCHEMY_2:
    _sqlite_returning()
