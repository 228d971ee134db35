"""`Store`: the results database (Postgres, or an embedded SQLite file by default)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import polars as pl
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from scouter_flows.errors import StoreError
from scouter_flows.profiles.psi import PsiDriftProfile
from scouter_flows.profiles.results import DriftResult
from scouter_flows.sources.window import Window
from scouter_flows.store import schema
from scouter_flows.store.records import AlertRecord, RunWritten, StoredAlert
from scouter_flows.store.url import redact, resolve_url

_VERSION_TABLE = "scouter_alembic_version"
_MIGRATION_LOCK = 0x5C0_7E12  # Postgres advisory lock id held while migrating


class Store:
    """The results store.

    Args:
        url: A SQLAlchemy URL (`postgresql://...` or `sqlite:///...`); default
            `$SCOUTER_DATABASE_URL`, else a SQLite file in the user's data directory.
        auto_upgrade: Migrate the schema to this package's version on open. Default: on for
            SQLite, off for Postgres unless `$SCOUTER_AUTO_UPGRADE` is `true` (run
            `scouter-flows db upgrade` once instead).

    Example:
        >>> with Store("sqlite:///:memory:") as store:
        ...     store.revision()
        '0001'
    """

    def __init__(
        self, url: str | sa.URL | None = None, *, auto_upgrade: bool | None = None
    ) -> None:
        self.url = resolve_url(url)
        self._engine = _create_engine(self.url)
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

    @property
    def dialect(self) -> str:
        """`postgresql` or `sqlite`."""
        return self.url.get_backend_name()

    # -- schema -------------------------------------------------------------------------------

    def upgrade(self, revision: str = "head") -> None:
        """Migrate the schema up to `revision` (concurrent callers on Postgres take turns)."""
        with self._begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            self._check_known(conn)
            command.upgrade(_alembic_config(conn), revision)

    def downgrade(self, revision: str) -> None:
        """Migrate the schema down to `revision` (`base` drops every table)."""
        with self._begin() as conn:
            command.downgrade(_alembic_config(conn), revision)

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

    def _check_known(self, conn: sa.Connection) -> None:
        current = _current_revision(conn)
        if current is not None and current not in _known_revisions():
            raise StoreError(
                f"the store at {redact(self.url)} has schema revision {current}, which this "
                "scouter-flows does not know: the database was migrated by a newer version; "
                "upgrade scouter-flows"
            )

    # -- profiles -----------------------------------------------------------------------------

    def register_profile(self, profile: PsiDriftProfile) -> int:
        """Store `profile` and return its id; registering identical content again is a no-op.

        Raises:
            StoreError: this space/name/version is already stored with different content
                (versions are immutable: bump the version).
        """
        body = json.loads(profile.model_dump_json())
        digest = _content_hash(body)
        config = profile.config
        key = (config.space, config.name, config.version, profile.drift_type)
        table = schema.profiles
        with self._begin() as conn:
            stmt = (
                _insert(conn, table)
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
                sa.select(table.c.id, table.c.content_hash).where(
                    table.c.space == key[0],
                    table.c.name == key[1],
                    table.c.version == key[2],
                    table.c.drift_type == key[3],
                )
            ).one()
        if row.content_hash != digest:
            raise StoreError(
                f"profile {config.key} ({profile.drift_type}) is already stored with different "
                "content; profile versions are immutable: register it under a new version"
            )
        return int(row.id)

    def get_profile(self, space: str, name: str, version: str) -> tuple[int, PsiDriftProfile]:
        """The id and the profile stored as `space/name/version`.

        Raises:
            StoreError: no such profile.
        """
        table = schema.profiles
        with self._connect() as conn:
            row = conn.execute(
                sa.select(table.c.id, table.c.body).where(
                    table.c.space == space, table.c.name == name, table.c.version == version
                )
            ).one_or_none()
        if row is None:
            raise StoreError(f"unknown profile {space}/{name}/{version}: register it first")
        return int(row.id), PsiDriftProfile.model_validate_profile(
            row.body, source=f"stored profile {space}/{name}/{version}"
        )

    # -- drift runs ---------------------------------------------------------------------------

    def write_drift_run(
        self,
        profile_id: int,
        window: Window,
        result: DriftResult,
        alerts: Sequence[AlertRecord] = (),
        *,
        started_at: datetime | None = None,
    ) -> RunWritten:
        """Write a run, its per-feature results and its alerts in one transaction.

        The run is keyed by (profile, window): a re-run replaces the earlier results, and two
        concurrent writers end with one complete set. Alerts already sent for this run stay
        sent (a re-run never re-notifies); the others are replaced by `alerts` as `pending`.
        """
        now = datetime.now(UTC)
        status = "drift" if result.has_drift else _run_status(result)
        runs, results, outbox = schema.drift_runs, schema.drift_results, schema.alerts
        run_values: dict[str, Any] = {
            "status": status,
            "started_at": started_at or now,
            "finished_at": now,
            "rows_observed": result.rows,
            "error": None,
        }
        with self._begin() as conn:
            upsert = _insert(conn, runs).values(
                profile_id=profile_id,
                window_start=window.start,
                window_end=window.end,
                **run_values,
            )
            run_id = conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=["profile_id", "window_start", "window_end"], set_=run_values
                ).returning(runs.c.id)
            ).scalar_one()
            conn.execute(sa.delete(results).where(results.c.run_id == run_id))
            conn.execute(
                sa.insert(results),
                [
                    {
                        "run_id": run_id,
                        "feature": f.feature,
                        "value": f.value,
                        "threshold": f.threshold,
                        "status": f.status,
                        "payload": f.model_dump(
                            mode="json", exclude={"feature", "value", "threshold", "status"}
                        ),
                    }
                    for f in result.features
                ],
            )
            conn.execute(
                sa.delete(outbox).where(outbox.c.run_id == run_id, outbox.c.status != "sent")
            )
            if alerts:
                conn.execute(
                    _insert(conn, outbox).on_conflict_do_nothing(
                        index_elements=["run_id", "dedup_key"]
                    ),
                    [
                        {
                            "run_id": run_id,
                            "dedup_key": a.dedup_key,
                            "entity": a.entity,
                            "kind": a.kind,
                            "severity": a.severity,
                            "value": a.value,
                            "threshold": a.threshold,
                            "message": a.message,
                            "status": "pending",
                            "attempts": 0,
                            "created_at": now,
                        }
                        for a in alerts
                    ],
                )
            pending = conn.execute(
                sa.select(sa.func.count())
                .select_from(outbox)
                .where(outbox.c.run_id == run_id, outbox.c.status != "sent")
            ).scalar_one()
        return RunWritten(
            run_id=int(run_id),
            profile_id=profile_id,
            window_start=window.start.isoformat(),
            window_end=window.end.isoformat(),
            status=status,
            rows_observed=result.rows,
            features=len(result.features),
            drifted=result.drifted,
            pending_alerts=int(pending),
        )

    def drift_results(self, run_id: int) -> pl.DataFrame:
        """Per-feature results of one run: feature, value, threshold, status."""
        table = schema.drift_results
        query = (
            sa.select(table.c.feature, table.c.value, table.c.threshold, table.c.status)
            .where(table.c.run_id == run_id)
            .order_by(table.c.feature)
        )
        return self._frame(
            query,
            {
                "feature": pl.String,
                "value": pl.Float64,
                "threshold": pl.Float64,
                "status": pl.String,
            },
        )

    def runs(self, space: str | None = None, name: str | None = None) -> pl.DataFrame:
        """Drift runs, newest window first, with their profile's space, name and version."""
        runs, profiles = schema.drift_runs, schema.profiles
        query = (
            sa.select(
                runs.c.id.label("run_id"),
                profiles.c.space,
                profiles.c.name,
                profiles.c.version,
                runs.c.window_start,
                runs.c.window_end,
                runs.c.status,
                runs.c.rows_observed,
                runs.c.finished_at,
            )
            .join(profiles, profiles.c.id == runs.c.profile_id)
            .order_by(runs.c.window_end.desc(), runs.c.id.desc())
        )
        if space is not None:
            query = query.where(profiles.c.space == space)
        if name is not None:
            query = query.where(profiles.c.name == name)
        return self._frame(
            query,
            {
                "run_id": pl.Int64,
                "space": pl.String,
                "name": pl.String,
                "version": pl.String,
                "window_start": pl.Datetime("us", "UTC"),
                "window_end": pl.Datetime("us", "UTC"),
                "status": pl.String,
                "rows_observed": pl.Int64,
                "finished_at": pl.Datetime("us", "UTC"),
            },
        )

    # -- alert outbox -------------------------------------------------------------------------

    def alerts(self, run_id: int | None = None, status: str | None = None) -> list[StoredAlert]:
        """Alerts in the outbox, oldest first, optionally of one run and/or one status."""
        table = schema.alerts
        query = sa.select(table).order_by(table.c.id)
        if run_id is not None:
            query = query.where(table.c.run_id == run_id)
        if status is not None:
            query = query.where(table.c.status == status)
        with self._connect() as conn:
            return [StoredAlert(**row._asdict()) for row in conn.execute(query)]

    def mark_alert_sent(self, alert_id: int, provider_ref: str | None) -> None:
        """Record a delivered alert."""
        table = schema.alerts
        with self._begin() as conn:
            conn.execute(
                sa.update(table)
                .where(table.c.id == alert_id)
                .values(
                    status="sent",
                    attempts=table.c.attempts + 1,
                    provider_ref=provider_ref,
                    sent_at=datetime.now(UTC),
                    last_error=None,
                )
            )

    def mark_alert_failed(self, alert_id: int, error: str) -> None:
        """Record a failed delivery attempt; the alert stays in the outbox for a retry."""
        table = schema.alerts
        with self._begin() as conn:
            conn.execute(
                sa.update(table)
                .where(table.c.id == alert_id)
                .values(status="failed", attempts=table.c.attempts + 1, last_error=error[:4000])
            )

    # -- plumbing -----------------------------------------------------------------------------

    def _frame(self, query: sa.Select[Any], schema_: dict[str, Any]) -> pl.DataFrame:
        with self._connect() as conn:
            rows = [tuple(r) for r in conn.execute(query)]
        return pl.DataFrame(rows, schema=schema_, orient="row")

    @contextmanager
    def _connect(self) -> Iterator[sa.Connection]:
        try:
            with self._engine.connect() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            raise StoreError(f"store {redact(self.url)}: {_first_line(exc)}") from None

    @contextmanager
    def _begin(self) -> Iterator[sa.Connection]:
        try:
            with self._engine.begin() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            raise StoreError(f"store {redact(self.url)}: {_first_line(exc)}") from None


def _run_status(result: DriftResult) -> str:
    if result.features and all(f.status == "insufficient_data" for f in result.features):
        return "insufficient_data"
    return "ok"


def _content_hash(body: dict[str, Any]) -> str:
    # created_at differs between two builds of the same profile; it is not content.
    content = {k: v for k, v in body.items() if k != "created_at"}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    """A dialect insert that supports `on_conflict_do_*` (Postgres and SQLite share the API)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _create_engine(url: sa.URL) -> sa.Engine:
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


def _script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(_base_config())


def _known_revisions() -> set[str]:
    return {rev.revision for rev in _script_directory().walk_revisions()}


def _base_config() -> Config:
    config = Config()
    location = resources.files("scouter_flows.store") / "migrations"
    config.set_main_option("script_location", str(location))
    return config


def _alembic_config(conn: sa.Connection) -> Config:
    config = _base_config()
    config.attributes["connection"] = conn
    return config


def _current_revision(conn: sa.Connection) -> str | None:
    context = MigrationContext.configure(conn, opts={"version_table": _VERSION_TABLE})
    return context.get_current_revision()
