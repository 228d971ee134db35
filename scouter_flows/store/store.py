"""`Store`: the results database (Postgres, or an embedded SQLite file by default)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any, Protocol, cast

import polars as pl
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from scouter_flows.drift.kinds import PROFILE_TYPES, AnyProfile
from scouter_flows.errors import ConfigError, StoreError
from scouter_flows.profiles.alerting import CommonCrons
from scouter_flows.profiles.base import MISSING, DriftProfileBase, ProfileIdentity
from scouter_flows.sqla import URL, ColumnElement, Connection
from scouter_flows.store import schema
from scouter_flows.store.connection import create_engine, dialect_insert
from scouter_flows.store.data_profiles import DataProfiles
from scouter_flows.store.drift_runs import DriftRuns
from scouter_flows.store.eval_runs import EvalRuns
from scouter_flows.store.outbox import Outbox
from scouter_flows.store.telemetry import Telemetry, prune_inference_logs
from scouter_flows.store.url import redact, resolve_url

_OTHER_TYPES: dict[str, type[DriftProfileBase]] = {}
"""Profile types registered from outside `profiles/`, by drift type."""


class StorableProfile(Protocol):
    """What the store needs of a profile: its drift type, identity and JSON."""

    @property
    def drift_type(self) -> str: ...

    @property
    def config(self) -> ProfileIdentity: ...

    def model_dump_json(self) -> str: ...


def profile_model(drift_type: str) -> type[DriftProfileBase] | None:
    """The model of profiles of `drift_type` (psi, spc, custom, genai, or a registered one)."""
    if drift_type == "genai":
        # Imported on first read: opening a store for drift alone never loads the evaluator.
        from scouter_flows.evaluate.profile import AgentEvalProfile

        return AgentEvalProfile
    return PROFILE_TYPES.get(drift_type) or _OTHER_TYPES.get(drift_type)


def register_profile_type(drift_type: str, model: type[DriftProfileBase]) -> None:
    """Let the store read back profiles of `drift_type` as `model`."""
    _OTHER_TYPES[drift_type] = model


_VERSION_TABLE = "scouter_alembic_version"
_MIGRATION_LOCK = 0x5C0_7E12  # Postgres advisory lock id held while migrating


class Store(DriftRuns, EvalRuns, Telemetry, Outbox, DataProfiles):
    """The results store.

    Args:
        url: A SQLAlchemy URL (`postgresql://...` or `sqlite:///...`); default
            `$SCOUTER_DATABASE_URL`, else a SQLite file in the user's data directory.
        auto_upgrade: Migrate the schema to this package's version on open. Default: on for
            SQLite, off for Postgres unless `$SCOUTER_AUTO_UPGRADE` is `true` (run
            `scouter-flows db upgrade` once instead).

    Example:
        >>> with Store("sqlite:///:memory:") as store:
        ...     store.revision() == Store.head_revision()
        True
    """

    def __init__(self, url: str | URL | None = None, *, auto_upgrade: bool | None = None) -> None:
        self.url = resolve_url(url)
        self._engine = create_engine(self.url)
        if auto_upgrade is None:
            env = os.environ.get("SCOUTER_AUTO_UPGRADE", "").strip().lower()
            auto_upgrade = env in ("1", "true", "yes") or self.dialect == "sqlite"
        try:
            if auto_upgrade:
                self.upgrade()
            else:
                self._check_revision()
        except BaseException:
            self._engine.dispose()
            raise

    def __repr__(self) -> str:
        return f"Store({redact(self.url)!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release every pooled connection."""
        self._engine.dispose()

    # -- schema -------------------------------------------------------------------------------

    def upgrade(self, revision: str = "head") -> None:
        """Migrate the schema up to `revision` (concurrent callers on Postgres take turns)."""
        if revision == "head":
            # Opening a store that is already current (every task of every run) reads one row
            # instead of loading the migration scripts.
            with self._connect() as conn:
                if _current_revision(conn) == self.head_revision():
                    return
        with self._begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            self._check_known(conn)
            command.upgrade(_alembic_config(conn), revision)

    def downgrade(self, revision: str) -> None:
        """Migrate the schema down to `revision` (`base` drops every table)."""
        with self._begin() as conn:
            command.downgrade(_alembic_config(conn), revision)

    @staticmethod
    def head_revision() -> str:
        """The schema revision this scouter-flows creates and needs."""
        head = _script_directory().get_current_head()
        assert head is not None  # the package ships its migrations
        return head

    def revision(self) -> str | None:
        """The schema revision of the database, None when it has never been migrated."""
        with self._connect() as conn:
            return _current_revision(conn)

    def _check_revision(self) -> None:
        with self._connect() as conn:
            self._check_known(conn)
            current = _current_revision(conn)
        head = _script_directory().get_current_head()
        if current != head:
            raise StoreError(
                f"the store at {redact(self.url)} is at schema revision {current or 'none'}, "
                f"this scouter-flows needs {head}: run `scouter-flows db upgrade` "
                "(or open the store with auto_upgrade=True)"
            )

    def _check_known(self, conn: Connection) -> None:
        current = _current_revision(conn)
        if current is not None and current not in _known_revisions():
            raise StoreError(
                f"the store at {redact(self.url)} has schema revision {current}, which this "
                "scouter-flows does not know: the database was migrated by a newer version; "
                "upgrade scouter-flows"
            )

    # -- profiles -----------------------------------------------------------------------------

    def register_profile(self, profile: AnyProfile | StorableProfile) -> int:
        """Store `profile` (PSI, SPC or custom) and return its id; registering identical content
        again is a no-op.

        Raises:
            StoreError: this space/name/version is already stored with different content
                (versions are immutable: bump the version).
        """
        config = profile.config
        if MISSING in (config.space, config.name):
            raise ConfigError(
                f"profile {config.space}/{config.name}/{config.version} has no space or name "
                f"(Scouter's placeholder {MISSING!r}): set space= and name= on its config "
                "before storing it"
            )
        body = json.loads(profile.model_dump_json())
        digest = _content_hash(body)
        key = (config.space, config.name, config.version, profile.drift_type)
        table = schema.profiles
        with self._begin() as conn:
            stmt = (
                dialect_insert(conn, table)
                .values(
                    space=config.space,
                    name=config.name,
                    version=config.version,
                    drift_type=profile.drift_type,
                    body=body,
                    content_hash=digest,
                    created_at=datetime.now(UTC),
                )
                .on_conflict_do_nothing(index_elements=["space", "name", "version", "drift_type"])
            )
            conn.execute(stmt)
            row = conn.execute(
                sa.select(table.c.id, table.c.content_hash, table.c.body).where(
                    table.c.space == key[0],
                    table.c.name == key[1],
                    table.c.version == key[2],
                    table.c.drift_type == key[3],
                )
            ).one()
        if row.content_hash != digest and not _same_content(profile, row.body):
            raise StoreError(
                f"profile {config.key} ({profile.drift_type}) is already stored with different "
                "content; profile versions are immutable: register it under a new version"
            )
        return int(row.id)

    def get_profile(
        self, space: str, name: str, version: str, drift_type: str | None = None
    ) -> tuple[int, Any]:
        """The id and the profile stored as `space/name/version` (of `drift_type`, needed only
        when profiles of several types share that key).

        Raises:
            StoreError: no such profile, or several and no `drift_type` to choose.
        """
        table = schema.profiles
        query = sa.select(table.c.id, table.c.drift_type, table.c.body).where(
            table.c.space == space, table.c.name == name, table.c.version == version
        )
        if drift_type is not None:
            query = query.where(table.c.drift_type == drift_type)
        with self._connect() as conn:
            rows = conn.execute(query).all()
        key = f"{space}/{name}/{version}"
        if not rows:
            kind = f" of drift type {drift_type!r}" if drift_type else ""
            raise StoreError(f"unknown profile {key}{kind}: register it first")
        if len(rows) > 1:
            raise StoreError(
                f"profile {key} is stored as {sorted(r.drift_type for r in rows)}: "
                "say which with drift_type"
            )
        row = rows[0]
        model = profile_model(row.drift_type)
        if model is None:
            raise StoreError(f"stored profile {key} has unknown drift type {row.drift_type!r}")
        return int(row.id), model.model_validate_profile(row.body, source=f"stored profile {key}")

    def profiles(self, *, active_only: bool = True) -> pl.DataFrame:
        """Registered profiles: profile_id, space, name, version, drift_type, active, created_at."""
        table = schema.profiles
        query = sa.select(
            table.c.id.label("profile_id"),
            table.c.space,
            table.c.name,
            table.c.version,
            table.c.drift_type,
            table.c.active,
            table.c.created_at,
        ).order_by(table.c.space, table.c.name, table.c.version, table.c.drift_type)
        if active_only:
            query = query.where(table.c.active.is_(True))
        return self._frame(
            query,
            {
                "profile_id": pl.Int64,
                "space": pl.String,
                "name": pl.String,
                "version": pl.String,
                "drift_type": pl.String,
                "active": pl.Boolean,
                "created_at": pl.Datetime("us", "UTC"),
            },
        )

    def monitors(self) -> list[dict[str, str]]:
        """Every active profile with the schedule its alert config names (UTC cron): what a
        scheduler needs to run one monitor per profile. Keys: space, name, version, drift_type,
        schedule."""
        table = schema.profiles
        keys = (table.c.space, table.c.name, table.c.version, table.c.drift_type)
        query = sa.select(*keys, table.c.body).where(table.c.active.is_(True)).order_by(*keys)
        with self._connect() as conn:
            rows = conn.execute(query).all()
        return [
            {
                "space": row.space,
                "name": row.name,
                "version": row.version,
                "drift_type": row.drift_type,
                "schedule": str(
                    ((row.body.get("config") or {}).get("alert_config") or {}).get("schedule")
                    or CommonCrons.EveryDay.value
                ),
            }
            for row in rows
        ]

    # -- retention ----------------------------------------------------------------------------

    def prune(self, older_than: timedelta, *, now: datetime | None = None) -> dict[str, int]:
        """Delete runs (with their results and alerts), eval runs, spans, data profiles and
        inference logs whose window or time ended before `now - older_than`. Returns rows
        deleted per kind.

        On Postgres whole day partitions of the inference logs are dropped.
        """
        if older_than <= timedelta(0):
            raise ConfigError(f"older_than must be positive, got {older_than}")
        cutoff = (now or datetime.now(UTC)) - older_than
        deleted: dict[str, int] = {}
        evals, results = schema.eval_runs, schema.eval_results
        with self._begin() as conn:
            # Runs first, then the rows of exactly the runs deleted: a writer holding a run's
            # row lock makes this wait and its committed rows go with the run; a writer coming
            # after it inserts a new run. Deleting results by a sub-select first would miss
            # rows committed between the two statements and leave them orphaned.
            ids = list(
                conn.execute(
                    sa.delete(evals).where(evals.c.window_end < cutoff).returning(evals.c.id)
                ).scalars()
            )
            for chunk in range(0, len(ids), _ID_CHUNK):
                conn.execute(
                    sa.delete(results).where(results.c.run_id.in_(ids[chunk : chunk + _ID_CHUNK]))
                )
            deleted["drift_runs"] = conn.execute(
                sa.delete(schema.drift_runs).where(schema.drift_runs.c.window_end < cutoff)
            ).rowcount
            deleted["eval_runs"] = len(ids)
            for label, table, column in (
                ("spans", schema.spans, schema.spans.c.end_time),
                ("data_profiles", schema.data_profiles, schema.data_profiles.c.window_end),
            ):
                deleted[label] = conn.execute(sa.delete(table).where(column < cutoff)).rowcount
            deleted["inference_logs"] = prune_inference_logs(conn, cutoff)
        return deleted

    def orphans(self) -> dict[str, int]:
        """Rows whose run no longer exists, per table (all zero in a healthy store).

        `eval_results` has no foreign key (its rows go in by COPY); the other tables' keys
        cascade, so they count only rows left by an older release or a store whose foreign
        keys were switched off.
        """
        counts: dict[str, int] = {}
        with self._connect() as conn:
            for label, table, condition in _orphaned():
                query = sa.select(sa.func.count()).select_from(table).where(condition)
                counts[label] = counts.get(label, 0) + int(conn.execute(query).scalar_one())
        return counts

    def remove_orphans(self) -> dict[str, int]:
        """Delete the rows `orphans()` counts, in one transaction; returns the rows per table."""
        deleted: dict[str, int] = {}
        with self._begin() as conn:
            for label, table, condition in _orphaned():
                rows = conn.execute(sa.delete(table).where(condition)).rowcount
                deleted[label] = deleted.get(label, 0) + rows
        return deleted


_ID_CHUNK = 10_000
"""Run ids per `IN (...)` (SQLite's bound-parameter limit is 32,766)."""


def _orphaned() -> list[tuple[str, sa.Table, ColumnElement[bool]]]:
    """Per child table and run column, the condition of a row whose run is gone."""
    outbox = schema.alerts
    links: list[tuple[sa.Table, sa.Column[Any], sa.Table]] = [
        (schema.eval_results, schema.eval_results.c.run_id, schema.eval_runs),
        (schema.drift_results, schema.drift_results.c.run_id, schema.drift_runs),
        (schema.metric_results, schema.metric_results.c.run_id, schema.drift_runs),
        (outbox, outbox.c.run_id, schema.drift_runs),
        (outbox, outbox.c.eval_run_id, schema.eval_runs),
    ]
    return [
        (
            child.name,
            child,
            sa.and_(column.is_not(None), ~sa.exists().where(parent.c.id == column)),
        )
        for child, column, parent in links
    ]


def _same_content(profile: AnyProfile | StorableProfile, stored: dict[str, Any]) -> bool:
    """Whether a stored body means `profile`: a profile stored by an earlier release lacks
    fields added since (such as `alert_config`), which read back as their defaults."""
    try:
        again = cast(Any, type(profile)).model_validate(stored)
    except ValueError:
        return False
    fresh = json.loads(profile.model_dump_json())
    return _content_hash(json.loads(again.model_dump_json())) == _content_hash(fresh)


def _content_hash(body: dict[str, Any]) -> str:
    # created_at differs between two builds of the same profile; it is not content.
    content = {k: v for k, v in body.items() if k != "created_at"}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


@functools.cache
def _script_directory() -> ScriptDirectory:
    """The package's migration scripts (read once: they ship with it)."""
    return ScriptDirectory.from_config(_base_config())


@functools.cache
def _known_revisions() -> frozenset[str]:
    return frozenset(rev.revision for rev in _script_directory().walk_revisions())


def _base_config() -> Config:
    config = Config()
    location = resources.files("scouter_flows.store") / "migrations"
    config.set_main_option("script_location", str(location))
    return config


def _alembic_config(conn: Connection) -> Config:
    config = _base_config()
    config.attributes["connection"] = conn
    return config


def _current_revision(conn: Connection) -> str | None:
    context = MigrationContext.configure(conn, opts={"version_table": _VERSION_TABLE})
    return context.get_current_revision()
