"""Data profiles of windows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(JSONB(), "postgresql")
_ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "data_profiles",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("space", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("window_start", _ts, nullable=False),
        sa.Column("window_end", _ts, nullable=False),
        sa.Column("rows_observed", sa.BigInteger, nullable=False),
        sa.Column("body", _json, nullable=False),
        sa.Column("created_at", _ts, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_data_profiles"),
        sa.UniqueConstraint(
            "space",
            "name",
            "version",
            "window_start",
            "window_end",
            name="uq_data_profiles_space_name_version_window_start_window_end",
        ),
    )
    op.create_index("ix_data_profiles_window_end", "data_profiles", ["window_end"])


def downgrade() -> None:
    op.drop_index("ix_data_profiles_window_end", table_name="data_profiles")
    op.drop_table("data_profiles")
