"""`EvalDataset`: records and the task graph they are evaluated against."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from scouter_flows.errors import ConfigError, DataError
from scouter_flows.evaluate.judge_cache import JudgeCache
from scouter_flows.evaluate.judging import JudgeStats
from scouter_flows.evaluate.providers import JudgeSettings
from scouter_flows.evaluate.records import EvalRecord
from scouter_flows.evaluate.results import EvalResults, TaskResult
from scouter_flows.evaluate.runner import run_graph
from scouter_flows.evaluate.task_graph import AnyTask, execution_plan, format_plan
from scouter_flows.traces.filters import spans_by_trace


class EvalDataset:
    """Records plus tasks; the graph is checked here (duplicate ids, unknown dependencies,
    cycles), before anything runs.

    Example:
        >>> from scouter_flows.evaluate import AssertionTask, EvalRecord, EvalDataset
        >>> dataset = EvalDataset(
        ...     records=[EvalRecord(context={"answer": "Paris"})],
        ...     tasks=[AssertionTask(id="paris", context_path="answer", operator="Equals",
        ...                          expected_value="Paris")])
        >>> dataset.evaluate().pass_rate
        1.0
    """

    def __init__(
        self,
        records: Iterable[EvalRecord | dict[str, Any]],
        tasks: Sequence[AnyTask],
    ) -> None:
        self.records = [
            r if isinstance(r, EvalRecord) else EvalRecord.model_validate(r) for r in records
        ]
        if not tasks:
            raise ConfigError("an evaluation needs at least one task")
        self.tasks = list(tasks)
        self.levels = execution_plan(self.tasks)
        ids = [r.id for r in self.records]
        if len(set(ids)) != len(ids):
            repeated = sorted({i for i in ids if ids.count(i) > 1})[:5]
            raise ConfigError(f"record ids must be unique; repeated: {repeated}")

    @property
    def assertion_tasks(self) -> list[AnyTask]:
        """The assertion tasks."""
        return [t for t in self.tasks if t.task_type == "Assertion"]

    @property
    def llm_judge_tasks(self) -> list[AnyTask]:
        """The LLM-judge tasks."""
        return [t for t in self.tasks if t.task_type == "LLMJudge"]

    @property
    def trace_assertion_tasks(self) -> list[AnyTask]:
        """The trace-assertion tasks."""
        return [t for t in self.tasks if t.task_type == "TraceAssertion"]

    @property
    def agent_assertion_tasks(self) -> list[AnyTask]:
        """The agent-assertion tasks."""
        return [t for t in self.tasks if t.task_type == "AgentAssertion"]

    def with_updated_contexts_by_id(self, updated: Mapping[str, Any]) -> EvalDataset:
        """A new dataset whose records named in `updated` have those keys set in their
        context (Scouter's merge of top-level keys; a non-object replaces the context). Ids
        stay as they were.

        Raises:
            ConfigError: `updated` names a record id the dataset does not hold.
        """
        known = {r.id for r in self.records}
        unknown = sorted(set(updated) - known)
        if unknown:
            raise ConfigError(f"with_updated_contexts_by_id: no records with ids {unknown[:5]}")
        records = []
        for record in self.records:
            if record.id in updated:
                new = updated[record.id]
                context = {**record.context, **new} if isinstance(new, Mapping) else new
                record = EvalRecord.model_validate(
                    {**record.model_dump(), "context": context, "id": record.id}
                )
            records.append(record)
        return type(self)(records, self.tasks)

    def execution_plan(self) -> str:
        """The levels the tasks run in, as text."""
        return format_plan(self.levels)

    def print_execution_plan(self) -> None:
        """Print the levels the tasks run in."""
        print(self.execution_plan())

    def evaluate(
        self, judges: JudgeSettings | None = None, spans: pl.DataFrame | None = None
    ) -> EvalResults:
        """Run every task on every record, level by level.

        Args:
            judges: How LLM judges reach their providers (keys, base URLs, timeout, retries,
                concurrency, cache); default: the environment's keys, 16 calls at once, the
                judge cache in the user cache directory.
            spans: The spans trace assertions read (a frame as `read_otlp_json`,
                `read_flat_spans` or `Store.spans` return), matched to records by `trace_id`.
        """
        traces = spans_by_trace(spans) if spans is not None else None
        settings = judges
        if settings is None and any(t.task_type == "LLMJudge" for t in self.tasks):
            settings = JudgeSettings()
        stats = JudgeStats()
        try:
            columns = run_graph(self.records, self.levels, settings, stats, traces)
        finally:
            # A cache this call opened is closed here; one the caller's settings hold stays.
            if judges is None and settings is not None and isinstance(settings.cache, JudgeCache):
                settings.cache.close()
        return EvalResults([r.id for r in self.records], columns, self.levels, stats)


def execute_trace_assertion_tasks(
    tasks: Sequence[AnyTask], spans: pl.DataFrame
) -> dict[str, TaskResult]:
    """Run trace-assertion tasks on the spans of one trace (a span frame); the result of each
    task by id (Scouter's `execute_trace_assertion_tasks`).

    Raises:
        ConfigError: no tasks, or a task that is not a trace assertion.
        DataError: the spans are of no trace or of several.
    """
    if not tasks:
        raise ConfigError("execute_trace_assertion_tasks needs at least one task")
    others = [t.id for t in tasks if t.task_type != "TraceAssertion"]
    if others:
        raise ConfigError(f"tasks {others} are not trace assertions")
    traces = spans["trace_id"].unique().to_list() if "trace_id" in spans.columns else []
    if len(traces) != 1:
        raise DataError(f"expected the spans of one trace, found {len(traces)} traces")
    record = EvalRecord(id="trace", context={}, trace_id=str(traces[0]))
    results = EvalDataset([record], tasks).evaluate(spans=spans)
    return {r.task_id: r for r in results["trace"].eval_set.records}


GenAIEvalDataset = EvalDataset
"""Scouter's older name of `EvalDataset`."""
