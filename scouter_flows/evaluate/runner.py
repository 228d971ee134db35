"""Run a task graph over records, level by level, each task in its own status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scouter_flows.evaluate.paths import PathError
from scouter_flows.evaluate.records import EvalRecord
from scouter_flows.evaluate.tasks import AnyTask

PASS, FAIL, ERROR, SKIPPED = 0, 1, 2, 3
STATUS_NAMES = ("pass", "fail", "error", "skipped")


class TaskColumn:
    """One task's outcome for every record: status codes, values and messages."""

    __slots__ = ("actual", "message", "status", "task")

    def __init__(self, task: AnyTask, n: int) -> None:
        self.task = task
        self.status: list[int] = [PASS] * n
        self.actual: list[Any] = [None] * n
        self.message: list[str | None] = [None] * n


def run_graph(records: Sequence[EvalRecord], levels: list[list[AnyTask]]) -> dict[str, TaskColumn]:
    """Every task's column, computed level by level over all records."""
    n = len(records)
    contexts = [r.context for r in records]
    columns: dict[str, TaskColumn] = {}
    for level in levels:
        for task in level:
            column = TaskColumn(task, n)
            blocked = _blocked(task, columns, n)
            _run_assertion(task, column, contexts, columns, blocked)
            columns[task.id] = column
    return columns


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
    """The record's context plus each dependency's value under the dependency's id."""
    clash = [d for d in task.depends_on if d in context]
    if clash:
        raise PathError(
            f"dependency id(s) {clash} are also keys of the record's context: rename the task"
        )
    return {**context, **{d: columns[d].actual[i] for d in task.depends_on}}


def _run_assertion(
    task: AnyTask,
    column: TaskColumn,
    contexts: list[dict[str, Any]],
    columns: dict[str, TaskColumn],
    blocked: list[str | None],
) -> None:
    get = task.getter
    compiled = task.compiled
    fn, prepared, needs_context = compiled.fn, compiled.prepared, compiled.needs_context
    status, actual_out, message = column.status, column.actual, column.message
    with_deps = bool(task.depends_on)
    for i, context in enumerate(contexts):
        reason = blocked[i]
        if reason is not None:
            status[i] = SKIPPED
            message[i] = reason
            continue
        try:
            scope = _context_with_dependencies(task, context, columns, i) if with_deps else context
            actual = get(scope)
        except PathError as exc:
            status[i] = ERROR
            message[i] = f"{task.context_path}: {exc}"
            continue
        actual_out[i] = actual
        failure = fn(actual, scope if needs_context else prepared)
        if failure is not None:
            status[i] = FAIL
            message[i] = failure
