"""Which database the store opens, and how its URL is shown without the password."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from platformdirs import user_data_dir

from scouter_flows.errors import ConfigError
from scouter_flows.sqla import URL, make_url, postgres_url

ENV_VAR = "SCOUTER_DATABASE_URL"
SUPPORTED_DIALECTS = ("sqlite", "postgresql")


def default_sqlite_path() -> Path:
    """The embedded default store: `scouter-flows.db` in the user's data directory."""
    return Path(user_data_dir("scouter-flows", appauthor=False)) / "scouter-flows.db"


def resolve_url(url: str | URL | None = None) -> URL:
    """The store URL: `url`, else `$SCOUTER_DATABASE_URL`, else the embedded SQLite file.

    `postgresql://` URLs are given the psycopg 3 driver (psycopg2 on SQLAlchemy 1.4).

    Raises:
        ConfigError: the URL cannot be parsed or names an unsupported database.
    """
    raw = url if url is not None else os.environ.get(ENV_VAR) or None
    if raw is None:
        path = default_sqlite_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return URL.create("sqlite", database=str(path))
    try:
        parsed = make_url(raw)
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
    parsed = postgres_url(parsed)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return parsed


def redact(url: URL) -> str:
    """`url` as text with any password replaced by `***`."""
    return url.render_as_string(hide_password=True)


EMBEDDED = "the embedded default"


@dataclass(frozen=True)
class StoreChoice:
    """Which store a run writes to and where that choice came from.

    Every orchestrator resolves its store by one rule (an explicit connection, block or URL,
    then the orchestrator's default connection, then `$SCOUTER_DATABASE_URL`, then the embedded
    SQLite file) and logs `describe()` in each task, so a run's log always says where its
    results went.

    Example:
        >>> choice = StoreChoice("postgresql://monitor:secret@db/monitoring", "block 'prod'")
        >>> choice.describe()
        "store postgresql://monitor:***@db/monitoring (from block 'prod')"
        >>> choice.embedded
        False
    """

    url: str
    origin: str

    @property
    def embedded(self) -> bool:
        """True when nothing named a store and the embedded SQLite file is used."""
        return self.origin == EMBEDDED

    @property
    def shown(self) -> str:
        """The URL without its password."""
        try:
            return redact(make_url(self.url))
        except sa.exc.ArgumentError:
            return "(a URL that cannot be parsed)"

    def describe(self) -> str:
        """One line for the task log: the URL without password, and its origin."""
        return f"store {self.shown} (from {self.origin})"

    def warning(self) -> str | None:
        """What to tell the user when the embedded file is used, else None."""
        if not self.embedded:
            return None
        return (
            f"no store is configured, so results go to the SQLite file "
            f"{make_url(self.url).database}, "
            "private to this machine: configure the store (a connection, block or "
            f"${ENV_VAR}) where the runs execute"
        )

    def log_to(self, logger: logging.Logger | logging.LoggerAdapter[Any]) -> None:
        """Say in a task's log which store it uses (a warning for the embedded file)."""
        warning = self.warning()
        if warning:
            logger.warning("Store: %s", warning)
        else:
            logger.info("Using the %s", self.describe())

    def report(self, summary: dict[str, Any]) -> dict[str, Any]:
        """`summary` with the store (no password) and, for the embedded file, the warning."""
        summary["store"] = self.shown
        warning = self.warning()
        if warning:
            summary["store_warning"] = warning
        return summary


def choose_store(*named: tuple[str, str | None]) -> StoreChoice:
    """The first of `named` `(origin, url)` pairs with a URL, else `$SCOUTER_DATABASE_URL`,
    else the embedded SQLite file.

    Example:
        >>> choose_store(("store_url", None), ("store_url", "sqlite:///ops.db")).origin
        'store_url'
    """
    for origin, url in named:
        if url:
            return StoreChoice(url, origin)
    if os.environ.get(ENV_VAR):
        return StoreChoice(os.environ[ENV_VAR], f"${ENV_VAR}")
    return StoreChoice(f"sqlite:///{default_sqlite_path()}", EMBEDDED)


def has_password(url: str | None) -> bool:
    """Whether `url` holds a password (text that cannot be parsed holds none we can see)."""
    if not url:
        return False
    try:
        return bool(make_url(url).password)
    except sa.exc.ArgumentError:
        return False
