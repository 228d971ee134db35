"""Scouter's evaluation helpers: records with a session id, updated contexts, chat message
names, and trace assertions run straight on one trace's spans (from the real SDK)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from scouter_flows import ConfigError, DataError
from scouter_flows.evaluate import (
    AssertionTask,
    ChatMessage,
    EvalDataset,
    EvalRecord,
    Message,
    Prompt,
    Role,
    SpanFilter,
    TraceAssertion,
    TraceAssertionTask,
    execute_trace_assertion_tasks,
)
from scouter_flows.traces.spans import read_otlp_json
from tests.traces.test_spans import _record_traces


def test_records_keep_a_session_id() -> None:
    record = EvalRecord(context={"q": "hi"}, session_id="chat-7", trace_id="ab" * 16)
    assert record.session_id == "chat-7"
    with pytest.raises(ValueError, match="session id"):
        EvalRecord(context={}, session_id="x" * 10_000)


def test_with_updated_contexts_by_id_merges_top_level_keys() -> None:
    task = AssertionTask(id="answered", context_path="answer", operator="IsNotEmpty")
    dataset = EvalDataset(
        records=[EvalRecord(id="a", context={"q": "1+1"}), EvalRecord(id="b", context={"q": "2"})],
        tasks=[task],
    )
    updated = dataset.with_updated_contexts_by_id({"a": {"answer": "2"}})
    assert updated is not dataset
    assert updated.records[0].context == {"q": "1+1", "answer": "2"}
    assert updated.records[0].id == "a"
    assert dataset.records[0].context == {"q": "1+1"}  # the original is unchanged
    results = updated.evaluate()
    assert (results["a"].eval_set.passed_tasks, results["b"].success) == (1, False)
    with pytest.raises(ConfigError, match=r"no records with ids \['c'\]"):
        dataset.with_updated_contexts_by_id({"c": {}})


def test_chat_messages_and_roles() -> None:
    message = ChatMessage(role=Role.System, content="Be brief.")
    assert ChatMessage is Message
    assert message.role == "system"
    prompt = Prompt(
        messages=[message, Message(content="Rate ${answer}")],
        model="m",
        provider="OpenAI",
        system_instructions=["Grade strictly."],
    )
    assert prompt.system_instruction == "Grade strictly."
    assert prompt.placeholders() == ["answer"]


@pytest.fixture(scope="module")
def one_trace(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    path: Path = tmp_path_factory.mktemp("otel") / "traces.jsonl"
    path.write_text(_record_traces(1)[0] + "\n")
    return read_otlp_json(path)


def test_trace_assertion_tasks_run_on_one_traces_spans(one_trace: pl.DataFrame) -> None:
    tasks = [
        TraceAssertionTask(id="order", operator="Equals", expected_value=True,
                           assertion=TraceAssertion.SpanSequence(
                               span_names=["handle", "retrieve", "generate"])),
        TraceAssertionTask(id="tokens", operator="LessThan", expected_value=40,
                           assertion=TraceAssertion.span_aggregation(
                               SpanFilter.ByName("generate"), attribute_key="llm.tokens",
                               aggregation="Sum")),
    ]  # fmt: skip
    results = execute_trace_assertion_tasks(tasks, one_trace)
    assert (results["order"].passed, results["order"].actual) == (True, True)
    assert (results["tokens"].passed, results["tokens"].actual) == (False, 42)
    with pytest.raises(ConfigError, match=r"\['answered'\] are not trace assertions"):
        execute_trace_assertion_tasks(
            [AssertionTask(id="answered", context_path="a", operator="IsNotEmpty")], one_trace
        )
    with pytest.raises(DataError, match="found 0 traces"):
        execute_trace_assertion_tasks(tasks, one_trace.clear())
