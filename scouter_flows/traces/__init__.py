"""OpenTelemetry spans as one flat frame (`SPAN_SCHEMA`) and the filters that select spans.

Read from the Collector's OTLP JSON, flat parquet or NDJSON, or the store. Used by the
evaluator's trace assertions; nothing here imports `scouter_flows.evaluate`.
"""
