"""Alembic environment: runs on the connection the `Store` hands over (never a URL of its own)."""

from __future__ import annotations

from alembic import context

from scouter_flows.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    version_table="scouter_alembic_version",
)
with context.begin_transaction():
    context.run_migrations()
