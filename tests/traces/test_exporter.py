"""`SpanExporter` under the real SDK's processors: every span once, the same rows as the
Collector's file of the same spans, the flush and shutdown contract, overflow counted, and
nothing flushed lost when the process is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import polars as pl
import pytest
from google.protobuf import json_format
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExportResult,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode

from scouter_flows import SpanStoreSink, Store
from scouter_flows.evaluate import (
    EvalDataset,
    EvalRecord,
    SpanFilter,
    TraceAssertion,
    TraceAssertionTask,
)
from scouter_flows.sources.logger import ParquetSink
from scouter_flows.traces import SpanExporter, read_flat_spans, read_otlp_json, span_row


def _spans(folder: Path) -> pl.DataFrame:
    return read_flat_spans(f"{folder}/date=*/*.parquet")


def _chat(provider: TracerProvider, n: int) -> None:
    tracer = provider.get_tracer("tests")
    with tracer.start_as_current_span("handle", kind=SpanKind.SERVER) as root:
        root.set_attribute("request.n", n)
        with tracer.start_as_current_span("retrieve") as retrieve:
            retrieve.set_attribute("docs", ["a", "b"])
        with tracer.start_as_current_span("generate", kind=SpanKind.CLIENT) as generate:
            generate.set_attribute("llm.tokens", 40 + n)
            generate.set_attribute("llm.temperature", 0.5)
            generate.add_event("first-token", {"latency.ms": 1.5})
            if n == 1:
                generate.set_status(Status(StatusCode.ERROR, "rate limited"))


@pytest.mark.parametrize("batched", [False, True], ids=["as-processor", "under-batch-processor"])
def test_one_hundred_thousand_spans_from_four_threads_are_written_once(
    tmp_path: Path, batched: bool
) -> None:
    exporter = SpanExporter(tmp_path, batch_size=5_000)
    provider = TracerProvider()
    provider.add_span_processor(
        BatchSpanProcessor(exporter, max_queue_size=200_000, max_export_batch_size=2_000)
        if batched
        else exporter
    )
    tracer = provider.get_tracer("load")

    def produce(thread: int) -> None:
        for n in range(25_000):
            with tracer.start_as_current_span(f"t{thread}") as span:
                span.set_attribute("n", n)

    threads = [threading.Thread(target=produce, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    provider.shutdown()
    spans = _spans(tmp_path)
    assert spans.height == 100_000 == exporter.written
    assert exporter.dropped == 0
    assert spans["span_id"].n_unique() == 100_000
    per_thread = spans.group_by("name").agg(pl.len()).sort("name")
    assert per_thread["len"].to_list() == [25_000] * 4


def test_exported_rows_equal_the_collectors_file_of_the_same_spans(tmp_path: Path) -> None:
    memory = InMemorySpanExporter()
    exporter = SpanExporter(tmp_path / "spans")
    provider = TracerProvider(resource=Resource.create({"service.name": "chat-api"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    for n in range(3):
        _chat(provider, n)
    provider.shutdown()
    otlp = tmp_path / "traces.jsonl"
    request = encode_spans(memory.get_finished_spans())
    otlp.write_text(json_format.MessageToJson(request, indent=None))
    collected = read_otlp_json(otlp)
    exported = _spans(tmp_path / "spans")
    assert exported.height == 9
    assert exported.equals(collected)

    # Trace assertions judge both the same way (the second trace has an error).
    roots = exported.filter(pl.col("parent_span_id").is_null()).sort("start_time")
    records = [
        EvalRecord(id=f"r{n}", context={"n": n}, trace_id=trace)
        for n, trace in enumerate(roots["trace_id"])
    ]
    tasks = [
        TraceAssertionTask(
            id="no_error",
            assertion=TraceAssertion.span_exists(SpanFilter.with_status("ERROR")),
            operator="Equals",
            expected_value=False,
        ),
        TraceAssertionTask(
            id="tokens",
            assertion=TraceAssertion.span_attribute(SpanFilter.by_name("generate"), "llm.tokens"),
            operator="GreaterThan",
            expected_value=40,
        ),
    ]

    def statuses(spans: pl.DataFrame) -> list[tuple[str, str, str]]:
        frame = EvalDataset(records, tasks).evaluate(spans=spans).to_polars()
        return sorted(frame.select("record_id", "task_id", "status").iter_rows())

    judged = statuses(exported)
    assert judged == statuses(collected)
    assert [s for r, t, s in judged if t == "no_error"] == ["pass", "fail", "pass"]
    assert [s for r, t, s in judged if t == "tokens"] == ["fail", "pass", "pass"]


def test_flush_writes_now_and_shutdown_is_final(tmp_path: Path) -> None:
    exporter = SpanExporter(tmp_path, flush_interval=60)
    provider = TracerProvider()
    provider.add_span_processor(exporter)
    _chat(provider, 0)
    # The writer's timer is a minute; the provider's flush writes at once (timeout 6 s).
    assert provider.force_flush(timeout_millis=6_000)
    assert _spans(tmp_path).height == 3
    _chat(provider, 1)
    provider.shutdown()
    assert _spans(tmp_path).height == 6
    exporter.shutdown()  # again: nothing happens
    finished: list[ReadableSpan] = []
    memory = InMemorySpanExporter()
    late = TracerProvider()
    late.add_span_processor(SimpleSpanProcessor(memory))
    _chat(late, 2)
    finished.extend(memory.get_finished_spans())
    assert exporter.export(finished) is SpanExportResult.FAILURE
    assert exporter.force_flush()
    assert _spans(tmp_path).height == 6


class _StuckSink(ParquetSink):
    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.release = threading.Event()

    def write(self, rows: pl.DataFrame) -> None:
        self.release.wait(timeout=30)
        super().write(rows)


def test_a_full_queue_fails_the_export_and_counts_what_it_dropped(tmp_path: Path) -> None:
    sink = _StuckSink(tmp_path)
    exporter = SpanExporter(sink, batch_size=2, max_queued=4)
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    for n in range(10):
        _chat(provider, n)
    spans = memory.get_finished_spans()
    results = [exporter.export([span]) for span in spans]
    assert SpanExportResult.FAILURE in results
    refused = results.count(SpanExportResult.FAILURE)
    sink.release.set()
    exporter.shutdown()
    assert exporter.dropped == refused
    assert exporter.written == len(spans) - refused == _spans(tmp_path).height


def test_spans_flushed_before_a_kill_are_all_on_disk(tmp_path: Path) -> None:
    script = f"""
import time
from opentelemetry.sdk.trace import TracerProvider
from scouter_flows.traces import SpanExporter
exporter = SpanExporter({str(tmp_path)!r}, flush_interval=60)
provider = TracerProvider()
provider.add_span_processor(exporter)
tracer = provider.get_tracer("killed")
for n in range(500):
    with tracer.start_as_current_span("work") as span:
        span.set_attribute("n", n)
assert provider.force_flush(10_000)
print("flushed", flush=True)
time.sleep(600)
"""
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "flushed", child.stderr.read() if child.stderr else ""
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    spans = _spans(tmp_path)
    assert sorted(spans["attributes"].str.json_path_match("$.n").cast(pl.Int64)) == list(range(500))


def test_the_store_sink_keeps_a_span_exported_twice_once(store_url: str) -> None:
    Store(store_url, auto_upgrade=True).close()
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "chat-api"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    for n in range(2):
        _chat(provider, n)
    spans = list(memory.get_finished_spans())
    exporter = SpanExporter(SpanStoreSink(store_url), flush_interval=60)
    assert exporter.export(spans) is SpanExportResult.SUCCESS
    assert exporter.export(spans[:2]) is SpanExportResult.SUCCESS  # a re-sent batch
    exporter.shutdown()
    traces = sorted({span_row(s)["trace_id"] for s in spans})
    with Store(store_url) as store:
        stored = store.spans(traces)
    assert stored.height == 6
    assert stored.select("trace_id", "span_id").is_unique().all()
    assert set(stored["service_name"]) == {"chat-api"}
    assert sorted(stored["status"]) == ["ERROR"] + ["UNSET"] * 5


def test_a_span_row_matches_the_span(tmp_path: Path) -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    _chat(provider, 1)
    generate = next(s for s in memory.get_finished_spans() if s.name == "generate")
    row = span_row(generate)
    assert generate.context is not None
    assert generate.parent is not None
    assert row["trace_id"] == format(generate.context.trace_id, "032x")
    assert row["parent_span_id"] == format(generate.parent.span_id, "016x")
    assert (row["kind"], row["status"]) == ("CLIENT", "ERROR")
    assert '"llm.tokens": 41' in row["attributes"]
    assert '"first-token"' in row["events"]
    assert row["duration_ms"] == pytest.approx(
        (generate.end_time - generate.start_time) / 1e6  # type: ignore[operator]
    )
