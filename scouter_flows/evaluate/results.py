"""Evaluation results: per record x task statuses, pass rates, tables and baseline comparison.

One pass-rate definition everywhere (Scouter has three): pass / (pass + fail + error) over
tasks that are not gates; skipped tasks do not count. A record passes when every counted task
passes.
"""

from __future__ import annotations

import difflib
import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.util import find_spec
from json.encoder import encode_basestring
from typing import Any

import polars as pl
from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.table import Table

from scouter_flows import limits
from scouter_flows.errors import ConfigError, UnknownRecordError
from scouter_flows.evaluate.judging import JudgeStats
from scouter_flows.evaluate.runner import ERROR, FAIL, PASS, SKIPPED, STATUS_NAMES, TaskColumn
from scouter_flows.evaluate.task_graph import TaskField
from scouter_flows.profiles.base import describe_validation_error

_TASKS: TypeAdapter[list[Any]] = TypeAdapter(list[TaskField])


def _json(value: Any) -> str | None:
    """JSON text of a value; strings and finite numbers skip the general encoder."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return None
    if kind is int or (kind is float and math.isfinite(value)):
        return repr(value)
    return json.dumps(value, default=str, ensure_ascii=False)


def _rate(passed: int, counted: int) -> float | None:
    return passed / counted if counted else None


@dataclass(slots=True, frozen=True)
class TaskSummary:
    """Counts and pass rate of one task over all records."""

    task_id: str
    task_type: str
    gate: bool
    passed: int
    failed: int
    errored: int
    skipped: int

    @property
    def pass_rate(self) -> float | None:
        """pass / (pass + fail + error); None when nothing was judged."""
        return _rate(self.passed, self.passed + self.failed + self.errored)


@dataclass(slots=True, frozen=True)
class TaskResult:
    """One task's outcome for one record (Scouter's `EvalTaskResult`)."""

    record_uid: str
    task_id: str
    task_type: str
    gate: bool
    status: str
    actual: Any
    expected: Any
    operator: str
    message: str | None

    @property
    def passed(self) -> bool:
        """Whether the task passed."""
        return self.status == "pass"


@dataclass(slots=True, frozen=True)
class RecordEvalSet:
    """A record's task outcomes (Scouter's `EvalSet`); counts leave gates and skipped tasks
    out, as every pass rate here does."""

    record_uid: str
    records: list[TaskResult]

    @property
    def _counted(self) -> list[TaskResult]:
        return [r for r in self.records if not r.gate]

    @property
    def total_tasks(self) -> int:
        """Tasks judged (pass, fail or error), gates left out."""
        return sum(r.status != "skipped" for r in self._counted)

    @property
    def passed_tasks(self) -> int:
        """Tasks that passed, gates left out."""
        return sum(r.passed for r in self._counted)

    @property
    def failed_tasks(self) -> int:
        """Tasks that failed or errored, gates left out."""
        return self.total_tasks - self.passed_tasks

    @property
    def pass_rate(self) -> float | None:
        """passed / judged; None when nothing was judged."""
        return _rate(self.passed_tasks, self.total_tasks)


@dataclass(slots=True, frozen=True)
class RecordResult:
    """What `results[record_id]` returns (Scouter's `AlignedEvalResult`)."""

    record_uid: str
    eval_set: RecordEvalSet

    @property
    def success(self) -> bool:
        """Whether every task could be evaluated (no task ended in `error`)."""
        return all(r.status != "error" for r in self.eval_set.records)

    @property
    def error_message(self) -> str | None:
        """The first error's message, if a task errored."""
        return next((r.message for r in self.eval_set.records if r.status == "error"), None)

    @property
    def task_count(self) -> int:
        """How many tasks the record ran through, gates and skipped ones included."""
        return len(self.eval_set.records)


class EvalResults:
    """The outcome of evaluating records against a task graph.

    Besides the summaries, Scouter's forms: `results[record_id]` (a `RecordResult`),
    `successful_count`, `failed_count`, `errored_tasks`, `to_dataframe(polars=...)`,
    `model_dump_json()` and `EvalResults.model_validate_json(text)`.
    """

    def __init__(
        self,
        record_ids: Sequence[str],
        columns: dict[str, TaskColumn],
        levels: list[list[Any]],
        judge_stats: JudgeStats | None = None,
    ) -> None:
        self.record_ids = list(record_ids)
        self.judge_stats = judge_stats or JudgeStats()
        """Provider calls made by LLM judges, and answers served from the cache."""
        self._columns = columns
        self._level_of = {t.id: n for n, level in enumerate(levels) for t in level}
        self._index = {r: i for i, r in enumerate(self.record_ids)}

    # -- rates ----------------------------------------------------------------------------

    def task_summaries(self) -> list[TaskSummary]:
        """Counts per task, in plan order."""
        out = []
        for column in self._columns.values():
            counts = [0, 0, 0, 0]
            for status in column.status:
                counts[status] += 1
            out.append(
                TaskSummary(
                    column.task.id,
                    column.task.task_type,
                    column.task.condition,
                    counts[PASS],
                    counts[FAIL],
                    counts[ERROR],
                    counts[SKIPPED],
                )
            )
        return out

    @property
    def pass_rate(self) -> float | None:
        """pass / (pass + fail + error) over every non-gate task of every record."""
        summaries = [s for s in self.task_summaries() if not s.gate]
        passed = sum(s.passed for s in summaries)
        return _rate(passed, passed + sum(s.failed + s.errored for s in summaries))

    def task_pass_rates(self) -> dict[str, float | None]:
        """Pass rate per non-gate task."""
        return {s.task_id: s.pass_rate for s in self.task_summaries() if not s.gate}

    def record_pass_rates(self) -> dict[str, float | None]:
        """Pass rate per record over its counted (non-gate, not skipped) tasks."""
        counted = [c for c in self._columns.values() if not c.task.condition]
        rates: dict[str, float | None] = {}
        for i, record_id in enumerate(self.record_ids):
            statuses = [c.status[i] for c in counted if c.status[i] != SKIPPED]
            rates[record_id] = _rate(statuses.count(PASS), len(statuses))
        return rates

    @property
    def passed_records(self) -> int:
        """Records whose counted tasks all passed (at least one counted)."""
        return sum(rate == 1.0 for rate in self.record_pass_rates().values())

    # -- per record (Scouter's forms) ---------------------------------------------------------

    def __getitem__(self, record_id: str) -> RecordResult:
        """The outcome of one record, by its id.

        Raises:
            UnknownRecordError: no record has this id (a `KeyError` and a `RuntimeError`).
        """
        try:
            i = self._index[record_id]
        except KeyError:
            close = difflib.get_close_matches(str(record_id), self.record_ids, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UnknownRecordError(f"no record with id {record_id!r}{hint}") from None
        results = [
            TaskResult(
                record_uid=record_id,
                task_id=c.task.id,
                task_type=c.task.task_type,
                gate=c.task.condition,
                status=STATUS_NAMES[c.status[i]],
                actual=c.actual[i],
                expected=c.task.expected_value,
                operator=str(c.task.operator),
                message=c.message[i],
            )
            for c in self._columns.values()
        ]
        return RecordResult(record_id, RecordEvalSet(record_id, results))

    def __len__(self) -> int:
        return len(self.record_ids)

    @property
    def errored_tasks(self) -> list[str]:
        """Ids of the records in which some task ended in `error` (Scouter's name)."""
        errored = [False] * len(self.record_ids)
        for column in self._columns.values():
            for i, status in enumerate(column.status):
                errored[i] = errored[i] or status == ERROR
        return [r for r, bad in zip(self.record_ids, errored, strict=True) if bad]

    @property
    def failed_count(self) -> int:
        """Records that could not be fully evaluated (some task errored), as Scouter counts."""
        return len(self.errored_tasks)

    @property
    def successful_count(self) -> int:
        """Records whose every task could be evaluated (pass, fail or skipped)."""
        return len(self.record_ids) - self.failed_count

    def to_dataframe(self, polars: bool = False) -> Any:
        """`to_polars()`, or (Scouter's default) the same rows as a pandas DataFrame.

        Raises:
            ConfigError: pandas is asked for and not installed.
        """
        frame = self.to_polars()
        if polars:
            return frame
        if find_spec("pandas") is None:
            raise ConfigError(
                "to_dataframe() makes a pandas DataFrame and pandas is not installed: "
                "pip install pandas, or call to_dataframe(polars=True)"
            )
        return frame.to_pandas()

    def model_dump_json(self) -> str:
        """The results as JSON (tasks, records, statuses, values and messages), read back with
        `EvalResults.model_validate_json`."""
        return json.dumps(
            {
                "record_ids": self.record_ids,
                "tasks": [c.task.model_dump(mode="json") for c in self._columns.values()],
                "levels": [[t for t, n in self._level_of.items() if n == k]
                           for k in range(max(self._level_of.values(), default=-1) + 1)],
                "columns": {
                    task_id: {
                        "status": [STATUS_NAMES[x] for x in c.status],
                        "actual": c.actual,
                        "message": c.message,
                    }
                    for task_id, c in self._columns.items()
                },
                "judge_stats": {"calls": self.judge_stats.calls, "cached": self.judge_stats.cached},
            },
            default=str,
            ensure_ascii=False,
        )  # fmt: skip

    @classmethod
    def model_validate_json(cls, text: str | bytes) -> EvalResults:
        """Results written by `model_dump_json`.

        Raises:
            ConfigError: the text is not such JSON; the message names the field.
        """
        try:
            data = json.loads(text)
            tasks = {t.id: t for t in _TASKS.validate_python(data["tasks"])}
            record_ids = [str(r) for r in data["record_ids"]]
            codes = {name: code for code, name in enumerate(STATUS_NAMES)}
            columns: dict[str, TaskColumn] = {}
            for task_id, body in data["columns"].items():
                column = TaskColumn(tasks[task_id], len(record_ids))
                column.status = [codes[x] for x in body["status"]]
                column.actual = list(body["actual"])
                column.message = list(body["message"])
                columns[task_id] = column
            levels = [[tasks[t] for t in level] for level in data["levels"]]
            stats = JudgeStats(**data.get("judge_stats", {}))
        except (ValueError, KeyError, TypeError) as exc:
            detail = describe_validation_error(exc) if isinstance(exc, ValidationError) else exc
            raise ConfigError(f"not the JSON of evaluation results: {detail}") from None
        return cls(record_ids, columns, levels, stats)

    # -- frames and tables ------------------------------------------------------------------

    def to_polars(self) -> pl.DataFrame:
        """One row per record x task: record_id, task_id, task_type, level, gate, status,
        actual and expected (JSON text), message."""
        n = len(self.record_ids)
        columns = list(self._columns.values())
        frames = [
            pl.DataFrame(
                {
                    "record_id": self.record_ids,
                    "task_id": [c.task.id] * n,
                    "task_type": [c.task.task_type] * n,
                    "level": [self._level_of[c.task.id]] * n,
                    "gate": [c.task.condition] * n,
                    "status": [STATUS_NAMES[s] for s in c.status],
                    "actual": [_json(v) for v in c.actual],
                    "expected": [_json(c.task.expected_value)] * n,
                    "message": c.message,
                },
                schema=_SCHEMA,
            )
            for c in columns
        ]
        if not frames:
            return pl.DataFrame(schema=_SCHEMA)
        order = {t.task.id: k for k, t in enumerate(columns)}
        return (
            pl.concat(frames)
            .with_columns(
                pl.col("task_id").replace_strict(order, return_dtype=pl.Int64).alias("_t")
            )
            .with_row_index("_r")
            .sort(pl.col("_r") % n if n else "_r", "_t")
            .drop("_r", "_t")
        )

    def to_store_frame(self) -> pl.DataFrame:
        """The columns the store keeps: record_id, task_id, status, value (JSON), message.

        A value longer than `limits.STORED_VALUE` bytes (a whole model output, say) is kept as
        a marker with its size and head, so one huge response cannot swell the store.
        """
        actual = pl.col("actual")
        size = actual.str.len_bytes()
        marker = pl.struct(
            truncated=pl.lit(True),
            bytes=size,
            head=actual.str.slice(0, limits.TRUNCATED_HEAD),
        ).struct.json_encode()
        value = pl.when(size > limits.STORED_VALUE).then(marker).otherwise(actual)
        return self.to_polars().select(
            "record_id", "task_id", "status", value.alias("value"), "message"
        )

    def as_table(self, show_tasks: bool = False) -> Table:
        """A rich table: per task counts and pass rates, or (show_tasks) every record x task."""
        if show_tasks:
            table = Table(title="Evaluation results by record")
            for name in ("record", "task", "status", "actual", "message"):
                table.add_column(name, overflow="fold")
            for row in self.to_polars().iter_rows(named=True):
                table.add_row(
                    row["record_id"],
                    row["task_id"] + (" [gate]" if row["gate"] else ""),
                    _styled(row["status"]),
                    (row["actual"] or "")[:60],
                    row["message"] or "",
                )
            return table
        rate = self.pass_rate
        table = Table(
            title=f"Evaluation: {len(self.record_ids)} records, pass rate "
            f"{'n/a' if rate is None else f'{rate:.1%}'}"
        )
        for name in ("task", "type", "pass", "fail", "error", "skipped", "pass rate"):
            table.add_column(name, justify="left" if name in ("task", "type") else "right")
        for s in self.task_summaries():
            task_rate = s.pass_rate
            table.add_row(
                s.task_id + (" [gate]" if s.gate else ""),
                s.task_type,
                str(s.passed),
                str(s.failed),
                str(s.errored),
                str(s.skipped),
                "n/a" if task_rate is None else f"{task_rate:.1%}",
            )
        return table

    def print_table(self, show_tasks: bool = False, console: Console | None = None) -> None:
        """Print `as_table()`."""
        (console or Console()).print(self.as_table(show_tasks))

    # -- comparison -------------------------------------------------------------------------

    def statuses(self) -> dict[tuple[str, str], str]:
        """(record_id, task_id) -> status name, for non-gate tasks."""
        return {
            (record_id, column.task.id): STATUS_NAMES[column.status[i]]
            for column in self._columns.values()
            if not column.task.condition
            for i, record_id in enumerate(self.record_ids)
        }

    def compare_to(
        self,
        baseline: EvalResults,
        threshold: float | None = None,
        *,
        regression_threshold: float | None = None,
    ) -> Comparison:
        """How these results differ from `baseline`, matching records by id
        (`regression_threshold=` is Scouter's name for `threshold`; default 0.05).

        A task regresses when its pass rate over the records both runs share drops by more
        than `threshold`; the run regresses when its overall pass rate over those records
        does. New failures passed in the baseline and do not now; fixed ones the reverse.
        """
        if threshold is not None and regression_threshold is not None:
            raise TypeError("give threshold= or Scouter's regression_threshold=, not both")
        level = threshold if threshold is not None else regression_threshold
        return compare_statuses(
            self.statuses(), baseline.statuses(), 0.05 if level is None else level
        )


def compare_statuses(
    current: dict[tuple[str, str], str],
    baseline: dict[tuple[str, str], str],
    threshold: float = 0.05,
) -> Comparison:
    """Compare (record_id, task_id) -> status maps; see `EvalResults.compare_to`."""
    if not 0 <= threshold < 1:
        raise ValueError(f"threshold must be in [0, 1), got {threshold}")
    mine, theirs = current, baseline
    shared = sorted(set(mine) & set(theirs))
    judged = [k for k in shared if mine[k] != "skipped" and theirs[k] != "skipped"]
    tasks = sorted({task for _, task in judged})
    deltas: list[TaskDelta] = []
    for task in tasks:
        keys = [k for k in judged if k[1] == task]
        before = sum(theirs[k] == "pass" for k in keys) / len(keys)
        after = sum(mine[k] == "pass" for k in keys) / len(keys)
        deltas.append(TaskDelta(task, before, after, len(keys)))
    by_record: dict[str, list[tuple[str, str]]] = {}
    for key in judged:
        by_record.setdefault(key[0], []).append(key)
    records = [
        TaskDelta(
            record,
            sum(theirs[k] == "pass" for k in keys) / len(keys),
            sum(mine[k] == "pass" for k in keys) / len(keys),
            len(keys),
        )
        for record, keys in sorted(by_record.items())
    ]
    return Comparison(
        threshold=threshold,
        records=records,
        baseline_records=len({r for r, _ in theirs}),
        current_records=len({r for r, _ in mine}),
        baseline_pass_rate=_rate(sum(theirs[k] == "pass" for k in judged), len(judged)),
        pass_rate=_rate(sum(mine[k] == "pass" for k in judged), len(judged)),
        tasks=deltas,
        new_failures=[k for k in judged if theirs[k] == "pass" and mine[k] != "pass"],
        fixed_failures=[k for k in judged if theirs[k] != "pass" and mine[k] == "pass"],
        new_tasks=sorted({t for _, t in set(mine) - set(theirs)} - set(tasks)),
        missing_records=sorted({r for r, _ in set(theirs)} - {r for r, _ in set(mine)}),
    )


def _styled(status: str) -> str:
    colour = {"pass": "green", "fail": "red", "error": "magenta", "skipped": "dim"}[status]
    return f"[{colour}]{status}[/{colour}]"


_SCHEMA = {
    "record_id": pl.String,
    "task_id": pl.String,
    "task_type": pl.String,
    "level": pl.Int64,
    "gate": pl.Boolean,
    "status": pl.String,
    "actual": pl.String,
    "expected": pl.String,
    "message": pl.String,
}


@dataclass(slots=True, frozen=True)
class TaskDelta:
    """One task's pass rate in the baseline and now, over the records both runs judged."""

    task_id: str
    baseline_pass_rate: float
    pass_rate: float
    records: int

    @property
    def delta(self) -> float:
        """Now minus baseline."""
        return self.pass_rate - self.baseline_pass_rate


@dataclass(slots=True, frozen=True)
class Comparison:
    """What changed against a baseline run."""

    threshold: float
    baseline_pass_rate: float | None
    pass_rate: float | None
    tasks: list[TaskDelta] = field(default_factory=list)
    new_failures: list[tuple[str, str]] = field(default_factory=list)
    fixed_failures: list[tuple[str, str]] = field(default_factory=list)
    new_tasks: list[str] = field(default_factory=list)
    missing_records: list[str] = field(default_factory=list)
    records: list[TaskDelta] = field(default_factory=list)
    """Per shared record (a `TaskDelta` whose `task_id` is the record id): its pass rate over
    the tasks both runs judged, then and now; Scouter calls a record a workflow."""
    baseline_records: int = 0
    current_records: int = 0

    # Scouter's names: a workflow is one record's evaluation.

    @property
    def total_workflows(self) -> int:
        """Records both runs judged."""
        return len(self.records)

    @property
    def improved_workflows(self) -> int:
        """Records whose pass rate rose by more than the threshold."""
        return sum(r.delta > self.threshold for r in self.records)

    @property
    def regressed_workflows(self) -> int:
        """Records whose pass rate fell by more than the threshold."""
        return sum(r.delta < -self.threshold for r in self.records)

    @property
    def unchanged_workflows(self) -> int:
        """Records whose pass rate moved by no more than the threshold."""
        return self.total_workflows - self.improved_workflows - self.regressed_workflows

    @property
    def mean_pass_rate_delta(self) -> float:
        """The mean over shared records of (pass rate now - then); 0 with none shared."""
        return statistics.fmean(r.delta for r in self.records) if self.records else 0.0

    @property
    def baseline_workflow_count(self) -> int:
        """Records in the baseline."""
        return self.baseline_records

    @property
    def comparison_workflow_count(self) -> int:
        """Records in these results."""
        return self.current_records

    @property
    def regressions(self) -> list[TaskDelta]:
        """Tasks whose pass rate fell by more than the threshold."""
        return [t for t in self.tasks if t.delta < -self.threshold]

    @property
    def improvements(self) -> list[TaskDelta]:
        """Tasks whose pass rate rose by more than the threshold."""
        return [t for t in self.tasks if t.delta > self.threshold]

    @property
    def regressed(self) -> bool:
        """Whether the overall pass rate fell by more than the threshold, or any task did."""
        if self.pass_rate is None or self.baseline_pass_rate is None:
            return False
        return self.pass_rate < self.baseline_pass_rate - self.threshold or bool(self.regressions)

    def as_table(self) -> Table:
        """A rich table of per-task pass rates, baseline against now."""

        def pct(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.1%}"

        table = Table(
            title=f"Against the baseline: {pct(self.baseline_pass_rate)} -> {pct(self.pass_rate)}"
            f"{' (REGRESSED)' if self.regressed else ''}"
        )
        for name in ("task", "baseline", "now", "delta", "records"):
            table.add_column(name, justify="left" if name == "task" else "right")
        for t in self.tasks:
            mark = (
                " [red]regressed[/red]"
                if t in self.regressions
                else (" [green]improved[/green]" if t in self.improvements else "")
            )
            table.add_row(
                t.task_id + mark,
                pct(t.baseline_pass_rate),
                pct(t.pass_rate),
                f"{t.delta:+.1%}",
                str(t.records),
            )
        return table
