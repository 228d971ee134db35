"""The results schema as SQLAlchemy Core tables; the Alembic migrations create exactly this."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from scouter_flows import limits

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back as an aware UTC datetime.

    SQLite keeps no zone, so values are normalised to UTC on the way in and tagged on the way out.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive timestamp {value.isoformat()} given to the store; use UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Json: sa.types.TypeEngine[Any] = sa.JSON().with_variant(JSONB(), "postgresql")

profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("space", sa.String(limits.SPACE), nullable=False),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("version", sa.String(limits.VERSION), nullable=False),
    sa.Column("drift_type", sa.String(32), nullable=False),
    sa.Column("body", Json, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.UniqueConstraint("space", "name", "version", "drift_type"),
)


def _runs_table(name: str, *counts: sa.Column[Any]) -> sa.Table:
    """A table of runs, one per (profile, window), with `counts` after the timings."""
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "profile_id",
            sa.Integer,
            sa.ForeignKey("profiles.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("window_start", UTCDateTime, nullable=False),
        sa.Column("window_end", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime, nullable=True),
        *counts,
        sa.Column("error", sa.Text, nullable=True),
        sa.UniqueConstraint("profile_id", "window_start", "window_end"),
        sa.Index(None, "profile_id", "window_end"),
    )


drift_runs = _runs_table("drift_runs", sa.Column("rows_observed", sa.BigInteger, nullable=False))

drift_results = sa.Table(
    "drift_results",
    metadata,
    sa.Column(
        "run_id",
        sa.Integer,
        sa.ForeignKey("drift_runs.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("feature", sa.String(limits.FEATURE), primary_key=True),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("threshold", sa.Float, nullable=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("payload", Json, nullable=False),
)

metric_results = sa.Table(
    "metric_results",
    metadata,
    sa.Column(
        "run_id",
        sa.Integer,
        sa.ForeignKey("drift_runs.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("metric", sa.String(limits.FEATURE), primary_key=True),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("baseline_value", sa.Float, nullable=False),
    sa.Column("lower", sa.Float, nullable=True),
    sa.Column("upper", sa.Float, nullable=True),
    sa.Column("observations", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
)

eval_runs = _runs_table(
    "eval_runs",
    sa.Column("records", sa.BigInteger, nullable=False),
    sa.Column("evaluated", sa.BigInteger, nullable=False),
    sa.Column("pass_rate", sa.Float, nullable=True),
)

# No foreign key to eval_runs: its per-row check halves COPY throughput (measured with
# benchmarks/store.py). The store deletes a run's results itself, on re-run and on prune.
eval_results = sa.Table(
    "eval_results",
    metadata,
    sa.Column("run_id", sa.Integer, primary_key=True),
    sa.Column("record_id", sa.String(limits.RECORD_ID), primary_key=True),
    sa.Column("task_id", sa.String(limits.TASK_ID), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("value", Json, nullable=True),
    sa.Column("message", sa.Text, nullable=True),
)

spans = sa.Table(
    "spans",
    metadata,
    sa.Column("trace_id", sa.String(limits.TRACE_ID), primary_key=True),
    sa.Column("span_id", sa.String(limits.SPAN_ID), primary_key=True),
    sa.Column("parent_span_id", sa.String(limits.SPAN_ID), nullable=True),
    sa.Column("name", sa.String(limits.SPAN_NAME), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("start_time", UTCDateTime, nullable=False),
    sa.Column("end_time", UTCDateTime, nullable=False),
    # Timestamps hold microseconds; spans keep nanoseconds, so the rest (0-999) is kept here
    # (null in rows stored before revision 0006).
    sa.Column("start_nanos", sa.SmallInteger, nullable=True),
    sa.Column("end_nanos", sa.SmallInteger, nullable=True),
    sa.Column("duration_ms", sa.Float, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("service_name", sa.String(limits.SERVICE_NAME), nullable=True),
    sa.Column("attributes", Json, nullable=False),
    sa.Column("events", Json, nullable=False),
    sa.Index(None, "start_time"),
)

INFERENCE_LOG_PARTITION_PREFIX = "inference_logs_p"
"""Daily partitions of `inference_logs` on Postgres are named `inference_logs_pYYYYMMDD`."""

inference_logs = sa.Table(
    "inference_logs",
    metadata,
    sa.Column("space", sa.String(limits.SPACE), primary_key=True),
    sa.Column("name", sa.String(limits.NAME), primary_key=True),
    sa.Column("logged_at", UTCDateTime, primary_key=True),
    sa.Column("record_id", sa.String(limits.RECORD_ID), primary_key=True),
    sa.Column("features", Json, nullable=False),
    # On Postgres one partition per UTC day, created as rows arrive; pruning drops whole days.
    postgresql_partition_by="RANGE (logged_at)",
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "run_id", sa.Integer, sa.ForeignKey("drift_runs.id", ondelete="CASCADE"), nullable=True
    ),
    sa.Column(
        "eval_run_id",
        sa.Integer,
        sa.ForeignKey("eval_runs.id", ondelete="CASCADE"),
        nullable=True,
    ),
    sa.Column("dedup_key", sa.String(limits.DEDUP_KEY), nullable=False),
    # One row per alert and destination, so each destination's delivery is tracked apart.
    sa.Column(
        "destination", sa.String(limits.DESTINATION), nullable=False, server_default="console"
    ),
    sa.Column("dispatch", Json, nullable=True),
    # `trigger` (a breach) or `resolve` (a sent breach that stopped firing).
    sa.Column("event", sa.String(16), nullable=False, server_default="trigger"),
    sa.Column("entity", sa.String(limits.FEATURE), nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("threshold", sa.Float, nullable=True),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("details", Json, nullable=True),
    sa.Column("link", sa.Text, nullable=True),
    sa.Column("window_start", UTCDateTime, nullable=True),
    sa.Column("window_end", UTCDateTime, nullable=True),
    # pending | sent | failed | abandoned (failed too often) | suppressed (still firing within
    # the cool-down: not sent) | superseded (undelivered, carried into a later window's row)
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("provider_ref", sa.String(255), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime, nullable=True),
    # A dispatcher's lease on rows it is delivering: others skip them until it runs out.
    sa.Column("claimed_by", sa.String(64), nullable=True),
    sa.Column("claimed_until", UTCDateTime, nullable=True),
    sa.UniqueConstraint("run_id", "dedup_key", "destination"),
    sa.UniqueConstraint("eval_run_id", "dedup_key", "destination"),
    sa.CheckConstraint("(run_id IS NULL) <> (eval_run_id IS NULL)", name="one_run"),
    sa.Index(None, "status"),
    sa.Index(None, "dedup_key", "created_at"),
    sa.Index(None, "dedup_key", "destination", "window_end"),
)

# Data profiles of windows, keyed by the model they describe (no drift profile needed).
data_profiles = sa.Table(
    "data_profiles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("space", sa.String(limits.SPACE), nullable=False),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("version", sa.String(limits.VERSION), nullable=False),
    sa.Column("window_start", UTCDateTime, nullable=False),
    sa.Column("window_end", UTCDateTime, nullable=False),
    sa.Column("rows_observed", sa.BigInteger, nullable=False),
    sa.Column("body", Json, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("space", "name", "version", "window_start", "window_end"),
    sa.Index(None, "window_end"),
)
