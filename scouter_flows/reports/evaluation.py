"""Reports of eval runs: pass rate per task, the failing rows, and the change from a baseline.

Example:
    >>> import polars as pl
    >>> rows = pl.DataFrame({
    ...     "record_id": ["r1", "r1", "r2", "r2"],
    ...     "task_id": ["format", "tone", "format", "tone"],
    ...     "status": ["pass", "fail", "pass", "pass"],
    ...     "message": [None, "expected polite, got curt", None, None],
    ... })
    >>> report = eval_report(rows, title="support-bot")
    >>> report.status, report.facts[-1]
    ('fail', ('pass rate', '75.0% (3 of 4 results)'))
    >>> [s.heading for s in report.sections]
    ['Pass rate per task', 'Failing results']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from scouter_flows.errors import DataError
from scouter_flows.evaluate.results import Comparison, EvalResults, compare_statuses
from scouter_flows.reports.charts import pass_rate_chart
from scouter_flows.reports.page import Report, Section, Table
from scouter_flows.window import Window

MAX_ROWS = 200
"""Failing rows listed in full; the rest are counted in a note (the store keeps them all)."""

_COLUMNS = ("record_id", "task_id", "status", "message")
_COUNTED = ("pass", "fail", "error")


def eval_results_frame(results: EvalResults | pl.DataFrame) -> pl.DataFrame:
    """The record x task rows of `results` (gate tasks left out): record_id, task_id, status,
    message.

    Raises:
        DataError: a frame lacks one of those columns.
    """
    if isinstance(results, EvalResults):
        frame = results.to_polars().filter(~pl.col("gate"))
    else:
        frame = results
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"eval results lack the column(s) {missing}: expected {list(_COLUMNS)}")
    return frame.select(*_COLUMNS)


def eval_report(
    results: EvalResults | pl.DataFrame,
    baseline: EvalResults | pl.DataFrame | None = None,
    *,
    title: str = "evaluation",
    window: Window | None = None,
    run_id: int | None = None,
    baseline_run_id: int | None = None,
    threshold: float = 0.05,
) -> Report:
    """The report of one eval run, compared with `baseline` (an earlier run) when given.

    A task's pass rate counts pass, fail and error; skipped results are left out. A task
    regresses when its pass rate over the records both runs judged drops by more than
    `threshold`.
    """
    frame = eval_results_frame(results)
    per_task = _per_task(frame)
    comparison = None
    if baseline is not None:
        comparison = compare_statuses(
            _statuses(frame), _statuses(eval_results_frame(baseline)), threshold
        )
    before = {d.task_id: d.baseline_pass_rate for d in comparison.tasks} if comparison else {}
    tasks = per_task["task_id"].to_list()
    headline = pass_rate_chart(
        tasks,
        per_task["rate"].to_list(),
        [before.get(t) for t in tasks] if comparison else None,
    )
    counted = frame.filter(pl.col("status").is_in(_COUNTED))
    passed = counted.filter(pl.col("status") == "pass").height
    facts = [("run", title)]
    if window is not None:
        facts.append(
            ("window", f"{window.start:%Y-%m-%d %H:%M} to {window.end:%Y-%m-%d %H:%M} UTC")
        )
    if run_id is not None:
        facts.append(("run id", str(run_id)))
    if baseline_run_id is not None:
        facts.append(("baseline run id", str(baseline_run_id)))
    facts.append(("records", f"{frame['record_id'].n_unique():,}"))
    facts.append(("tasks", str(len(tasks))))
    facts.append(("pass rate", _rate_fact(passed, counted.height)))
    sections = [_task_section(per_task, comparison), _failing_section(frame)]
    if comparison is not None:
        sections.append(_comparison_section(comparison))
    regressed = comparison is not None and comparison.regressed
    status = "fail" if passed < counted.height or regressed else "pass"
    return Report("eval", f"Evaluation: {title}", facts, headline, sections, status)


def _statuses(frame: pl.DataFrame) -> dict[tuple[str, str], str]:
    return {(r, t): s for r, t, s in frame.select("record_id", "task_id", "status").iter_rows()}


def _per_task(frame: pl.DataFrame) -> pl.DataFrame:
    """task_id, pass, fail, error, skipped, rate; the worst pass rate first."""
    counts = frame.group_by("task_id").agg(
        *(pl.col("status").eq(s).sum().alias(s) for s in (*_COUNTED, "skipped"))
    )
    judged = pl.col("pass") + pl.col("fail") + pl.col("error")
    return counts.with_columns(
        rate=pl.when(judged > 0).then(pl.col("pass") / judged).otherwise(None)
    ).sort("rate", "task_id", nulls_last=True)


def _rate_fact(passed: int, counted: int) -> str:
    if not counted:
        return "n/a (no task was judged)"
    return f"{passed / counted:.1%} ({passed:,} of {counted:,} results)"


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.1%}"


def _task_section(per_task: pl.DataFrame, comparison: Comparison | None) -> Section:
    deltas = {d.task_id: d for d in comparison.tasks} if comparison else {}
    columns: list[str] = ["task", "pass", "fail", "error", "skipped", "pass rate"]
    if comparison is not None:
        columns += ["baseline", "change"]
    rows: list[list[Any]] = []
    for row in per_task.iter_rows(named=True):
        cells: list[Any] = [row["task_id"], row["pass"], row["fail"], row["error"]]
        cells += [row["skipped"], _percent(row["rate"])]
        if comparison is not None:
            delta = deltas.get(row["task_id"])
            cells += (
                [_percent(delta.baseline_pass_rate), f"{delta.delta:+.1%}"]
                if delta
                else ["new task", ""]
            )
        rows.append(cells)
    return Section("Pass rate per task", table=Table(columns, rows), anchor="tasks")


def _failing_section(frame: pl.DataFrame) -> Section:
    failing = frame.filter(pl.col("status").is_in(["fail", "error"])).sort("task_id", "record_id")
    shown = failing.head(MAX_ROWS)
    note = ""
    if failing.height > MAX_ROWS:
        note = f"{failing.height - MAX_ROWS:,} more failing results are in the store."
    if failing.is_empty():
        note = "Every judged result passed."
    table = Table(
        ["task", "record", "status", "message"],
        [[t, r, s, m or ""] for r, t, s, m in shown.iter_rows()],
        note,
    )
    status = "fail" if failing.height else "pass"
    return Section("Failing results", status, [("failing", f"{failing.height:,}")], None, table)


def _comparison_section(comparison: Comparison) -> Section:
    facts = [
        (
            "pass rate",
            f"{_percent(comparison.baseline_pass_rate)} then, "
            f"{_percent(comparison.pass_rate)} now, over the records both runs judged",
        ),
        ("newly failing", f"{len(comparison.new_failures):,}"),
        ("fixed", f"{len(comparison.fixed_failures):,}"),
        ("regression limit", f"a task's pass rate falling by more than {comparison.threshold:.0%}"),
    ]
    if comparison.missing_records:
        facts.append(("records not judged now", f"{len(comparison.missing_records):,}"))
    rows = [["newly failing", t, r] for r, t in _head(comparison.new_failures)]
    rows += [["fixed", t, r] for r, t in _head(comparison.fixed_failures)]
    shown = len(rows)
    total = len(comparison.new_failures) + len(comparison.fixed_failures)
    note = f"{total - shown:,} more changes are not listed." if total > shown else ""
    return Section(
        "Against the baseline",
        "fail" if comparison.regressed else "pass",
        facts,
        None,
        Table(["change", "task", "record"], rows, note),
        anchor="baseline",
    )


def _head(pairs: Sequence[tuple[str, str]]) -> Sequence[tuple[str, str]]:
    return sorted(pairs, key=lambda p: (p[1], p[0]))[: MAX_ROWS // 2]
