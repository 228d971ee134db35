"""The results store: SQLAlchemy Core tables, Alembic migrations and the `Store` API.

Names load lazily, so a module that needs only `scouter_flows.store.url` (an Airflow DAG file
being parsed, for one) does not import the store's engine, Polars or Alembic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scouter_flows.lazy import lazy_exports

_EXPORTS = {
    "AlertRecord": "scouter_flows.store.records",
    "RunWritten": "scouter_flows.store.records",
    "StoredAlert": "scouter_flows.store.records",
    "Store": "scouter_flows.store.store",
    "StoreChoice": "scouter_flows.store.url",
    "resolve_url": "scouter_flows.store.url",
}
__all__ = ["AlertRecord", "RunWritten", "Store", "StoreChoice", "StoredAlert", "resolve_url"]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from scouter_flows.store.records import AlertRecord, RunWritten, StoredAlert
    from scouter_flows.store.store import Store
    from scouter_flows.store.url import StoreChoice, resolve_url
