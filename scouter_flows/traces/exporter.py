"""`SpanExporter`: an application's OpenTelemetry spans straight to parquet files or the store.

An exporter for the OpenTelemetry SDK's span processors. It writes through the same bounded
queue and background writer as the `InferenceLogger` (batching, retries with back-off, nothing
accepted is lost, drops counted), as rows of `SPAN_SCHEMA`: the files read back with
`read_flat_spans`, the store's `spans` table with `Store.spans`, and both feed the trace
assertions of an evaluation with no Collector in between.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

try:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
    from opentelemetry.sdk.trace.export import SpanExporter as _OtelSpanExporter
    from opentelemetry.sdk.trace.export import SpanExportResult
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        f"SpanExporter needs the OpenTelemetry SDK: pip install 'scouter-flows[traces]' ({exc})"
    ) from exc

from scouter_flows.errors import StoreError
from scouter_flows.sources.logger import InferenceLogger, LogSink, ParquetSink, WhenFull
from scouter_flows.traces.schema import SPAN_SCHEMA, from_unix_nano

log = logging.getLogger(__name__)


def span_row(span: ReadableSpan) -> dict[str, Any]:
    """One finished SDK span as a row of `SPAN_SCHEMA`: the values `read_otlp_json` reads from
    the Collector's file of the same span (ids as lower-case hex; `start_time` and `end_time`
    as integer nanoseconds since the epoch, which the exporter turns into UTC times)."""
    context = span.context
    if context is None or span.start_time is None or span.end_time is None:
        raise ValueError(f"span {span.name!r} is not finished (no context or end time)")
    parent = span.parent
    resource = span.resource.attributes.get("service.name") if span.resource else None
    events = [
        {
            "name": event.name,
            "time_unix_nano": event.timestamp,
            "attributes": dict(event.attributes or {}),
        }
        for event in span.events
    ]
    return {
        "trace_id": f"{context.trace_id:032x}",
        "span_id": f"{context.span_id:016x}",
        "parent_span_id": None if parent is None else f"{parent.span_id:016x}",
        "name": span.name,
        "kind": span.kind.name,
        "start_time": span.start_time,
        "end_time": span.end_time,
        "duration_ms": (span.end_time - span.start_time) / 1e6,
        "status": span.status.status_code.name,
        "service_name": None if resource is None else str(resource),
        "attributes": json.dumps(dict(span.attributes or {})),
        "events": json.dumps(events),
    }


class SpanExporter(_OtelSpanExporter, SpanProcessor):
    """Writes finished spans to `sink`: a folder (hive-partitioned parquet by export date) or
    any `InferenceLogger` sink, `SpanStoreSink(url)` for the store.

    It is a span processor and a span exporter at once. Added to a provider directly
    (`provider.add_span_processor(SpanExporter("spans"))`), a span's end only queues it, so a
    request never waits for a file or a database, and `provider.force_flush()` returns when
    every span ended so far is written. Under the SDK's `BatchSpanProcessor` it works too, but
    that processor's `force_flush` never reaches its exporter: spans are written within
    `flush_interval`, or at once by `exporter.force_flush()`. `shutdown` (the provider runs it
    at exit) writes the rest and closes the sink.

    Args:
        sink: A folder path, or a sink object (`ParquetSink`, `SpanStoreSink`, your own).
        batch_size, flush_interval, max_queued, when_full, close_timeout: As `InferenceLogger`.

    Example:
        >>> import tempfile
        >>> from opentelemetry.sdk.trace import TracerProvider
        >>> from scouter_flows.traces import SpanExporter, read_flat_spans
        >>> folder = tempfile.mkdtemp()
        >>> provider = TracerProvider()
        >>> provider.add_span_processor(SpanExporter(folder))
        >>> with provider.get_tracer("shop").start_as_current_span("answer"):
        ...     pass
        >>> provider.force_flush()
        True
        >>> read_flat_spans(f"{folder}/date=*/*.parquet")["name"].to_list()
        ['answer']
        >>> provider.shutdown()
    """

    def __init__(
        self,
        sink: LogSink | str | Path,
        *,
        batch_size: int = 10_000,
        flush_interval: float = 1.0,
        max_queued: int = 1_000_000,
        when_full: WhenFull = "drop",
        close_timeout: float = 30.0,
    ) -> None:
        target = ParquetSink(sink) if isinstance(sink, str | Path) else sink
        self._logger = InferenceLogger(
            _SpanRows(target),
            batch_size=batch_size,
            flush_interval=flush_interval,
            max_queued=max_queued,
            when_full=when_full,
            close_timeout=close_timeout,
            label="span",
        )
        self._shut = False

    @property
    def written(self) -> int:
        """Spans the sink has accepted."""
        return self._logger.written

    @property
    def dropped(self) -> int:
        """Spans that will not be written (a full queue, or refused by the sink); logged too."""
        return self._logger.dropped

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Queue `spans`; FAILURE when any was refused (full queue) or after `shutdown`."""
        if self._shut:
            return SpanExportResult.FAILURE
        try:
            accepted = [self._logger.insert(span_row(span)) for span in spans]
        except StoreError:  # closed by a concurrent shutdown
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS if all(accepted) else SpanExportResult.FAILURE

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        """Nothing to do until the span ends."""

    def on_end(self, span: ReadableSpan) -> None:
        """Queue a sampled span as it ends (the span processor's side)."""
        if span.context is not None and span.context.trace_flags.sampled:
            self.export((span,))

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Write every span queued so far; False when `timeout_millis` passed first."""
        if self._shut:
            return True
        try:
            self._logger.flush(timeout=timeout_millis / 1000)
        except StoreError as exc:
            log.warning("%s", exc)
            return False
        return True

    def shutdown(self) -> None:
        """Write what is queued and close the sink; later calls do nothing."""
        if self._shut:
            return
        self._shut = True
        try:
            self._logger.close()
        except StoreError as exc:  # never raise from the provider's exit hook
            log.error("%s", exc)


class _SpanRows:
    """Casts each batch to `SPAN_SCHEMA` (plus the logger's `logged_at`) before `sink` sees it,
    so every file and every store write has the same columns whatever a batch held."""

    def __init__(self, sink: LogSink) -> None:
        self.sink = sink

    def write(self, rows: pl.DataFrame) -> None:
        times = ("start_time", "end_time")  # integer nanoseconds from `span_row`
        self.sink.write(
            rows.select(
                *(
                    from_unix_nano(c)[0] if c in times else pl.col(c).cast(t)
                    for c, t in SPAN_SCHEMA.items()
                ),
                pl.col("logged_at"),
            )
        )

    def close(self) -> None:
        self.sink.close()
