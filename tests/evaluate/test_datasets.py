"""Task graphs, statuses, pass rates, tables and baseline comparison."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from scouter_flows import ConfigError
from scouter_flows.evaluate import AssertionTask, EvalDataset, EvalRecord
from scouter_flows.evaluate.profile import AgentEvalConfig, AgentEvalProfile, sample_records

GATE = AssertionTask(id="Has_Answer", context_path="answer", operator="IsNotEmpty", condition=True)
TASKS = [
    GATE,
    AssertionTask(
        id="grounded",
        context_path="answer",
        operator="ContainsIgnoreCase",
        expected_value="${reference}",
        depends_on=["Has_Answer"],
    ),
    AssertionTask(id="fast", context_path="latency_ms", operator="LessThan", expected_value=500),
    AssertionTask(id="uses_dep", context_path="fast", operator="IsNull", depends_on=["fast"]),
]


def _records() -> list[EvalRecord]:
    return [
        EvalRecord(id="r1", context={"answer": "Paris", "reference": "paris", "latency_ms": 120}),
        EvalRecord(id="r2", context={"answer": "", "reference": "rome", "latency_ms": 900}),
        EvalRecord(id="r3", context={"answer": "Berlin", "reference": "bonn"}),
    ]


def test_statuses_gates_and_one_pass_rate() -> None:
    results = EvalDataset(_records(), TASKS).evaluate()
    frame = results.to_polars()
    status = {(r, t): s for r, t, s in frame.select("record_id", "task_id", "status").iter_rows()}
    assert status[("r1", "grounded")] == "pass"
    assert status[("r2", "grounded")] == "skipped"  # the gate did not pass
    assert status[("r3", "grounded")] == "fail"
    assert status[("r3", "fast")] == "error"  # no latency_ms: an error, siblings still run
    assert status[("r3", "uses_dep")] == "skipped"  # its dependency errored
    assert status[("r2", "uses_dep")] == "fail"  # a dependency's value is readable by its id
    # Counted (not gates, not skipped): r1 grounded/fast/uses_dep, r2 fast/uses_dep,
    # r3 grounded/fast: 2 passes of 7.
    assert results.pass_rate == pytest.approx(2 / 7)
    assert results.record_pass_rates()["r1"] == pytest.approx(2 / 3)
    assert results.passed_records == 0
    assert frame.height == 12
    assert frame["record_id"].to_list()[:4] == ["r1"] * 4  # record by record, plan order


def test_ids_keep_their_case_and_graph_errors_name_the_ids() -> None:
    with pytest.raises(ConfigError, match=r"unknown task\(s\) \['has_answer'\].*'Has_Answer'"):
        EvalDataset(
            _records(),
            [GATE, AssertionTask(id="x", operator="IsNotNull", depends_on=["has_answer"])],
        )
    a = AssertionTask(id="a", operator="IsNotNull", depends_on=["b"])
    b = AssertionTask(id="b", operator="IsNotNull", depends_on=["a"])
    with pytest.raises(ConfigError, match=r"\['a', 'b'\] depend on each other in a cycle"):
        EvalDataset(_records(), [a, b])
    with pytest.raises(ConfigError, match="duplicate task ids"):
        EvalDataset(_records(), [GATE, GATE])


def test_execution_plan_and_tables() -> None:
    dataset = EvalDataset(_records(), TASKS)
    assert dataset.execution_plan() == (
        "level 1: Has_Answer [gate], fast\n"
        "level 2: grounded (after Has_Answer), uses_dep (after fast)"
    )
    out = io.StringIO()
    console = Console(file=out, width=200)
    results = dataset.evaluate()
    results.print_table(console=console)
    results.print_table(show_tasks=True, console=console)
    text = out.getvalue()
    assert "pass rate 28.6%" in text
    assert "gate 'Has_Answer' did not pass" in text


def test_compare_to_a_baseline_lists_regressions_and_fixes() -> None:
    baseline = EvalDataset(_records(), TASKS).evaluate()
    changed = [
        EvalRecord(id="r1", context={"answer": "Lyon", "reference": "paris", "latency_ms": 120}),
        EvalRecord(id="r2", context={"answer": "", "reference": "rome", "latency_ms": 100}),
        EvalRecord(id="r3", context={"answer": "Berlin", "reference": "bonn"}),
    ]
    current = EvalDataset(changed, TASKS).evaluate()
    comparison = current.compare_to(baseline, threshold=0.05)
    assert ("r1", "grounded") in comparison.new_failures
    assert ("r2", "fast") in comparison.fixed_failures
    assert [t.task_id for t in comparison.regressions] == ["grounded"]
    assert [t.task_id for t in comparison.improvements] == ["fast"]
    assert comparison.regressed
    assert not baseline.compare_to(baseline).regressed


def test_item_context_path_means_every_item() -> None:
    task = AssertionTask(
        id="scores",
        context_path="items",
        operator="GreaterThan",
        expected_value=0,
        item_context_path="score",
    )
    results = EvalDataset(
        [
            EvalRecord(id="ok", context={"items": [{"score": 1}, {"score": 2}]}),
            EvalRecord(id="bad", context={"items": [{"score": 1}, {"score": -2}]}),
        ],
        [task],
    ).evaluate()
    assert results.statuses() == {("ok", "scores"): "pass", ("bad", "scores"): "fail"}


def test_profile_sampling_is_stable_and_ratios_are_checked() -> None:
    records = [EvalRecord(context={"i": i}) for i in range(2000)]
    first = sample_records(records, 0.25)
    assert first == sample_records(list(reversed(records)), 0.25)[::-1]
    assert 400 < len(first) < 600
    with pytest.raises(ValueError, match=r"sample_ratio must be in \(0, 1\]"):
        AgentEvalConfig(space="s", name="n", sample_ratio=1.5)
    profile = AgentEvalProfile(config=AgentEvalConfig(space="s", name="n"), tasks=TASKS)
    assert AgentEvalProfile.model_validate_json(profile.model_dump_json()) == profile
    with pytest.raises(ValueError, match="at least one task"):
        AgentEvalProfile(config=AgentEvalConfig(space="s", name="n"), tasks=[])


def test_regex_tasks_judge_every_record_as_a_single_check_would() -> None:
    from scouter_flows.evaluate import AssertionTask, EvalDataset, EvalRecord

    texts: list[object] = ["Paris [1]", "no source", 42, "hello\n", None]
    records = [EvalRecord(id=f"r{i}", context={"text": t}) for i, t in enumerate(texts)]
    records.append(EvalRecord(id="r5", context={"other": 1}))  # the path does not resolve
    gate = AssertionTask(id="has_text", context_path="text", operator="IsNotNull", condition=True)
    cites = AssertionTask(
        id="cites", context_path="text", operator="Matches", expected_value=r"\[\d+\]$"
    )
    exact = AssertionTask(
        id="exact", context_path="text", operator="Matches", expected_value="^hello$"
    )
    frame = EvalDataset(records, [cites, exact]).evaluate().to_polars()
    got = {
        (r["record_id"], r["task_id"]): (r["status"], r["message"])
        for r in frame.iter_rows(named=True)
    }
    for i, text in enumerate(texts):
        for task in (cites, exact):
            failure = task.check(text, {"text": text})
            want = ("pass", None) if failure is None else ("fail", failure)
            assert got[(f"r{i}", task.id)] == want
    assert got[("r3", "exact")][0] == "fail"  # a trailing newline is not the end
    assert got[("r5", "cites")][0] == "error"
    gated = EvalDataset(records, [gate, cites.model_copy(update={"depends_on": ["has_text"]})])
    assert gated.evaluate().statuses()[("r4", "cites")] == "skipped"


def test_a_dependency_named_like_a_context_key_gives_its_own_value() -> None:
    from scouter_flows.evaluate import AssertionTask, EvalDataset, EvalRecord

    # The record also has a "length" key; the dependant reads the dependency's value, as in
    # Scouter, not the record's.
    length = AssertionTask(id="length", context_path="text", operator="IsNotEmpty")
    short = AssertionTask(
        id="short",
        context_path="length",
        operator="Equals",
        expected_value="Paris",
        depends_on=["length"],
    )
    records = [EvalRecord(id="r", context={"text": "Paris", "length": 99})]
    assert EvalDataset(records, [length, short]).evaluate().statuses() == {
        ("r", "length"): "pass",
        ("r", "short"): "pass",
    }


def test_an_empty_context_path_is_refused_when_the_task_is_built() -> None:
    from scouter_flows.evaluate import AssertionTask

    with pytest.raises(ValueError, match="task 'answered': context_path is empty"):
        AssertionTask(id="answered", context_path="", operator="IsNotEmpty")
    whole = AssertionTask(id="whole", operator="IsNotEmpty")  # no path: the whole record
    assert whole.check({"a": 1}, {}) is None
