"""The alert outbox table: alerts written with their run, then marked sent or failed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl
import sqlalchemy as sa

from scouter_flows.sources.window import Window
from scouter_flows.store import schema
from scouter_flows.store.connection import StoreConnection, dialect_insert
from scouter_flows.store.records import AlertRecord, StoredAlert


class Outbox(StoreConnection):
    """Reads and updates of the alert outbox."""

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


def upsert_run(
    conn: sa.Connection, runs: sa.Table, profile_id: int, window: Window, values: dict[str, Any]
) -> int:
    """Insert or update the run of (profile, window) and return its id.

    The unique key serialises concurrent writers of one window: the second waits on the
    first's row lock, then updates the same row, so results are never mixed.
    """
    upsert = dialect_insert(conn, runs).values(
        profile_id=profile_id, window_start=window.start, window_end=window.end, **values
    )
    return int(
        conn.execute(
            upsert.on_conflict_do_update(
                index_elements=["profile_id", "window_start", "window_end"], set_=values
            ).returning(runs.c.id)
        ).scalar_one()
    )


def replace_alerts(
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
            dialect_insert(conn, outbox).on_conflict_do_nothing(
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
