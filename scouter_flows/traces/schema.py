"""The columns of a span frame: what every span reader returns and what the store keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SPAN_SCHEMA: dict[str, Any] = {
    "trace_id": pl.String,
    "span_id": pl.String,
    "parent_span_id": pl.String,
    "name": pl.String,
    "kind": pl.String,
    "start_time": pl.Datetime("us", "UTC"),
    "end_time": pl.Datetime("us", "UTC"),
    "duration_ms": pl.Float64,
    "status": pl.String,
    "service_name": pl.String,
    "attributes": pl.String,
    "events": pl.String,
}
"""Span columns and their dtypes (attributes and events as JSON text). The readers' frames add
`depth` (0 for a root) and `order` (by start time within the trace), which the store derives on
read instead of keeping."""


def utc_from_unix_nano(nanoseconds: int) -> datetime:
    """A span time (nanoseconds since the epoch) as the UTC datetime a span frame keeps: cut to
    the microsecond, which is all a Python datetime and the store hold."""
    return _EPOCH + timedelta(microseconds=nanoseconds // 1000)
