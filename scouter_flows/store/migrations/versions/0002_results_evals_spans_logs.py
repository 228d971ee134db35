"""Custom-metric results, eval runs and results, spans, inference logs; alerts of eval runs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(JSONB(), "postgresql")
_ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "metric_results",
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("metric", sa.String(255), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("baseline_value", sa.Float, nullable=False),
        sa.Column("lower", sa.Float, nullable=True),
        sa.Column("upper", sa.Float, nullable=True),
        sa.Column("observations", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "metric", name="pk_metric_results"),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["drift_runs.id"],
            ondelete="CASCADE",
            name="fk_metric_results_run_id_drift_runs",
        ),
    )
    op.create_table(
        "eval_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("profile_id", sa.Integer, nullable=False),
        sa.Column("window_start", _ts, nullable=False),
        sa.Column("window_end", _ts, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("started_at", _ts, nullable=False),
        sa.Column("finished_at", _ts, nullable=True),
        sa.Column("records", sa.BigInteger, nullable=False),
        sa.Column("evaluated", sa.BigInteger, nullable=False),
        sa.Column("pass_rate", sa.Float, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_eval_runs"),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            ondelete="CASCADE",
            name="fk_eval_runs_profile_id_profiles",
        ),
        sa.UniqueConstraint(
            "profile_id",
            "window_start",
            "window_end",
            name="uq_eval_runs_profile_id_window_start_window_end",
        ),
    )
    op.create_index("ix_eval_runs_profile_id_window_end", "eval_runs", ["profile_id", "window_end"])
    op.create_table(
        "eval_results",
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("record_id", sa.String(255), nullable=False),
        sa.Column("task_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("value", _json, nullable=True),
        sa.Column("message", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("run_id", "record_id", "task_id", name="pk_eval_results"),
    )
    op.create_table(
        "spans",
        sa.Column("trace_id", sa.String(64), nullable=False),
        sa.Column("span_id", sa.String(32), nullable=False),
        sa.Column("parent_span_id", sa.String(32), nullable=True),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("start_time", _ts, nullable=False),
        sa.Column("end_time", _ts, nullable=False),
        sa.Column("duration_ms", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("service_name", sa.String(255), nullable=True),
        sa.Column("attributes", _json, nullable=False),
        sa.Column("events", _json, nullable=False),
        sa.PrimaryKeyConstraint("trace_id", "span_id", name="pk_spans"),
    )
    op.create_index("ix_spans_start_time", "spans", ["start_time"])
    op.create_table(
        "inference_logs",
        sa.Column("space", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("logged_at", _ts, nullable=False),
        sa.Column("record_id", sa.String(255), nullable=False),
        sa.Column("features", _json, nullable=False),
        sa.PrimaryKeyConstraint(
            "space", "name", "logged_at", "record_id", name="pk_inference_logs"
        ),
        postgresql_partition_by="RANGE (logged_at)",
    )
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("eval_run_id", sa.Integer, nullable=True))
        batch.alter_column("run_id", existing_type=sa.Integer, nullable=True)
        batch.create_foreign_key(
            "fk_alerts_eval_run_id_eval_runs",
            "eval_runs",
            ["eval_run_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_unique_constraint(
            "uq_alerts_eval_run_id_dedup_key", ["eval_run_id", "dedup_key"]
        )
        batch.create_check_constraint(
            "ck_alerts_one_run", "(run_id IS NULL) <> (eval_run_id IS NULL)"
        )
    op.create_index("ix_alerts_dedup_key_created_at", "alerts", ["dedup_key", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_alerts_dedup_key_created_at", table_name="alerts")
    op.execute("DELETE FROM alerts WHERE run_id IS NULL")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("ck_alerts_one_run", type_="check")
        batch.drop_constraint("uq_alerts_eval_run_id_dedup_key", type_="unique")
        batch.drop_constraint("fk_alerts_eval_run_id_eval_runs", type_="foreignkey")
        batch.alter_column("run_id", existing_type=sa.Integer, nullable=False)
        batch.drop_column("eval_run_id")
    op.drop_table("inference_logs")
    op.drop_index("ix_spans_start_time", table_name="spans")
    op.drop_table("spans")
    op.drop_table("eval_results")
    op.drop_index("ix_eval_runs_profile_id_window_end", table_name="eval_runs")
    op.drop_table("eval_runs")
    op.drop_table("metric_results")
