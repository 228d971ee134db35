"""Reading asset events back from Airflow's metadata database."""

from __future__ import annotations

from typing import Any


def asset_events(uri: str) -> list[dict[str, Any]]:
    """The extras of the events recorded on the asset `uri`, oldest first."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        query = (
            select(AssetEvent.extra)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetModel.uri == uri)
            .order_by(AssetEvent.id)
        )
        return [dict(extra or {}) for extra in session.scalars(query)]
