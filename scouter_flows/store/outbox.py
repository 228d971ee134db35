"""The alert outbox table: alerts written with their run, then marked sent or failed."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import sqlalchemy as sa

from scouter_flows.alerts.dedup import AlertHistory, LaterWindow, decide
from scouter_flows.alerts.records import (
    NOTIFIED,
    UNSENT,
    AlertPolicy,
    AlertRecord,
    Destination,
    StoredAlert,
)
from scouter_flows.sqla import Connection
from scouter_flows.store import schema
from scouter_flows.store.connection import StoreConnection, dialect_insert
from scouter_flows.window import Window

UNDELIVERED = (*UNSENT, "abandoned")
"""What `open_alerts` lists: still to deliver, or given up on after too many attempts."""

ALERT_LOCK = 0x5C0_A1E7
"""Postgres advisory lock class held, per profile, while a run's alerts are judged."""


class Outbox(StoreConnection):
    """Reads and updates of the alert outbox."""

    def alerts(
        self,
        run_id: int | None = None,
        status: str | Sequence[str] | None = None,
        *,
        eval_run_id: int | None = None,
        destination: str | None = None,
    ) -> list[StoredAlert]:
        """Alerts in the outbox, oldest first, optionally of one drift or eval run, status(es)
        and destination, each with its profile's space/name/version."""
        outbox, profiles = schema.alerts, schema.profiles
        drift, evals = schema.drift_runs, schema.eval_runs
        query = (
            sa.select(outbox, profiles.c.space, profiles.c.name, profiles.c.version)
            .select_from(outbox)
            .outerjoin(drift, drift.c.id == outbox.c.run_id)
            .outerjoin(evals, evals.c.id == outbox.c.eval_run_id)
            .join(
                profiles, profiles.c.id == sa.func.coalesce(drift.c.profile_id, evals.c.profile_id)
            )
            .order_by(outbox.c.id)
        )
        if run_id is not None:
            query = query.where(outbox.c.run_id == run_id)
        if eval_run_id is not None:
            query = query.where(outbox.c.eval_run_id == eval_run_id)
        if isinstance(status, str):
            query = query.where(outbox.c.status == status)
        elif status is not None:
            query = query.where(outbox.c.status.in_(list(status)))
        if destination is not None:
            query = query.where(outbox.c.destination == destination)
        with self._connect() as conn:
            return [StoredAlert(**row._asdict()) for row in conn.execute(query)]

    def open_alerts(self) -> pl.DataFrame:
        """Alerts not delivered (pending, failed, or abandoned after too many attempts),
        oldest first, with their profile."""
        outbox, profiles = schema.alerts, schema.profiles
        drift, evals = schema.drift_runs, schema.eval_runs
        run_profile = sa.func.coalesce(drift.c.profile_id, evals.c.profile_id)
        query = (
            sa.select(
                outbox.c.id.label("alert_id"),
                profiles.c.space,
                profiles.c.name,
                profiles.c.version,
                outbox.c.destination,
                outbox.c.event,
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
            .where(outbox.c.status.in_(UNDELIVERED))
            .order_by(outbox.c.id)
        )
        return self._frame(
            query,
            {
                "alert_id": pl.Int64,
                "space": pl.String,
                "name": pl.String,
                "version": pl.String,
                "destination": pl.String,
                "event": pl.String,
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

    def resolve_alerts(self, alert_ids: Sequence[int], note: str) -> list[int]:
        """Mark the undelivered alerts among `alert_ids` as `resolved` (handled by hand, never
        sent), keeping `note`; returns the ids resolved."""
        outbox = schema.alerts
        chosen = sa.and_(outbox.c.id.in_(list(alert_ids)), outbox.c.status.in_(UNDELIVERED))
        with self._begin() as conn:
            # No RETURNING: SQLAlchemy 1.4 has none on SQLite.
            ids = sorted(
                int(i) for i in conn.execute(sa.select(outbox.c.id).where(chosen)).scalars()
            )
            conn.execute(
                sa.update(outbox)
                .where(outbox.c.id.in_(ids))
                .values(status="resolved", last_error=note, claimed_by=None)
            )
        return ids

    def claim_alerts(self, alert_ids: Sequence[int], owner: str, lease: timedelta) -> set[int]:
        """Lease the still-unsent alerts among `alert_ids` to `owner` for `lease`, unless
        another dispatcher holds a live lease on them; returns the ids now leased.

        One UPDATE with the conditions in its WHERE clause: on Postgres a second claimer waits
        for the first's row locks and then re-checks the rows, on SQLite writers queue, so
        each row is leased to one dispatcher at a time. A lease that runs out (its holder
        died) lets another dispatcher deliver the rows.
        """
        table = schema.alerts
        now = datetime.now(UTC)
        with self._begin() as conn:
            rows = conn.execute(
                sa.update(table)
                .where(
                    table.c.id.in_(list(alert_ids)),
                    table.c.status.in_(UNSENT),
                    sa.or_(table.c.claimed_until.is_(None), table.c.claimed_until < now),
                )
                .values(claimed_by=owner, claimed_until=now + lease)
                .returning(table.c.id)
            ).all()
        return {row.id for row in rows}

    def mark_alert_sent(self, alert_id: int | Sequence[int], provider_ref: str | None) -> None:
        """Record delivered alerts (one id or several delivered together); their lease ends."""
        table = schema.alerts
        with self._begin() as conn:
            conn.execute(
                sa.update(table)
                .where(table.c.id.in_(_ids(alert_id)))
                .values(
                    status="sent",
                    attempts=table.c.attempts + 1,
                    provider_ref=provider_ref,
                    sent_at=datetime.now(UTC),
                    last_error=None,
                    claimed_by=None,
                    claimed_until=None,
                )
            )

    def mark_alert_failed(
        self, alert_id: int | Sequence[int], error: str, *, give_up_after: int | None = None
    ) -> set[int]:
        """Record a failed delivery attempt; the alerts stay in the outbox for a retry, unless
        this was attempt `give_up_after` (or later): then they are `abandoned`, no longer
        retried, and still listed by `open_alerts`. A lease is kept (the holder may retry
        at once): `release_alerts` ends it. Returns the ids now abandoned."""
        table = schema.alerts
        attempts = table.c.attempts + 1
        status: Any = sa.literal("failed")
        if give_up_after is not None:
            status = sa.case((attempts >= give_up_after, "abandoned"), else_="failed")
        with self._begin() as conn:
            rows = conn.execute(
                sa.update(table)
                .where(table.c.id.in_(_ids(alert_id)))
                .values(status=status, attempts=attempts, last_error=error[:4000])
                .returning(table.c.id, table.c.status)
            ).all()
        return {row.id for row in rows if row.status == "abandoned"}

    def release_alerts(self, alert_ids: Sequence[int], owner: str) -> None:
        """End `owner`'s lease on the alerts (after its last attempt), so others may retry."""
        table = schema.alerts
        with self._begin() as conn:
            conn.execute(
                sa.update(table)
                .where(table.c.id.in_(list(alert_ids)), table.c.claimed_by == owner)
                .values(claimed_by=None, claimed_until=None)
            )


def _ids(alert_id: int | Sequence[int]) -> list[int]:
    return [alert_id] if isinstance(alert_id, int) else list(alert_id)


def upsert_run(
    conn: Connection, runs: sa.Table, profile_id: int, window: Window, values: dict[str, Any]
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


def write_alerts(
    conn: Connection,
    runs: sa.Table,
    run_id: int,
    profile_id: int,
    window: Window,
    alerts: Sequence[AlertRecord],
    judged: Collection[str],
    policy: AlertPolicy,
    now: datetime,
) -> int:
    """Replace a run's unsent alerts, one row per alert and destination; count those to send.

    Rows already sent stay (a re-run never re-notifies), and so do rows a dispatcher is
    delivering right now (its lease is live). A breach that also fired in the previous window
    of the profile is `suppressed` unless its last announcement (sent, or waiting to be sent,
    in an earlier window) is at least `policy.cooldown` old or there was none: a breach whose
    delivery failed is sent with this window, and its undelivered rows of earlier windows are
    `superseded`. A window written after later ones (a backfill running newest first, windows
    written concurrently) is judged against them too: a breach that later windows of the same
    streak announced less than `policy.cooldown` after this one is `suppressed`: a streak
    written newest first is announced as often as one written oldest first. A breach of the
    previous window that no longer fires, on an entity judged this window (`judged`), writes a
    `resolve` row for each destination that wants resolutions, if that breach was announced.
    """
    outbox = schema.alerts
    run_column = "run_id" if runs is schema.drift_runs else "eval_run_id"
    owner = outbox.c[run_column]
    if conn.dialect.name == "postgresql":
        # Writers of one profile's windows take turns judging them (SQLite writers queue
        # anyway), so each sees the windows the others wrote, whatever the order.
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(ALERT_LOCK, profile_id)))
    in_flight = sa.and_(outbox.c.claimed_until.is_not(None), outbox.c.claimed_until >= now)
    conn.execute(
        sa.delete(outbox).where(owner == run_id, outbox.c.status != "sent", sa.not_(in_flight))
    )
    previous = _previous_alerts(conn, runs, run_column, profile_id, window)
    firing = {a.dedup_key for a in alerts}
    history = AlertHistory(
        previous=previous,
        last_announced=_last_notified(conn, {k for k, _ in previous}, window),
        later=_later_windows(conn, runs, run_column, profile_id, window, firing, policy),
    )
    base = {
        run_column: run_id,
        "link": policy.link,
        "window_start": window.start,
        "window_end": window.end,
        "attempts": 0,
        "created_at": now,
    }
    rows = [
        _row(base, e.alert, e.destination, e.event, e.status)
        for e in decide(alerts, judged, policy, window, history)
    ]
    if rows:
        conn.execute(
            dialect_insert(conn, outbox).on_conflict_do_nothing(
                index_elements=[run_column, "dedup_key", "destination"]
            ),
            rows,
        )
    _supersede(conn, rows, window, in_flight)
    return int(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(outbox)
            .where(owner == run_id, outbox.c.status.in_(UNSENT))
        ).scalar_one()
    )


def _supersede(
    conn: Connection, rows: list[dict[str, Any]], window: Window, in_flight: Any
) -> None:
    """Mark earlier windows' undelivered rows of the breaches now pending as `superseded`:
    this window's row carries them (and is the one delivered)."""
    outbox = schema.alerts
    carried: dict[str, set[str]] = {}
    for row in rows:
        if row["event"] == "trigger" and row["status"] == "pending":
            carried.setdefault(row["destination"], set()).add(row["dedup_key"])
    for destination, keys in carried.items():
        conn.execute(
            sa.update(outbox)
            .where(
                outbox.c.destination == destination,
                outbox.c.dedup_key.in_(sorted(keys)),
                outbox.c.event == "trigger",
                outbox.c.status.in_(("failed", "abandoned")),
                outbox.c.window_end <= window.start,
                sa.not_(in_flight),
            )
            .values(status="superseded")
        )


def _row(
    base: dict[str, Any], alert: AlertRecord, dest: Destination, event: str, status: str
) -> dict[str, Any]:
    return {
        **base,
        "dedup_key": alert.dedup_key,
        "destination": dest.key,
        "dispatch": dest.config,
        "event": event,
        "entity": alert.entity,
        "kind": alert.kind,
        "severity": alert.severity,
        "value": alert.value,
        "threshold": alert.threshold,
        "message": alert.message,
        "details": alert.details,
        "status": status,
    }


def _previous_alerts(
    conn: Connection, runs: sa.Table, run_column: str, profile_id: int, window: Window
) -> dict[tuple[str, str], AlertRecord]:
    """The breaches (any status) of the profile's latest run before `window`, by pair."""
    previous_run = (
        sa.select(runs.c.id)
        .where(runs.c.profile_id == profile_id, runs.c.window_end <= window.start)
        .order_by(runs.c.window_end.desc(), runs.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    outbox = schema.alerts
    query = sa.select(
        outbox.c.dedup_key,
        outbox.c.destination,
        outbox.c.entity,
        outbox.c.kind,
        outbox.c.severity,
        outbox.c.threshold,
        outbox.c.message,
    ).where(outbox.c[run_column] == previous_run, outbox.c.event == "trigger")
    return {
        (row.dedup_key, row.destination): AlertRecord(
            dedup_key=row.dedup_key,
            entity=row.entity,
            kind=row.kind,
            severity=row.severity,
            value=None,
            threshold=row.threshold,
            message=row.message,
        )
        for row in conn.execute(query)
    }


def _later_windows(
    conn: Connection,
    runs: sa.Table,
    run_column: str,
    profile_id: int,
    window: Window,
    firing: set[str],
    policy: AlertPolicy,
) -> list[LaterWindow]:
    """The profile's runs after `window` and within the cool-down, oldest first, with the
    statuses of the breaches firing now that each of them stored."""
    if not firing:
        return []
    later = sa.select(runs.c.id, runs.c.window_end).where(
        runs.c.profile_id == profile_id, runs.c.window_start >= window.end
    )
    if policy.cooldown is not None:
        later = later.where(runs.c.window_end < window.end + policy.cooldown)
    ends = {row[0]: row[1] for row in conn.execute(later.order_by(runs.c.window_end, runs.c.id))}
    if not ends:
        return []
    outbox = schema.alerts
    statuses: dict[int, dict[tuple[str, str], Any]] = {run_id: {} for run_id in ends}
    query = sa.select(
        outbox.c[run_column], outbox.c.dedup_key, outbox.c.destination, outbox.c.status
    ).where(
        outbox.c[run_column].in_(list(ends)),
        outbox.c.event == "trigger",
        outbox.c.dedup_key.in_(sorted(firing)),
    )
    for run_id, key, destination, status in conn.execute(query):
        statuses[run_id][(key, destination)] = status
    return [LaterWindow(ends[run_id], statuses[run_id]) for run_id in ends]


def _last_notified(
    conn: Connection, keys: set[str], window: Window
) -> dict[tuple[str, str], datetime]:
    """End of the latest earlier window in which each key was announced (`NOTIFIED`)."""
    if not keys:
        return {}
    outbox = schema.alerts
    query = (
        sa.select(outbox.c.dedup_key, outbox.c.destination, sa.func.max(outbox.c.window_end))
        .where(
            outbox.c.dedup_key.in_(sorted(keys)),
            outbox.c.event == "trigger",
            outbox.c.status.in_(NOTIFIED),
            outbox.c.window_end <= window.start,
        )
        .group_by(outbox.c.dedup_key, outbox.c.destination)
    )
    return {(key, dest): last for key, dest, last in conn.execute(query) if last is not None}
