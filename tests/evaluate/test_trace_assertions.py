"""Trace assertions over spans written by the real opentelemetry-sdk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from scouter_flows import ConfigError
from scouter_flows.evaluate import (
    AggregationType,
    EvalDataset,
    EvalRecord,
    SpanFilter,
    TraceAssertion,
    TraceAssertionTask,
    load_tasks,
)
from scouter_flows.traces.spans import read_otlp_json
from tests.traces.test_spans import _record_traces

F = SpanFilter
T = TraceAssertion


@pytest.fixture(scope="module")
def spans(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    path = tmp_path_factory.mktemp("otel") / "traces.jsonl"
    path.write_text("\n".join(_record_traces(3)) + "\n")
    return read_otlp_json(path)


def _records(spans: pl.DataFrame) -> list[EvalRecord]:
    roots = spans.filter(pl.col("parent_span_id").is_null()).sort("start_time")
    return [
        EvalRecord(id=f"r{n}", context={"n": n}, trace_id=trace)
        for n, trace in enumerate(roots["trace_id"])
    ]


def _run(
    spans: pl.DataFrame, assertion: TraceAssertion, operator: str, expected: Any
) -> dict[str, tuple[str, Any]]:
    task = TraceAssertionTask(
        id="t", assertion=assertion, operator=operator, expected_value=expected
    )
    frame = EvalDataset(_records(spans), [task]).evaluate(spans=spans).to_polars()
    return {
        r["record_id"]: (r["status"], r["actual"] or r["message"])
        for r in frame.iter_rows(named=True)
    }


@pytest.mark.parametrize(
    ("assertion", "operator", "expected", "statuses"),
    [
        (T.span_sequence(["handle", "retrieve", "generate"]), "Equals", True, "ppp"),
        (T.span_sequence(["handle", "generate"]), "Equals", False, "ppp"),
        (T.span_sequence(["handle", "generate"], exact=False), "Equals", True, "ppp"),
        (T.span_sequence(["generate", "retrieve"], exact=False), "Equals", False, "ppp"),
        (T.span_set(["generate", "retrieve"]), "Equals", True, "ppp"),
        (T.span_count(F.by_name_pattern("^(retrieve|generate)$")), "Equals", 2, "ppp"),
        (T.span_count(F.sequence(["retrieve", "generate"])), "Equals", 1, "ppp"),
        (T.span_exists(F.with_status("ERROR")), "Equals", True, "fpf"),
        (T.span_attribute(F.by_name("generate"), "llm.tokens"), "Equals", 42, "ppp"),
        (T.span_attribute(F.by_name("retrieve"), "docs"), "ContainsAll", ["a", "b"], "ppp"),
        (T.span_duration(F.by_name("retrieve")), "GreaterThanOrEqual", 2.0, "ppp"),
        (
            T.span_aggregation(F.with_attribute("llm.tokens"), "llm.tokens", AggregationType.Sum),
            "Equals",
            42,
            "ppp",
        ),
        (
            T.span_aggregation(F.with_attribute("llm.model"), "llm.model", "Count"),
            "Equals",
            1,
            "ppp",
        ),
        (T.trace_duration(), "GreaterThan", 0, "ppp"),
        (T.trace_span_count(), "Equals", 3, "ppp"),
        (T.trace_error_count(), "Equals", 0, "pfp"),
        (T.trace_service_count(), "Equals", 1, "ppp"),
        (T.trace_max_depth(), "Equals", 1, "ppp"),
        (T.trace_attribute("request.n"), "Equals", "${n}", "ppp"),
        (T.attribute_filter("llm.model", "Equals", "small", mode="all"), "Equals", True, "ppp"),
        (
            T.span_exists(F.by_name("generate").and_(F.with_attribute_value("llm.tokens", 42.0))),
            "Equals",
            True,
            "ppp",
        ),
        (T.span_count(F.by_name("nope").or_(F.with_duration(max_ms=-1))), "Equals", 0, "ppp"),
    ],
)
def test_every_assertion_kind(
    spans: pl.DataFrame, assertion: TraceAssertion, operator: str, expected: Any, statuses: str
) -> None:
    outcome = _run(spans, assertion, operator, expected)
    got = "".join(outcome[f"r{n}"][0][0] for n in range(3))
    assert got == statuses, outcome


def test_a_filter_matching_nothing_fails_and_says_so(spans: pl.DataFrame) -> None:
    outcome = _run(spans, T.span_duration(F.by_name("missing")), "LessThan", 1000)
    assert outcome["r0"] == ("fail", "no span matched name == 'missing'")
    outcome = _run(spans, T.span_attribute(F.by_name("retrieve"), "llm.tokens"), "Equals", 1)
    assert outcome["r0"] == (
        "fail",
        "no span matching name == 'retrieve' has attribute 'llm.tokens'",
    )


def test_records_without_spans_are_errors(spans: pl.DataFrame) -> None:
    task = TraceAssertionTask(
        id="t", assertion=T.trace_span_count(), operator="Equals", expected_value=3
    )
    records = [
        EvalRecord(id="none", context={}),
        EvalRecord(id="lost", context={}, trace_id="f" * 32),
    ]
    frame = EvalDataset(records, [task]).evaluate(spans=spans).to_polars()
    assert frame["message"].to_list() == [
        "the record has no trace_id",
        f"no spans for trace {'f' * 32}",
    ]
    without = EvalDataset(_records(spans)[:1], [task]).evaluate().to_polars()
    assert "pass spans=" in without["message"][0]


def test_bad_assertions_fail_when_built() -> None:
    with pytest.raises(ValueError, match="span_count needs a span filter"):
        TraceAssertion(kind="span_count")
    with pytest.raises(ValueError, match="invalid span name pattern"):
        F.by_name_pattern("(")
    with pytest.raises(ValueError, match="span_exists takes a span filter, not a sequence"):
        T.span_exists(F.sequence(["a", "b"]))


def test_scouter_task_files_with_trace_assertions_load(tmp_path: Path, spans: pl.DataFrame) -> None:
    (tmp_path / "tasks.yaml").write_text(
        "- task_type: TraceAssertion\n  id: order\n"
        "  assertion: {SpanSequence: [handle, retrieve, generate]}\n"
        "  operator: Equals\n  expected_value: true\n"
        "- task_type: TraceAssertion\n  id: errors\n  assertion: TraceErrorCount\n"
        "  operator: Equals\n  expected_value: 0\n"
        "- task_type: TraceAssertion\n  id: tokens\n"
        "  assertion: {SpanAttribute: {filter: {kind: by_name, name: generate}, key: llm.tokens}}\n"
        "  operator: LessThan\n  expected_value: 100\n"
    )
    tasks = load_tasks(tmp_path / "tasks.yaml")
    results = EvalDataset(_records(spans), tasks).evaluate(spans=spans)
    assert results.task_pass_rates() == {
        "order": 1.0,
        "errors": pytest.approx(2 / 3),
        "tokens": 1.0,
    }
    (tmp_path / "bad.yaml").write_text(
        "- task_type: TraceAssertion\n  id: b\n  assertion: {SpanCount: {}}\n  operator: Equals\n"
        "  expected_value: 1\n"
    )
    with pytest.raises(ConfigError, match=r"task 0 .*id 'b'.*span_count needs a span filter"):
        load_tasks(tmp_path / "bad.yaml")
