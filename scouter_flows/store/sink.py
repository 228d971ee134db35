"""Sinks into the store: `StoreSink` (the inference-log table) for the `InferenceLogger`,
`SpanStoreSink` (the spans table) for the `SpanExporter`."""

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


class SpanStoreSink:
    """The store's `spans` table, for `scouter_flows.traces.SpanExporter`.

    A span exported twice (a retried batch, a re-sent export) is stored once.

    Example:
        >>> from scouter_flows.traces import SpanExporter
        >>> exporter = SpanExporter(SpanStoreSink("sqlite:///:memory:"))
        >>> exporter.shutdown()
    """

    def __init__(self, store_url: str | None = None) -> None:
        self._store = Store(store_url)

    def write(self, rows: pl.DataFrame) -> None:
        """Store the spans of `rows` (the exporter's `logged_at` column is not kept)."""
        self._store.write_spans(rows.drop("logged_at", strict=False))

    def close(self) -> None:
        """Close the store's connections."""
        self._store.close()
