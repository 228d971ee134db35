"""Spans written by the real opentelemetry-sdk, encoded as OTLP JSON, read back and stored."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from google.protobuf import json_format
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode

from scouter_flows import DataError, Store
from scouter_flows.traces.schema import SPAN_SCHEMA
from scouter_flows.traces.spans import normalise_spans, read_flat_spans, read_otlp_json


def _record_traces(traces: int) -> list[str]:
    """OTLP JSON lines (one export request per trace) from real SDK spans."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "chat-api"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("tests")
    lines = []
    for n in range(traces):
        with tracer.start_as_current_span("handle", kind=SpanKind.SERVER) as root:
            root.set_attribute("request.n", n)
            with tracer.start_as_current_span("retrieve") as retrieve:
                retrieve.set_attribute("docs", ["a", "b"])
                time.sleep(0.002)
            with tracer.start_as_current_span("generate", kind=SpanKind.CLIENT) as generate:
                generate.set_attribute("llm.model", "small")
                generate.set_attribute("llm.tokens", 42)
                generate.add_event("first-token", {"latency.ms": 1.5})
                if n == 1:
                    generate.set_status(Status(StatusCode.ERROR, "rate limited"))
        request = encode_spans(exporter.get_finished_spans())
        lines.append(json_format.MessageToJson(request, indent=None))
        exporter.clear()
    provider.shutdown()
    return lines


def _as_hex_ids(line: str) -> str:
    """The same request with hex ids, as the Collector's file exporter writes them."""
    request = json.loads(line)
    for resource in request["resourceSpans"]:
        for scope in resource["scopeSpans"]:
            for span in scope["spans"]:
                for key in ("traceId", "spanId", "parentSpanId"):
                    if span.get(key):
                        span[key] = base64.b64decode(span[key]).hex()
    return json.dumps(request)


@pytest.mark.parametrize("hex_ids", [False, True])
def test_otlp_json_keeps_links_durations_status_and_attributes(
    tmp_path: Path, hex_ids: bool
) -> None:
    lines = _record_traces(2)
    path = tmp_path / "traces.jsonl"
    path.write_text("\n".join(_as_hex_ids(x) if hex_ids else x for x in lines) + "\n")
    spans = read_otlp_json(path)
    assert spans.height == 6
    assert spans["trace_id"].n_unique() == 2
    assert set(spans["trace_id"].str.len_chars()) == {32}
    first = spans.filter(pl.col("trace_id") == spans["trace_id"][0])
    root = first.filter(pl.col("name") == "handle").row(0, named=True)
    assert root["parent_span_id"] is None
    assert (root["depth"], root["order"], root["kind"]) == (0, 0, "SERVER")
    children = first.filter(pl.col("depth") == 1)
    assert children["name"].to_list() == ["retrieve", "generate"]
    assert children["parent_span_id"].to_list() == [root["span_id"]] * 2
    assert children["order"].to_list() == [1, 2]
    retrieve = children.row(0, named=True)
    assert retrieve["duration_ms"] >= 2.0
    assert retrieve["duration_ms"] == pytest.approx(
        (retrieve["end_time"] - retrieve["start_time"]).total_seconds() * 1000, abs=1e-3
    )
    generate = spans.filter(pl.col("name") == "generate")
    assert sorted(generate["status"].to_list()) == ["ERROR", "UNSET"]
    assert json.loads(generate["attributes"][0]) == {"llm.model": "small", "llm.tokens": 42}
    assert json.loads(retrieve["attributes"]) == {"docs": ["a", "b"]}
    event = json.loads(generate["events"][0])[0]
    assert (event["name"], event["attributes"]) == ("first-token", {"latency.ms": 1.5})
    assert spans["service_name"].unique().to_list() == ["chat-api"]
    assert json.loads(root["attributes"])["request.n"] in (0, 1)


def test_spans_round_trip_through_flat_files_and_the_store(tmp_path: Path, store_url: str) -> None:
    path = tmp_path / "traces.jsonl"
    path.write_text("\n".join(_record_traces(3)) + "\n")
    spans = read_otlp_json(path)
    spans.drop("depth", "order").write_parquet(tmp_path / "spans.parquet")
    assert read_flat_spans(tmp_path / "spans.parquet").equals(spans)
    with Store(store_url, auto_upgrade=True) as store:
        store.write_spans(spans.select(list(SPAN_SCHEMA)))
        back = store.spans(spans["trace_id"].unique().to_list())
    assert back.height == 9
    assert back.sort("span_id")["duration_ms"].to_list() == pytest.approx(
        spans.sort("span_id")["duration_ms"].to_list()
    )


def test_bad_span_files_name_the_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="span file not found"):
        read_otlp_json(tmp_path / "none.jsonl")
    path = tmp_path / "bad.jsonl"
    path.write_text(_record_traces(1)[0] + "\n{not json\n")
    with pytest.raises(DataError, match=r"bad.jsonl, line 2: not JSON"):
        read_otlp_json(path)
    broken = json.loads(_record_traces(1)[0])
    del broken["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["startTimeUnixNano"]
    path.write_text(json.dumps(broken) + "\n")
    with pytest.raises(DataError, match=r"line 1: a span lacks a valid 'startTimeUnixNano'"):
        read_otlp_json(path)


def test_real_sdk_spans_keep_nanoseconds_and_parents_come_first(tmp_path: Path) -> None:
    # Children start within their parent's microsecond here; cut to microseconds and ordered
    # by span id, a child came before its parent in about half of such traces.
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("tests")
    for _ in range(60):
        with (
            tracer.start_as_current_span("a"),
            tracer.start_as_current_span("b"),
            tracer.start_as_current_span("c"),
        ):
            pass
    path = tmp_path / "traces.jsonl"
    request = encode_spans(memory.get_finished_spans())
    path.write_text(json_format.MessageToJson(request, indent=None))
    spans = read_otlp_json(path)
    assert spans["start_time"].dtype == pl.Datetime("ns", "UTC")
    exact = {format(s.context.span_id, "016x"): s.start_time for s in memory.get_finished_spans()}
    assert [exact[s] for s in spans["span_id"]] == spans["start_time"].dt.epoch("ns").to_list()
    names = spans.group_by("trace_id", maintain_order=True).agg(pl.col("name").sort_by("order"))
    assert names["name"].to_list() == [["a", "b", "c"]] * 60


def _tree(parents: list[int]) -> pl.DataFrame:
    """A trace whose span i has parent `parents[i]` (an earlier span, or -1), all starting at
    the same nanosecond, with span ids that do not follow the tree."""
    ids = [f"{(7919 * i) % 10007:016x}" for i in range(len(parents))]
    start = datetime(2026, 11, 21, tzinfo=UTC)
    return pl.DataFrame(
        {
            "trace_id": ["t" * 32] * len(parents),
            "span_id": ids,
            "parent_span_id": [ids[p] if p >= 0 else None for p in parents],
            "name": [str(i) for i in range(len(parents))],
            "kind": ["INTERNAL"] * len(parents),
            "start_time": [start] * len(parents),
            "end_time": [start] * len(parents),
            "duration_ms": [0.0] * len(parents),
            "status": ["UNSET"] * len(parents),
            "service_name": [None] * len(parents),
            "attributes": ["{}"] * len(parents),
            "events": ["[]"] * len(parents),
        },
        schema=SPAN_SCHEMA,
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-1, max_value=40), min_size=1, max_size=40))
def test_spans_of_one_instant_are_ordered_depth_first(choices: list[int]) -> None:
    parents = [c if c < i else -1 for i, c in enumerate(choices)]
    spans = normalise_spans(_tree(parents))
    order = dict(zip(spans["name"].cast(pl.Int64), spans["order"], strict=True))
    depth = dict(zip(spans["name"].cast(pl.Int64), spans["depth"], strict=True))
    for child, parent in enumerate(parents):
        if parent >= 0:
            assert order[parent] < order[child]
            assert depth[child] == depth[parent] + 1
        else:
            assert depth[child] == 0
    # Depth-first: a span's subtree is one run of the order, right after the span.
    for node in range(len(parents)):
        subtree = {node}
        for child, parent in enumerate(parents):
            if parent in subtree:
                subtree.add(child)
        ranks = sorted(order[s] for s in subtree)
        assert ranks == list(range(order[node], order[node] + len(subtree)))
