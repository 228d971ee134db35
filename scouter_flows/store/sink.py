"""`StoreSink`: the `InferenceLogger` writing into the store's inference-log table."""

from __future__ import annotations

import polars as pl

from scouter_flows.store.store import Store


class StoreSink:
    """The store's `inference_logs` table (day-partitioned on Postgres), for model `space/name`.

    Example:
        >>> from scouter_flows import InferenceLogger
        >>> logger = InferenceLogger(StoreSink("credit", "default-risk", "sqlite:///:memory:"))
        >>> logger.close()
    """

    def __init__(self, space: str, name: str, store_url: str | None = None) -> None:
        self.space, self.name = space, name
        self._store = Store(store_url)

    def write(self, rows: pl.DataFrame) -> None:
        """Append `rows`; a retried batch is not stored twice."""
        self._store.write_inference_logs(self.space, self.name, rows)

    def close(self) -> None:
        """Close the store's connections."""
        self._store.close()
