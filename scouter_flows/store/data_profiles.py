"""Data profiles of windows: one per model (`space/name/version`) and window, replaced on re-run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl
import sqlalchemy as sa

from scouter_flows.errors import ConfigError
from scouter_flows.profiles.data_profile import DataProfile
from scouter_flows.store import schema
from scouter_flows.store.connection import StoreConnection, dialect_insert
from scouter_flows.window import Window

_LISTING = {
    "data_profile_id": pl.Int64,
    "space": pl.String,
    "name": pl.String,
    "version": pl.String,
    "window_start": pl.Datetime("us", "UTC"),
    "window_end": pl.Datetime("us", "UTC"),
    "rows_observed": pl.Int64,
    "created_at": pl.Datetime("us", "UTC"),
}


class DataProfiles(StoreConnection):
    """Writes and reads of window data profiles."""

    def write_data_profile(
        self, space: str, name: str, version: str, window: Window, profile: DataProfile
    ) -> int:
        """Store the data profile of `window` (replacing an earlier one of the same window);
        return its id."""
        table = schema.data_profiles
        values: dict[str, Any] = {
            "rows_observed": profile.rows,
            "body": profile.model_dump(mode="json"),
            "created_at": datetime.now(UTC),
        }
        with self._begin() as conn:
            upsert = dialect_insert(conn, table).values(
                space=space,
                name=name,
                version=version,
                window_start=window.start,
                window_end=window.end,
                **values,
            )
            keys = ["space", "name", "version", "window_start", "window_end"]
            statement = upsert.on_conflict_do_update(index_elements=keys, set_=values)
            return int(conn.execute(statement.returning(table.c.id)).scalar_one())

    def data_profiles(
        self, space: str | None = None, name: str | None = None, version: str | None = None
    ) -> pl.DataFrame:
        """The stored data profiles (without their bodies), newest window first."""
        table = schema.data_profiles
        query = sa.select(
            table.c.id,
            table.c.space,
            table.c.name,
            table.c.version,
            table.c.window_start,
            table.c.window_end,
            table.c.rows_observed,
            table.c.created_at,
        ).order_by(table.c.window_end.desc(), table.c.id.desc())
        for column, value in (("space", space), ("name", name), ("version", version)):
            if value is not None:
                query = query.where(table.c[column] == value)
        return self._frame(query, _LISTING)

    def get_data_profile(self, profile_id: int) -> DataProfile:
        """One stored data profile.

        Raises:
            ConfigError: no data profile has that id.
        """
        table = schema.data_profiles
        with self._connect() as conn:
            body = conn.execute(sa.select(table.c.body).where(table.c.id == profile_id)).scalar()
        if body is None:
            raise ConfigError(f"no data profile with id {profile_id} in the store")
        return DataProfile.model_validate(body)
