"""Which database the store opens, and how its URL is shown without the password."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from platformdirs import user_data_dir

from scouter_flows.errors import ConfigError

ENV_VAR = "SCOUTER_DATABASE_URL"
SUPPORTED_DIALECTS = ("sqlite", "postgresql")


def default_sqlite_path() -> Path:
    """The embedded default store: `scouter-flows.db` in the user's data directory."""
    return Path(user_data_dir("scouter-flows", appauthor=False)) / "scouter-flows.db"


def resolve_url(url: str | sa.URL | None = None) -> sa.URL:
    """The store URL: `url`, else `$SCOUTER_DATABASE_URL`, else the embedded SQLite file.

    `postgresql://` URLs are given the psycopg 3 driver.

    Raises:
        ConfigError: the URL cannot be parsed or names an unsupported database.
    """
    raw = url if url is not None else os.environ.get(ENV_VAR) or None
    if raw is None:
        path = default_sqlite_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return sa.URL.create("sqlite", database=str(path))
    try:
        parsed = sa.make_url(raw)
    except sa.exc.ArgumentError:
        raise ConfigError(
            "the store URL is not a valid SQLAlchemy URL (expected for example "
            "postgresql://user@host/db or sqlite:///path/to/file.db)"
        ) from None
    if parsed.get_backend_name() not in SUPPORTED_DIALECTS:
        raise ConfigError(
            f"unsupported store database {parsed.get_backend_name()!r} in "
            f"{redact(parsed)}: expected one of {list(SUPPORTED_DIALECTS)}"
        )
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return parsed


def redact(url: sa.URL) -> str:
    """`url` as text with any password replaced by `***`."""
    return url.render_as_string(hide_password=True)
