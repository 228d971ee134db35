"""OpenTelemetry spans as one flat frame: from OTLP JSON files, flat parquet/NDJSON, or the store.

OTLP JSON is what the OpenTelemetry Collector's file exporter writes: one
`ExportTraceServiceRequest` per line, `resourceSpans -> scopeSpans -> spans`. Ids may be hex (as
the OTLP/JSON spec and the Collector write them) or base64 (as protobuf's own JSON mapping
does); both are read as lower-case hex.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from scouter_flows.deprecation import moved_names
from scouter_flows.errors import DataError
from scouter_flows.sources.files import scan_files
from scouter_flows.traces.schema import SPAN_SCHEMA, from_unix_nano

_KINDS = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"]
_STATUSES = ["UNSET", "OK", "ERROR"]


def read_otlp_json(path: str | Path) -> pl.DataFrame:
    """Every span of an OTLP JSON-lines file, normalised (see `normalise_spans`).

    Raises:
        DataError: the file is missing, a line is not JSON, or a span lacks its ids or times;
            the message names the file and the line.
    """
    source = Path(path)
    if not source.is_file():
        raise DataError(f"span file not found: {source}")
    rows = list(_otlp_rows(source))
    raw = {**SPAN_SCHEMA, "start_time": pl.Int64, "end_time": pl.Int64}
    frame = pl.DataFrame(rows, schema=raw, orient="row")
    return normalise_spans(frame.with_columns(from_unix_nano("start_time", "end_time")))


def read_flat_spans(path: str | Path) -> pl.DataFrame:
    """Spans already flat (parquet or NDJSON with the `SPAN_SCHEMA` columns), normalised."""
    frame = scan_files(path).collect()
    missing = [c for c in SPAN_SCHEMA if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: span rows need the columns {missing}; found {frame.columns}")
    return normalise_spans(frame.select(pl.col(c).cast(t) for c, t in SPAN_SCHEMA.items()))


def normalise_spans(spans: pl.DataFrame) -> pl.DataFrame:
    """Spans ordered by trace and start time, with `depth` and `order` per trace.

    Spans that start in the same nanosecond are ordered depth-first: a parent before its
    children, and a child's subtree before its later siblings. A span whose parent is not among
    the spans counts as a root (depth 0).
    """
    ordered = spans.sort("trace_id", "start_time", "span_id")
    rank, depth = _depth_first(
        ordered["trace_id"].to_list(),
        ordered["span_id"].to_list(),
        ordered["parent_span_id"].to_list(),
    )
    return (
        ordered.with_columns(
            depth=pl.Series(depth, dtype=pl.Int32),
            **{"\x00rank": pl.Series(rank, dtype=pl.Int64)},
        )
        .sort("trace_id", "start_time", "\x00rank")
        .drop("\x00rank")
        .with_columns(order=pl.int_range(pl.len(), dtype=pl.Int32).over("trace_id"))
    )


def _depth_first(
    traces: list[str], spans: list[str], parents: list[str | None]
) -> tuple[list[int], list[int]]:
    """Each span's rank in a depth-first walk of its trace and its depth, for spans sorted by
    trace, start time and id (so children and roots are visited in that order). Spans on a
    parent cycle (malformed) are walked from the earliest as if it were a root."""
    rank = [0] * len(spans)
    depth = [0] * len(spans)
    begin = 0
    while begin < len(spans):
        end = begin
        while end < len(spans) and traces[end] == traces[begin]:
            end += 1
        index = {spans[i]: i for i in range(begin, end)}
        children: dict[int, list[int]] = {}
        roots = []
        for i in range(begin, end):
            parent_id = parents[i]
            parent = index.get(parent_id) if parent_id else None
            if parent is None or parent == i:
                roots.append(i)
            else:
                children.setdefault(parent, []).append(i)
        seen = [False] * (end - begin)
        counter = 0
        for start in [*roots, *range(begin, end)]:
            if seen[start - begin]:
                continue
            stack = [(start, 0)]
            while stack:
                node, level = stack.pop()
                if seen[node - begin]:
                    continue
                seen[node - begin] = True
                rank[node], depth[node] = counter, level
                counter += 1
                stack.extend((child, level + 1) for child in reversed(children.get(node, [])))
        begin = end
    return rank, depth


def _otlp_rows(source: Path) -> Iterator[tuple[Any, ...]]:
    with source.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{source}, line {number}"
            try:
                request = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{where}: not JSON ({exc.msg})") from None
            for resource_spans in request.get("resourceSpans", []):
                resource = _attributes(resource_spans.get("resource", {}).get("attributes", []))
                service = resource.get("service.name")
                for scope_spans in resource_spans.get("scopeSpans", []):
                    for span in scope_spans.get("spans", []):
                        yield _row(span, service, where)


def _row(span: dict[str, Any], service: Any, where: str) -> tuple[Any, ...]:
    try:
        start, end = int(span["startTimeUnixNano"]), int(span["endTimeUnixNano"])
        trace_id, span_id = _hex(span["traceId"]), _hex(span["spanId"])
    except (KeyError, ValueError, binascii.Error) as exc:
        raise DataError(
            f"{where}: a span lacks a valid {exc} (ids and times are required)"
        ) from None
    status = span.get("status", {})
    events = [
        {
            "name": e.get("name", ""),
            "time_unix_nano": int(e.get("timeUnixNano", 0)),
            "attributes": _attributes(e.get("attributes", [])),
        }
        for e in span.get("events", [])
    ]
    return (
        trace_id,
        span_id,
        _hex(span["parentSpanId"]) if span.get("parentSpanId") else None,
        span.get("name", ""),
        _enum(span.get("kind", 0), _KINDS, "SPAN_KIND_"),
        start,
        end,
        (end - start) / 1e6,
        _enum(status.get("code", 0), _STATUSES, "STATUS_CODE_"),
        None if service is None else str(service),
        json.dumps(_attributes(span.get("attributes", []))),
        json.dumps(events),
    )


def _hex(value: str) -> str:
    text = value.strip()
    if len(text) in (16, 32) and all(c in "0123456789abcdefABCDEF" for c in text):
        return text.lower()
    return base64.b64decode(text, validate=True).hex()


def _enum(value: int | str, names: list[str], prefix: str) -> str:
    if isinstance(value, int):
        return names[value] if 0 <= value < len(names) else str(value)
    return value.removeprefix(prefix)


def _attributes(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    return {pair["key"]: _value(pair.get("value", {})) for pair in pairs}


def _value(any_value: dict[str, Any]) -> Any:
    if "stringValue" in any_value:
        return any_value["stringValue"]
    if "boolValue" in any_value:
        return bool(any_value["boolValue"])
    if "intValue" in any_value:
        return int(any_value["intValue"])  # 64-bit integers travel as strings in JSON
    if "doubleValue" in any_value:
        return float(any_value["doubleValue"])
    if "arrayValue" in any_value:
        return [_value(v) for v in any_value["arrayValue"].get("values", [])]
    if "kvlistValue" in any_value:
        return _attributes(any_value["kvlistValue"].get("values", []))
    if "bytesValue" in any_value:
        return any_value["bytesValue"]
    return None


__getattr__ = moved_names(__name__, {"SPAN_COLUMNS": "scouter_flows.traces.schema:SPAN_SCHEMA"})
