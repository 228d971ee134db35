"""Span times to the nanosecond: the nanoseconds past each stored microsecond.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("spans") as batch:
        batch.add_column(sa.Column("start_nanos", sa.SmallInteger, nullable=True))
        batch.add_column(sa.Column("end_nanos", sa.SmallInteger, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("spans") as batch:
        batch.drop_column("end_nanos")
        batch.drop_column("start_nanos")
