"""`Store`: the results database (Postgres, or an embedded SQLite file by default)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

import polars as pl
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from scouter_flows.errors import ConfigError, DataError, StoreError
from scouter_flows.profiles.custom import CustomDriftProfile
from scouter_flows.profiles.psi import PsiDriftProfile
from scouter_flows.profiles.results import CustomDriftResult, DriftResult, SpcDriftResult
from scouter_flows.profiles.spc import SpcDriftProfile
from scouter_flows.sources.window import Window
from scouter_flows.store import schema
from scouter_flows.store.bulk import write_frame
from scouter_flows.store.records import AlertRecord, EvalRunWritten, RunWritten, StoredAlert
from scouter_flows.store.url import redact, resolve_url

AnyProfile = PsiDriftProfile | SpcDriftProfile | CustomDriftProfile
AnyResult = DriftResult | SpcDriftResult | CustomDriftResult
PROFILE_TYPES: dict[str, type[AnyProfile]] = {
    "psi": PsiDriftProfile,
    "spc": SpcDriftProfile,
    "custom": CustomDriftProfile,
}
SPC_LIMIT = 3.0
"""An SPC feature's stored value is its largest |z|; beyond 3 standard errors is out of bounds."""

_VERSION_TABLE = "scouter_alembic_version"
_MIGRATION_LOCK = 0x5C0_7E12  # Postgres advisory lock id held while migrating
_PARTITION_LOCK = 0x5C0_7E13  # held while creating an inference-log partition


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
        '0002'
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

    def register_profile(self, profile: AnyProfile) -> int:
        """Store `profile` (PSI, SPC or custom) and return its id; registering identical content
        again is a no-op.

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

    def get_profile(
        self, space: str, name: str, version: str, drift_type: str | None = None
    ) -> tuple[int, AnyProfile]:
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
        model = PROFILE_TYPES.get(row.drift_type)
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

    # -- drift runs ---------------------------------------------------------------------------

    def write_drift_run(
        self,
        profile_id: int,
        window: Window,
        result: AnyResult,
        alerts: Sequence[AlertRecord] = (),
        *,
        started_at: datetime | None = None,
    ) -> RunWritten:
        """Write a run, its per-feature (or per-metric) results and its alerts in one
        transaction.

        The run is keyed by (profile, window): a re-run replaces the earlier results, and two
        concurrent writers end with one complete set. Alerts already sent for this run stay
        sent (a re-run never re-notifies); the others are replaced by `alerts` as `pending`.
        """
        now = datetime.now(UTC)
        status = "drift" if result.has_drift else _run_status(result)
        runs, results, metrics = schema.drift_runs, schema.drift_results, schema.metric_results
        run_values: dict[str, Any] = {
            "status": status,
            "started_at": started_at or now,
            "finished_at": now,
            "rows_observed": result.rows,
            "error": None,
        }
        with self._begin() as conn:
            run_id = self._upsert_run(conn, runs, profile_id, window, run_values)
            conn.execute(sa.delete(results).where(results.c.run_id == run_id))
            conn.execute(sa.delete(metrics).where(metrics.c.run_id == run_id))
            rows = _result_rows(run_id, result)
            if rows:
                conn.execute(sa.insert(metrics if result.drift_type == "custom" else results), rows)
            pending = self._replace_alerts(conn, "run_id", run_id, alerts, now)
        return RunWritten(
            run_id=run_id,
            profile_id=profile_id,
            window_start=window.start.isoformat(),
            window_end=window.end.isoformat(),
            status=status,
            rows_observed=result.rows,
            features=len(result.statuses()),
            drifted=result.drifted,
            pending_alerts=pending,
        )

    @staticmethod
    def _upsert_run(
        conn: sa.Connection, runs: sa.Table, profile_id: int, window: Window, values: dict[str, Any]
    ) -> int:
        """Insert or update the run of (profile, window) and return its id.

        The unique key serialises concurrent writers of one window: the second waits on the
        first's row lock, then updates the same row, so results are never mixed.
        """
        upsert = _insert(conn, runs).values(
            profile_id=profile_id, window_start=window.start, window_end=window.end, **values
        )
        return int(
            conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=["profile_id", "window_start", "window_end"], set_=values
                ).returning(runs.c.id)
            ).scalar_one()
        )

    @staticmethod
    def _replace_alerts(
        conn: sa.Connection,
        run_column: str,
        run_id: int,
        alerts: Sequence[AlertRecord],
        now: datetime,
    ) -> int:
        """Replace a run's unsent alerts with `alerts` (sent ones stay); count the unsent."""
        outbox = schema.alerts
        owner = outbox.c[run_column]
        conn.execute(sa.delete(outbox).where(owner == run_id, outbox.c.status != "sent"))
        if alerts:
            conn.execute(
                _insert(conn, outbox).on_conflict_do_nothing(
                    index_elements=[run_column, "dedup_key"]
                ),
                [
                    {
                        run_column: run_id,
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
        return int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(outbox)
                .where(owner == run_id, outbox.c.status != "sent")
            ).scalar_one()
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
        query = self._runs_query().order_by(runs.c.window_end.desc(), runs.c.id.desc())
        if space is not None:
            query = query.where(profiles.c.space == space)
        if name is not None:
            query = query.where(profiles.c.name == name)
        return self._frame(query, _RUN_COLUMNS)

    @staticmethod
    def _runs_query() -> sa.Select[Any]:
        runs, profiles = schema.drift_runs, schema.profiles
        return sa.select(
            runs.c.id.label("run_id"),
            profiles.c.space,
            profiles.c.name,
            profiles.c.version,
            profiles.c.drift_type,
            runs.c.window_start,
            runs.c.window_end,
            runs.c.status,
            runs.c.rows_observed,
            runs.c.finished_at,
        ).join(profiles, profiles.c.id == runs.c.profile_id)

    def latest_runs(self) -> pl.DataFrame:
        """The newest run (by window end) of every profile, with the profile's identity."""
        runs, profiles = schema.drift_runs, schema.profiles
        newest = sa.select(
            runs.c.id,
            sa.func.row_number()
            .over(
                partition_by=runs.c.profile_id,
                order_by=(runs.c.window_end.desc(), runs.c.id.desc()),
            )
            .label("position"),
        ).subquery()
        query = (
            self._runs_query()
            .join(newest, newest.c.id == runs.c.id)
            .where(newest.c.position == 1)
            .order_by(profiles.c.space, profiles.c.name, profiles.c.version)
        )
        return self._frame(query, _RUN_COLUMNS)

    def series(
        self,
        space: str,
        name: str,
        version: str,
        entity: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pl.DataFrame:
        """One feature's (or custom metric's) value per window, oldest first, for charts.

        Columns: window_start, window_end, value, threshold, status (threshold is None for
        custom metrics, whose bounds are in `lower`/`upper`; here `lower`, `upper` are also
        given). Windows ending in [start, end) when given.
        """
        runs, profiles = schema.drift_runs, schema.profiles
        results, metrics = schema.drift_results, schema.metric_results
        base = sa.select(runs.c.window_start, runs.c.window_end).join(
            profiles, profiles.c.id == runs.c.profile_id
        )
        base = base.where(
            profiles.c.space == space, profiles.c.name == name, profiles.c.version == version
        )
        if start is not None:
            base = base.where(runs.c.window_end >= start)
        if end is not None:
            base = base.where(runs.c.window_end < end)
        features = base.add_columns(
            results.c.value,
            results.c.threshold,
            sa.null().label("lower"),
            sa.null().label("upper"),
            results.c.status,
        ).join(results, sa.and_(results.c.run_id == runs.c.id, results.c.feature == entity))
        custom = base.add_columns(
            metrics.c.value,
            sa.null().label("threshold"),
            metrics.c.lower,
            metrics.c.upper,
            metrics.c.status,
        ).join(metrics, sa.and_(metrics.c.run_id == runs.c.id, metrics.c.metric == entity))
        query = sa.union_all(features, custom).order_by("window_end")
        return self._frame(
            query,
            {
                "window_start": pl.Datetime("us", "UTC"),
                "window_end": pl.Datetime("us", "UTC"),
                "value": pl.Float64,
                "threshold": pl.Float64,
                "lower": pl.Float64,
                "upper": pl.Float64,
                "status": pl.String,
            },
        )

    # -- eval runs ----------------------------------------------------------------------------

    def write_eval_run(
        self,
        profile_id: int,
        window: Window,
        results: pl.DataFrame,
        *,
        records: int,
        pass_rate: float | None,
        alerts: Sequence[AlertRecord] = (),
        started_at: datetime | None = None,
    ) -> EvalRunWritten:
        """Write an eval run, its per record x task results and its alerts in one transaction.

        `results` has the columns record_id, task_id, status (pass, fail, error, skipped),
        value (JSON text or null) and message. Keyed by (profile, window) like drift runs: a
        re-run replaces the results; sent alerts stay sent. On Postgres the results go in by
        COPY.

        Raises:
            DataError: `results` lacks a column or has a status that is not known.
        """
        unknown = (
            set(results["status"].unique().to_list()) - set(EVAL_STATUSES)
            if "status" in results.columns
            else set()
        )
        if unknown:
            raise DataError(
                f"eval results have unknown statuses {sorted(map(str, unknown))}: expected "
                f"{list(EVAL_STATUSES)}"
            )
        now = datetime.now(UTC)
        status = "ok" if pass_rate is not None else "insufficient_data"
        values: dict[str, Any] = {
            "status": status,
            "started_at": started_at or now,
            "finished_at": now,
            "records": records,
            "evaluated": results["record_id"].n_unique() if "record_id" in results.columns else 0,
            "pass_rate": pass_rate,
            "error": None,
        }
        runs, table = schema.eval_runs, schema.eval_results
        with self._begin() as conn:
            run_id = self._upsert_run(conn, runs, profile_id, window, values)
            conn.execute(sa.delete(table).where(table.c.run_id == run_id))
            write_frame(conn, table, results.with_columns(run_id=pl.lit(run_id, pl.Int64)))
            pending = self._replace_alerts(conn, "eval_run_id", run_id, alerts, now)
        return EvalRunWritten(
            run_id=run_id,
            profile_id=profile_id,
            window_start=window.start.isoformat(),
            window_end=window.end.isoformat(),
            status=status,
            records=records,
            evaluated=int(values["evaluated"]),
            pass_rate=pass_rate,
            pending_alerts=pending,
        )

    def eval_results(self, run_id: int) -> pl.DataFrame:
        """Per record x task results of one eval run."""
        table = schema.eval_results
        query = (
            sa.select(table.c.record_id, table.c.task_id, table.c.status, table.c.message)
            .where(table.c.run_id == run_id)
            .order_by(table.c.record_id, table.c.task_id)
        )
        return self._frame(
            query,
            {
                "record_id": pl.String,
                "task_id": pl.String,
                "status": pl.String,
                "message": pl.String,
            },
        )

    def eval_pass_rates(
        self, space: str, name: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> pl.DataFrame:
        """Pass rate per eval window of a profile (any version), oldest first."""
        runs, profiles = schema.eval_runs, schema.profiles
        query = (
            sa.select(
                profiles.c.version,
                runs.c.window_start,
                runs.c.window_end,
                runs.c.records,
                runs.c.evaluated,
                runs.c.pass_rate,
                runs.c.status,
            )
            .join(profiles, profiles.c.id == runs.c.profile_id)
            .where(profiles.c.space == space, profiles.c.name == name)
            .order_by(runs.c.window_end)
        )
        if start is not None:
            query = query.where(runs.c.window_end >= start)
        if end is not None:
            query = query.where(runs.c.window_end < end)
        return self._frame(
            query,
            {
                "version": pl.String,
                "window_start": pl.Datetime("us", "UTC"),
                "window_end": pl.Datetime("us", "UTC"),
                "records": pl.Int64,
                "evaluated": pl.Int64,
                "pass_rate": pl.Float64,
                "status": pl.String,
            },
        )

    # -- spans and inference logs -------------------------------------------------------------

    def write_spans(self, spans: pl.DataFrame) -> int:
        """Store spans (columns as the `spans` table; attributes and events as JSON text).

        A span already stored (same trace_id and span_id) is replaced, so re-reading an export
        never duplicates. Returns the number of rows written.
        """
        with self._begin() as conn:
            return write_frame(conn, schema.spans, spans, conflict="update")

    def spans(self, trace_ids: Sequence[str]) -> pl.DataFrame:
        """The stored spans of `trace_ids`, ordered by trace and start time."""
        table = schema.spans
        query = (
            sa.select(*(c for c in table.columns))
            .where(table.c.trace_id.in_(list(trace_ids)))
            .order_by(table.c.trace_id, table.c.start_time)
        )
        with self._connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        frame = (
            pl.DataFrame(rows, schema=_SPAN_COLUMNS) if rows else pl.DataFrame(schema=_SPAN_COLUMNS)
        )
        return (
            frame.with_columns(
                pl.col(c).map_elements(json.dumps, return_dtype=pl.String)
                for c in ("attributes", "events")
            )
            if rows
            else frame
        )

    def write_inference_logs(self, space: str, name: str, rows: pl.DataFrame) -> int:
        """Append raw feature rows of model `space/name`: a zoned `logged_at` column, an
        optional `record_id` (default: the row's position in `rows`, so a retried batch is
        not stored twice) and one column per feature, kept as JSON.

        On Postgres the table has a partition per UTC day, created as rows for it arrive.

        Raises:
            DataError: `logged_at` is missing, not a zoned datetime, or null somewhere.
        """
        _check_logged_at(rows)
        features = [c for c in rows.columns if c not in ("logged_at", "record_id")]
        ids = (
            pl.col("record_id").cast(pl.String)
            if "record_id" in rows.columns
            else pl.int_range(pl.len()).cast(pl.String)
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

    # -- retention ----------------------------------------------------------------------------

    def prune(self, older_than: timedelta, *, now: datetime | None = None) -> dict[str, int]:
        """Delete runs (with their results and alerts), eval runs, spans and inference logs
        whose window or time ended before `now - older_than`. Returns rows deleted per kind.

        On Postgres whole day partitions of the inference logs are dropped.
        """
        if older_than <= timedelta(0):
            raise ConfigError(f"older_than must be positive, got {older_than}")
        cutoff = (now or datetime.now(UTC)) - older_than
        deleted: dict[str, int] = {}
        evals, results = schema.eval_runs, schema.eval_results
        with self._begin() as conn:
            old_evals = sa.select(evals.c.id).where(evals.c.window_end < cutoff)
            conn.execute(sa.delete(results).where(results.c.run_id.in_(old_evals)))
            for label, table, column in (
                ("drift_runs", schema.drift_runs, schema.drift_runs.c.window_end),
                ("eval_runs", evals, evals.c.window_end),
                ("spans", schema.spans, schema.spans.c.end_time),
            ):
                deleted[label] = conn.execute(sa.delete(table).where(column < cutoff)).rowcount
            deleted["inference_logs"] = _prune_inference_logs(conn, cutoff)
        return deleted

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

    def open_alerts(self) -> pl.DataFrame:
        """Alerts not yet delivered (pending or failed), oldest first, with their profile."""
        outbox, profiles = schema.alerts, schema.profiles
        drift, evals = schema.drift_runs, schema.eval_runs
        run_profile = sa.func.coalesce(drift.c.profile_id, evals.c.profile_id)
        query = (
            sa.select(
                outbox.c.id.label("alert_id"),
                profiles.c.space,
                profiles.c.name,
                profiles.c.version,
                outbox.c.entity,
                outbox.c.kind,
                outbox.c.severity,
                outbox.c.value,
                outbox.c.threshold,
                outbox.c.status,
                outbox.c.attempts,
                outbox.c.last_error,
                outbox.c.created_at,
            )
            .select_from(outbox)
            .outerjoin(drift, drift.c.id == outbox.c.run_id)
            .outerjoin(evals, evals.c.id == outbox.c.eval_run_id)
            .join(profiles, profiles.c.id == run_profile)
            .where(outbox.c.status != "sent")
            .order_by(outbox.c.id)
        )
        return self._frame(
            query,
            {
                "alert_id": pl.Int64,
                "space": pl.String,
                "name": pl.String,
                "version": pl.String,
                "entity": pl.String,
                "kind": pl.String,
                "severity": pl.String,
                "value": pl.Float64,
                "threshold": pl.Float64,
                "status": pl.String,
                "attempts": pl.Int64,
                "last_error": pl.String,
                "created_at": pl.Datetime("us", "UTC"),
            },
        )

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
            raise StoreError(f"store {redact(self.url)}: {_first_line(exc)}") from None

    @contextmanager
    def _begin(self) -> Iterator[sa.Connection]:
        try:
            with self._engine.begin() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            raise StoreError(f"store {redact(self.url)}: {_first_line(exc)}") from None


def _run_status(result: AnyResult) -> str:
    statuses = [status for _, status in result.statuses()]
    if statuses and all(status == "insufficient_data" for status in statuses):
        return "insufficient_data"
    return "ok"


def _result_rows(run_id: int, result: AnyResult) -> list[dict[str, Any]]:
    """The rows of `drift_results` (PSI, SPC) or `metric_results` (custom) for one run."""
    if isinstance(result, CustomDriftResult):
        return [
            {"run_id": run_id, **m.model_dump(exclude={"alert_threshold"})} for m in result.metrics
        ]
    if isinstance(result, SpcDriftResult):
        return [
            {
                "run_id": run_id,
                "feature": f.feature,
                "value": f.max_abs_z,
                "threshold": SPC_LIMIT,
                "status": f.status,
                "payload": f.model_dump(mode="json", exclude={"feature", "max_abs_z", "status"}),
            }
            for f in result.features
        ]
    return [
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
    ]


_RUN_COLUMNS: dict[str, Any] = {
    "run_id": pl.Int64,
    "space": pl.String,
    "name": pl.String,
    "version": pl.String,
    "drift_type": pl.String,
    "window_start": pl.Datetime("us", "UTC"),
    "window_end": pl.Datetime("us", "UTC"),
    "status": pl.String,
    "rows_observed": pl.Int64,
    "finished_at": pl.Datetime("us", "UTC"),
}

_SPAN_COLUMNS: dict[str, Any] = {
    "trace_id": pl.String,
    "span_id": pl.String,
    "parent_span_id": pl.String,
    "name": pl.String,
    "kind": pl.String,
    "start_time": pl.Datetime("us", "UTC"),
    "end_time": pl.Datetime("us", "UTC"),
    "duration_ms": pl.Float64,
    "status": pl.String,
    "service_name": pl.String,
    "attributes": pl.Object,
    "events": pl.Object,
}

EVAL_STATUSES = ("pass", "fail", "error", "skipped")


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


def _ensure_day_partition(conn: sa.Connection, day: date) -> None:
    """Create the inference-log partition of UTC `day` unless it exists (writers take turns)."""
    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PARTITION_LOCK)))
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    conn.exec_driver_sql(
        f'CREATE TABLE IF NOT EXISTS "{_partition_name(day)}" PARTITION OF inference_logs '
        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{(start + timedelta(days=1)).isoformat()}')"
    )


def _prune_inference_logs(conn: sa.Connection, cutoff: datetime) -> int:
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
