"""Evaluation results in Scouter's call forms: by record id, Scouter's counts, frames, JSON and
the comparison's workflow fields."""

from __future__ import annotations

import pytest

from scouter_flows import ConfigError
from scouter_flows.errors import UnknownRecordError
from scouter_flows.evaluate import AssertionTask, EvalDataset, EvalRecord, EvalResults

TASKS = [
    AssertionTask(id="answered", context_path="text", operator="IsNotEmpty", condition=True),
    AssertionTask(id="short", context_path="text", operator="HasLengthLessThan",
                  expected_value=12, depends_on=["answered"]),
    AssertionTask(id="polite", context_path="text", operator="Contains",
                  expected_value="please", depends_on=["answered"]),
    AssertionTask(id="scored", context_path="score", operator="GreaterThan", expected_value=3),
]  # fmt: skip


NO_SCORE = object()


def _results(texts: dict[str, tuple[str, object]]) -> EvalResults:
    records = [
        EvalRecord(id=k, context={"text": t} | ({} if s is NO_SCORE else {"score": s}))
        for k, (t, s) in texts.items()
    ]
    return EvalDataset(records=records, tasks=TASKS).evaluate()


@pytest.fixture
def results() -> EvalResults:
    return _results(
        {
            "r1": ("yes please", 5),  # all pass
            "r2": ("a long answer without manners", 4),  # short and polite fail
            "r3": ("", 1),  # the gate fails: short and polite skipped; scored fails
            "r4": ("ok please", NO_SCORE),  # scored errors: its path does not resolve
        }
    )


def test_results_are_indexed_by_record_id(results: EvalResults) -> None:
    r2 = results["r2"]
    assert (r2.record_uid, r2.task_count, r2.success, r2.error_message) == ("r2", 4, True, None)
    assert (r2.eval_set.total_tasks, r2.eval_set.passed_tasks) == (3, 1)
    assert (r2.eval_set.failed_tasks, r2.eval_set.pass_rate) == (2, pytest.approx(1 / 3))
    short = next(t for t in r2.eval_set.records if t.task_id == "short")
    assert (short.passed, short.status, short.expected, short.operator) == (
        False, "fail", 12, "HasLengthLessThan"
    )  # fmt: skip
    assert results["r3"].eval_set.total_tasks == 1  # the gate and the two skipped do not count
    r4 = results["r4"]
    assert not r4.success
    assert "score" in (r4.error_message or "")
    with pytest.raises(
        UnknownRecordError, match="no record with id 'r1 '; did you mean 'r1'"
    ) as info:
        results["r1 "]
    assert isinstance(info.value, KeyError)
    assert isinstance(info.value, RuntimeError)


def test_scouters_counts(results: EvalResults) -> None:
    assert results.errored_tasks == ["r4"]
    assert (results.successful_count, results.failed_count, len(results)) == (3, 1, 4)


def test_frames_in_polars_or_pandas(results: EvalResults) -> None:
    polars_frame = results.to_dataframe(polars=True)
    assert polars_frame.equals(results.to_polars())
    pandas_frame = results.to_dataframe()
    assert type(pandas_frame).__module__.startswith("pandas")
    assert pandas_frame["status"].tolist() == polars_frame["status"].to_list()


def test_json_round_trip_keeps_every_status_value_and_message(results: EvalResults) -> None:
    again = EvalResults.model_validate_json(results.model_dump_json())
    assert again.to_polars().equals(results.to_polars())
    assert again.pass_rate == results.pass_rate
    assert again.compare_to(results).tasks == results.compare_to(results).tasks
    with pytest.raises(ConfigError, match="not the JSON of evaluation results"):
        EvalResults.model_validate_json('{"record_ids": []}')


def test_compare_to_with_scouters_names_and_workflow_counts(results: EvalResults) -> None:
    now = _results(
        {
            "r1": ("a long answer without manners", 5),  # 3/3 -> 1/3: regressed
            "r2": ("yes please", 4),  # 1/3 -> 3/3: improved
            "r3": ("", 1),  # unchanged
            "r6": ("please", 9),  # new record
        }
    )
    comparison = now.compare_to(baseline=results, regression_threshold=0.1)
    assert comparison.threshold == 0.1
    assert (comparison.total_workflows, comparison.improved_workflows) == (3, 1)
    assert (comparison.regressed_workflows, comparison.unchanged_workflows) == (1, 1)
    assert comparison.mean_pass_rate_delta == pytest.approx(0.0)
    assert (comparison.baseline_workflow_count, comparison.comparison_workflow_count) == (4, 4)
    assert comparison.missing_records == ["r4"]
    with pytest.raises(TypeError, match="not both"):
        now.compare_to(results, 0.1, regression_threshold=0.1)
