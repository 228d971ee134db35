"""OpenTelemetry spans as one flat frame (`SPAN_SCHEMA`) and the filters that select spans.

Read from the Collector's OTLP JSON, flat parquet or NDJSON, or the store; written straight from
an application by `SpanExporter` (the `traces` extra). Used by the
evaluator's trace assertions; nothing here imports `scouter_flows.evaluate`.
"""

from scouter_flows.lazy import lazy_exports

_EXPORTS = {
    "SPAN_SCHEMA": "scouter_flows.traces.schema",
    "read_otlp_json": "scouter_flows.traces.spans",
    "read_flat_spans": "scouter_flows.traces.spans",
    "normalise_spans": "scouter_flows.traces.spans",
    "SpanExporter": "scouter_flows.traces.exporter",
    "span_row": "scouter_flows.traces.exporter",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
