"""Profiles, drift runs, per-feature drift results and the alert outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(JSONB(), "postgresql")
_ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("space", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("drift_type", sa.String(32), nullable=False),
        sa.Column("body", _json, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.PrimaryKeyConstraint("id", name="pk_profiles"),
        sa.UniqueConstraint(
            "space",
            "name",
            "version",
            "drift_type",
            name="uq_profiles_space_name_version_drift_type",
        ),
    )
    op.create_table(
        "drift_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("profile_id", sa.Integer, nullable=False),
        sa.Column("window_start", _ts, nullable=False),
        sa.Column("window_end", _ts, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("started_at", _ts, nullable=False),
        sa.Column("finished_at", _ts, nullable=True),
        sa.Column("rows_observed", sa.BigInteger, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_drift_runs"),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            ondelete="CASCADE",
            name="fk_drift_runs_profile_id_profiles",
        ),
        sa.UniqueConstraint(
            "profile_id",
            "window_start",
            "window_end",
            name="uq_drift_runs_profile_id_window_start_window_end",
        ),
    )
    op.create_index(
        "ix_drift_runs_profile_id_window_end", "drift_runs", ["profile_id", "window_end"]
    )
    op.create_table(
        "drift_results",
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("feature", sa.String(255), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("threshold", sa.Float, nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("payload", _json, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "feature", name="pk_drift_results"),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["drift_runs.id"],
            ondelete="CASCADE",
            name="fk_drift_results_run_id_drift_runs",
        ),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("dedup_key", sa.String(512), nullable=False),
        sa.Column("entity", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("threshold", sa.Float, nullable=True),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("provider_ref", sa.String(255), nullable=True),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("sent_at", _ts, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["drift_runs.id"], ondelete="CASCADE", name="fk_alerts_run_id_drift_runs"
        ),
        sa.UniqueConstraint("run_id", "dedup_key", name="uq_alerts_run_id_dedup_key"),
    )
    op.create_index("ix_alerts_status", "alerts", ["status"])


def downgrade() -> None:
    op.drop_index("ix_alerts_status", table_name="alerts")
    op.drop_table("alerts")
    op.drop_table("drift_results")
    op.drop_index("ix_drift_runs_profile_id_window_end", table_name="drift_runs")
    op.drop_table("drift_runs")
    op.drop_table("profiles")
