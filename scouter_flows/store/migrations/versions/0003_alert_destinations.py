"""Alerts per destination, with their event, window, link and details (dedup and cool-down).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(JSONB(), "postgresql")
_ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(
            sa.Column("destination", sa.String(255), nullable=False, server_default="console")
        )
        batch.add_column(sa.Column("dispatch", _json, nullable=True))
        batch.add_column(
            sa.Column("event", sa.String(16), nullable=False, server_default="trigger")
        )
        batch.add_column(sa.Column("details", _json, nullable=True))
        batch.add_column(sa.Column("link", sa.Text, nullable=True))
        batch.add_column(sa.Column("window_start", _ts, nullable=True))
        batch.add_column(sa.Column("window_end", _ts, nullable=True))
        batch.drop_constraint("uq_alerts_run_id_dedup_key", type_="unique")
        batch.drop_constraint("uq_alerts_eval_run_id_dedup_key", type_="unique")
        batch.create_unique_constraint(
            "uq_alerts_run_id_dedup_key_destination", ["run_id", "dedup_key", "destination"]
        )
        batch.create_unique_constraint(
            "uq_alerts_eval_run_id_dedup_key_destination",
            ["eval_run_id", "dedup_key", "destination"],
        )
    # Alerts written before this revision get their run's window, so cool-downs see them.
    for runs, column in (("drift_runs", "run_id"), ("eval_runs", "eval_run_id")):
        op.execute(
            f"UPDATE alerts SET "
            f"window_start = (SELECT window_start FROM {runs} WHERE {runs}.id = alerts.{column}), "
            f"window_end = (SELECT window_end FROM {runs} WHERE {runs}.id = alerts.{column}) "
            f"WHERE {column} IS NOT NULL"
        )
    op.create_index(
        "ix_alerts_dedup_key_destination_window_end",
        "alerts",
        ["dedup_key", "destination", "window_end"],
    )


def downgrade() -> None:
    op.drop_index("ix_alerts_dedup_key_destination_window_end", table_name="alerts")
    # 0002 keeps one alert per run and key: the first destination's trigger row.
    op.execute(
        "DELETE FROM alerts WHERE event <> 'trigger' OR id NOT IN ("
        "SELECT MIN(id) FROM alerts WHERE event = 'trigger' "
        "GROUP BY run_id, eval_run_id, dedup_key)"
    )
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("uq_alerts_eval_run_id_dedup_key_destination", type_="unique")
        batch.drop_constraint("uq_alerts_run_id_dedup_key_destination", type_="unique")
        batch.create_unique_constraint("uq_alerts_run_id_dedup_key", ["run_id", "dedup_key"])
        batch.create_unique_constraint(
            "uq_alerts_eval_run_id_dedup_key", ["eval_run_id", "dedup_key"]
        )
        for column in ("window_end", "window_start", "link", "details", "event", "dispatch"):
            batch.drop_column(column)
        batch.drop_column("destination")
