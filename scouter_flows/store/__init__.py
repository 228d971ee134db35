"""The results store: SQLAlchemy Core tables, Alembic migrations and the `Store` API."""

from scouter_flows.store.records import AlertRecord, RunWritten, StoredAlert
from scouter_flows.store.store import Store
from scouter_flows.store.url import resolve_url

__all__ = ["AlertRecord", "RunWritten", "Store", "StoredAlert", "resolve_url"]
