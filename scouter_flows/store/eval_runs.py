"""GenAI eval runs: per record x task results (written by COPY on Postgres), pass rates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl
import sqlalchemy as sa

from scouter_flows.alerts.records import PASS_RATE, WINDOW_ENTITY, AlertPolicy, AlertRecord
from scouter_flows.errors import DataError
from scouter_flows.store import schema
from scouter_flows.store.bulk import write_frame
from scouter_flows.store.connection import StoreConnection
from scouter_flows.store.outbox import upsert_run, write_alerts
from scouter_flows.store.records import EvalRunWritten
from scouter_flows.window import Window

EVAL_STATUSES = ("pass", "fail", "error", "skipped")
"""The entity of an eval run's pass-rate alert."""


class EvalRuns(StoreConnection):
    """Writes and reads of eval runs."""

    def write_eval_run(
        self,
        profile_id: int,
        window: Window,
        results: pl.DataFrame,
        *,
        records: int,
        pass_rate: float | None,
        alerts: Sequence[AlertRecord] = (),
        policy: AlertPolicy | None = None,
        started_at: datetime | None = None,
    ) -> EvalRunWritten:
        """Write an eval run, its per record x task results and its alerts in one transaction.

        `results` has the columns record_id, task_id, status (pass, fail, error, skipped),
        value (JSON text or null) and message. Keyed by (profile, window) like drift runs: a
        re-run replaces the results; sent alerts stay sent, others follow `policy` as for
        drift runs (the pass-rate alert's entity is `pass_rate`). On Postgres the results go in by
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
        evaluated = results["record_id"].n_unique() if "record_id" in results.columns else 0
        values: dict[str, Any] = {
            "status": eval_status(pass_rate, records),
            "started_at": started_at or now,
            "finished_at": now,
            "records": records,
            "evaluated": evaluated,
            "pass_rate": pass_rate,
            "error": None,
        }
        runs, table = schema.eval_runs, schema.eval_results
        with self._begin() as conn:
            run_id = upsert_run(conn, runs, profile_id, window, values)
            conn.execute(sa.delete(table).where(table.c.run_id == run_id))
            write_frame(conn, table, results.with_columns(run_id=pl.lit(run_id, pl.Int64)))
            judged = {PASS_RATE} if pass_rate is not None else set()
            if records:
                judged.add(WINDOW_ENTITY)  # records arrived: a no-data alert resolves
            pending = write_alerts(
                conn, runs, run_id, profile_id, window, alerts, judged, policy or AlertPolicy(), now
            )
        return eval_run_summary(
            run_id,
            profile_id,
            window,
            records=records,
            evaluated=evaluated,
            pass_rate=pass_rate,
            pending=pending,
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

    def eval_run(self, run_id: int) -> dict[str, Any] | None:
        """One eval run, or None: run_id, profile_id, space, name, version, window_start,
        window_end, status, records, evaluated, pass_rate and `previous`, the id of the same
        profile's run on the window before (None for its first)."""
        runs, profiles = schema.eval_runs, schema.profiles
        earlier = runs.alias("earlier")
        previous = (
            sa.select(earlier.c.id)
            .where(
                earlier.c.profile_id == runs.c.profile_id,
                earlier.c.window_end <= runs.c.window_start,
            )
            .order_by(earlier.c.window_end.desc(), earlier.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = (
            sa.select(*_run_columns(), runs.c.profile_id, previous.label("previous"))
            .join(profiles, profiles.c.id == runs.c.profile_id)
            .where(runs.c.id == run_id)
        )
        with self._connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else row._asdict()

    def eval_run_list(
        self, space: str | None = None, name: str | None = None, *, limit: int = 20
    ) -> list[dict[str, Any]]:
        """Eval runs, newest window first (optionally of one profile's space and name): run_id,
        space, name, version, window_start, window_end, status, records, evaluated, pass_rate."""
        runs, profiles = schema.eval_runs, schema.profiles
        query = (
            sa.select(*_run_columns())
            .join(profiles, profiles.c.id == runs.c.profile_id)
            .order_by(runs.c.window_end.desc(), runs.c.id.desc())
            .limit(limit)
        )
        if space is not None:
            query = query.where(profiles.c.space == space)
        if name is not None:
            query = query.where(profiles.c.name == name)
        with self._connect() as conn:
            return [row._asdict() for row in conn.execute(query)]

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


def _run_columns() -> list[Any]:
    runs, profiles = schema.eval_runs, schema.profiles
    return [
        runs.c.id.label("run_id"),
        profiles.c.space,
        profiles.c.name,
        profiles.c.version,
        runs.c.window_start,
        runs.c.window_end,
        runs.c.status,
        runs.c.records,
        runs.c.evaluated,
        runs.c.pass_rate,
    ]


def eval_status(pass_rate: float | None, records: int | None = None) -> str:
    """`no_data` for a window without records, `ok`, or `insufficient_data` when no counted
    task had a result."""
    if records == 0:
        return "no_data"
    return "ok" if pass_rate is not None else "insufficient_data"


def eval_run_summary(
    run_id: int | None,
    profile_id: int,
    window: Window,
    *,
    records: int,
    evaluated: int,
    pass_rate: float | None,
    pending: int = 0,
) -> EvalRunWritten:
    """The summary of an eval run (`run_id` None: a dry run, not written)."""
    return EvalRunWritten(
        run_id=run_id,
        profile_id=profile_id,
        window_start=window.start.isoformat(),
        window_end=window.end.isoformat(),
        status=eval_status(pass_rate, records),
        records=records,
        evaluated=int(evaluated),
        pass_rate=pass_rate,
        pending_alerts=pending,
    )
