"""Run a task graph over records, level by level, each task in its own status."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from scouter_flows.evaluate.agent import responses_read_once
from scouter_flows.evaluate.comparisons import UncheckableError
from scouter_flows.evaluate.judging import JudgeStats, run_judges
from scouter_flows.evaluate.paths import PathError
from scouter_flows.evaluate.providers import JudgeSettings
from scouter_flows.evaluate.records import EvalRecord
from scouter_flows.evaluate.task_graph import (
    AgentAssertionTask,
    AnyTask,
    AssertionTask,
    LLMJudgeTask,
    TraceAssertionTask,
)
from scouter_flows.evaluate.trace_assertions import NoSpanMatched
from scouter_flows.traces.filters import Span

PASS, FAIL, ERROR, SKIPPED = 0, 1, 2, 3
STATUS_NAMES = ("pass", "fail", "error", "skipped")


class TaskColumn:
    """One task's outcome for every record: status codes, values, messages, and what its
    dependants read under its id (the value; a judge's whole answer)."""

    __slots__ = ("actual", "message", "output", "status", "task")

    def __init__(self, task: AnyTask, n: int) -> None:
        self.task = task
        self.status: list[int] = [PASS] * n
        self.actual: list[Any] = [None] * n
        self.message: list[str | None] = [None] * n
        self.output: list[Any] | None = None


def run_graph(
    records: Sequence[EvalRecord],
    levels: list[list[AnyTask]],
    judges: JudgeSettings | None = None,
    stats: JudgeStats | None = None,
    traces: dict[str, list[Span]] | None = None,
) -> dict[str, TaskColumn]:
    """Every task's column, computed level by level over all records; the judge calls of a
    level run concurrently across records."""
    n = len(records)
    contexts = [r.context for r in records]
    columns: dict[str, TaskColumn] = {}
    settings = judges or JudgeSettings()
    counter = stats or JudgeStats()
    trace_ids = [r.trace_id for r in records]
    with responses_read_once():  # each response parsed once, whatever reads it
        for level in levels:
            judged = [t for t in level if isinstance(t, LLMJudgeTask)]
            if judged:  # every judge task of a level shares one event loop and one call budget
                for column in _run_llm_judges(judged, n, contexts, columns, settings, counter):
                    columns[column.task.id] = column
            for task in level:
                if isinstance(task, LLMJudgeTask):
                    continue
                column = TaskColumn(task, n)
                blocked = _blocked(task, columns, n)
                if isinstance(task, TraceAssertionTask):
                    _run_trace_assertion(task, column, trace_ids, contexts, blocked, traces)
                else:
                    _run_assertion(task, column, contexts, columns, blocked)
                columns[task.id] = column
    return {t.id: columns[t.id] for level in levels for t in level}  # plan order


def _run_llm_judges(
    tasks: list[LLMJudgeTask],
    n: int,
    contexts: list[dict[str, Any]],
    columns: dict[str, TaskColumn],
    settings: JudgeSettings,
    stats: JudgeStats,
) -> list[TaskColumn]:
    out: list[TaskColumn] = []
    batches: list[tuple[LLMJudgeTask, list[tuple[int, Any]]]] = []
    for task in tasks:
        column = TaskColumn(task, n)
        blocked = _blocked(task, columns, n)
        scopes: list[tuple[int, Any]] = []
        for i, context in enumerate(contexts):
            reason = blocked[i]
            if reason is not None:
                column.status[i], column.message[i] = SKIPPED, reason
                continue
            try:
                scopes.append((i, _scope(task, context, columns, i)))
            except PathError as exc:
                column.status[i], column.message[i] = ERROR, str(exc)
        out.append(column)
        batches.append((task, scopes))
    for column, (task, scopes), outcomes in zip(
        out, batches, run_judges(batches, settings, stats), strict=True
    ):
        by_index = dict(scopes)
        column.output = [None] * n
        for i, outcome in outcomes.items():
            column.actual[i] = outcome.value
            column.output[i] = outcome.answer
            if outcome.error is not None:
                column.status[i], column.message[i] = ERROR, outcome.error
                continue
            _apply(column, i, task.check, outcome.value, by_index[i])
    return out


def _run_trace_assertion(
    task: TraceAssertionTask,
    column: TaskColumn,
    trace_ids: list[str | None],
    contexts: list[dict[str, Any]],
    blocked: list[str | None],
    traces: dict[str, list[Span]] | None,
) -> None:
    for i, trace_id in enumerate(trace_ids):
        reason = blocked[i]
        if reason is not None:
            column.status[i], column.message[i] = SKIPPED, reason
            continue
        if trace_id is None:
            column.status[i], column.message[i] = ERROR, "the record has no trace_id"
            continue
        if traces is None:
            column.status[i] = ERROR
            column.message[i] = "no spans were given: pass spans= (a span frame) to evaluate()"
            continue
        spans = traces.get(trace_id)
        if not spans:
            column.status[i], column.message[i] = ERROR, f"no spans for trace {trace_id}"
            continue
        try:
            value = task.assertion.value(spans)
        except NoSpanMatched as exc:
            column.status[i], column.message[i] = FAIL, str(exc)
            continue
        column.actual[i] = value
        _apply(column, i, task.check, value, contexts[i])


def _scope(task: AnyTask, context: dict[str, Any], columns: dict[str, TaskColumn], i: int) -> Any:
    return _context_with_dependencies(task, context, columns, i) if task.depends_on else context


def _blocked(task: AnyTask, columns: dict[str, TaskColumn], n: int) -> list[str | None]:
    """Per record, why the task must be skipped (None: it runs)."""
    reasons: list[str | None] = [None] * n
    for dep in task.depends_on:
        column = columns[dep]
        gate = column.task.condition
        for i, status in enumerate(column.status):
            if reasons[i] is not None or status == PASS:
                continue
            if status == SKIPPED:
                reasons[i] = f"dependency {dep!r} was skipped"
            elif status == ERROR:
                reasons[i] = f"dependency {dep!r} errored"
            elif gate:
                reasons[i] = f"gate {dep!r} did not pass"
    return reasons


def _context_with_dependencies(
    task: AnyTask, context: dict[str, Any], columns: dict[str, TaskColumn], i: int
) -> dict[str, Any]:
    """The record's context plus each dependency's value under the dependency's id (which
    wins over a context key of the same name, as in Scouter)."""
    return {**context, **{d: _output(columns[d], i) for d in task.depends_on}}


def _output(column: TaskColumn, i: int) -> Any:
    return column.output[i] if column.output is not None else column.actual[i]


def _run_assertion(
    task: AssertionTask | AgentAssertionTask,
    column: TaskColumn,
    contexts: list[dict[str, Any]],
    columns: dict[str, TaskColumn],
    blocked: list[str | None],
) -> None:
    get = task.getter
    compiled = task.compiled
    status, actual_out, message = column.status, column.actual, column.message
    with_deps = bool(task.depends_on)
    checked: list[int] = []  # records whose value resolved, and the scope it was read in
    scopes: list[Any] = []
    for i, context in enumerate(contexts):
        reason = blocked[i]
        if reason is not None:
            status[i], message[i] = SKIPPED, reason
            continue
        try:
            scope = _scope(task, context, columns, i) if with_deps else context
            actual_out[i] = get(scope)
        except PathError as exc:
            status[i], message[i] = (
                ERROR,
                f"{task.context_path}: {exc}" if task.context_path else str(exc),
            )
            continue
        checked.append(i)
        scopes.append(scope)
    if compiled.check_all is not None:  # every value in one call (the regex engine)
        failures = compiled.check_all([actual_out[i] for i in checked], compiled.prepared)
        for i, failure in zip(checked, failures, strict=True):
            if failure is not None:
                status[i], message[i] = FAIL, failure
        return
    fn, prepared, needs_context = compiled.fn, compiled.prepared, compiled.needs_context
    for i, scope in zip(checked, scopes, strict=True):
        _apply(column, i, fn, actual_out[i], scope if needs_context else prepared)


def _apply(
    column: TaskColumn, i: int, check: Callable[[Any, Any], str | None], actual: Any, arg: Any
) -> None:
    """Record `check(actual, arg)` for record `i`: a fail with its reason, or an error when
    the check cannot be made (an expected value that does not resolve)."""
    try:
        failure = check(actual, arg)
    except UncheckableError as exc:
        column.status[i], column.message[i] = ERROR, str(exc)
        return
    if failure is not None:
        column.status[i], column.message[i] = FAIL, failure
