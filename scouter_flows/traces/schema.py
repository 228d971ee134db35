"""The columns of a span frame: what every span reader returns and what the store keeps."""

from __future__ import annotations

from typing import Any

import polars as pl

SPAN_SCHEMA: dict[str, Any] = {
    "trace_id": pl.String,
    "span_id": pl.String,
    "parent_span_id": pl.String,
    "name": pl.String,
    "kind": pl.String,
    "start_time": pl.Datetime("ns", "UTC"),
    "end_time": pl.Datetime("ns", "UTC"),
    "duration_ms": pl.Float64,
    "status": pl.String,
    "service_name": pl.String,
    "attributes": pl.String,
    "events": pl.String,
}
"""Span columns and their dtypes (times to the nanosecond, as OpenTelemetry keeps them;
attributes and events as JSON text). The readers' frames add `depth` (0 for a root) and `order`
(by start time within the trace, a parent before its children), which the store derives on read
instead of keeping."""


def from_unix_nano(*columns: str) -> list[pl.Expr]:
    """Integer columns of nanoseconds since the epoch as the span frame's UTC times."""
    return [pl.col(c).cast(pl.Datetime("ns")).dt.replace_time_zone("UTC") for c in columns]
