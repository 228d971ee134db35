"""Task files written for Scouter load unchanged: its trace assertions and span filters as
externally tagged variants with its field names, a prompt `{path: ...}` found where Scouter
looks, and prompt files with `system_instructions` and `settings`.

The files are written by hand in the form of Scouter 0.25's serde structs (`TraceAssertion`,
`SpanFilter`, `AttributeFilterTask`, the prompt file).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from scouter_flows import ConfigError
from scouter_flows.evaluate import SpanFilter, TraceAssertion, load_tasks
from scouter_flows.evaluate.trace_assertions import AggregationType

TASKS = """\
tasks:
  - task_type: Assertion
    id: has_order_id
    context_path: order.id
    operator: IsString
    expected_value: true
    depends_on: []
    condition: false
  - task_type: LLMJudge
    id: tone_judge
    context_path: score
    operator: GreaterThanOrEqual
    expected_value: 4
    depends_on: [has_order_id]
    max_retries: 2
    condition: false
    prompt:
      path: "prompts/tone.yaml"
  - task_type: TraceAssertion
    id: tool_order
    operator: Equals
    expected_value: true
    assertion:
      SpanSequence:
        span_names: [plan, lookup_order, reply]
  - task_type: TraceAssertion
    id: few_retries
    operator: LessThanOrEqual
    expected_value: 2
    assertion:
      SpanCount:
        filter:
          ByName:
            name: retry
  - task_type: TraceAssertion
    id: latency
    operator: LessThan
    expected_value: 2000.0
    assertion:
      TraceDuration: {}
  - task_type: TraceAssertion
    id: errors_tagged
    operator: Equals
    expected_value: true
    assertion:
      SpanExists:
        filter:
          And:
            filters:
              - WithStatus:
                  status: Error
              - WithAttribute:
                  key: error.kind
  - task_type: TraceAssertion
    id: tokens
    operator: LessThan
    expected_value: 5000
    assertion:
      SpanAggregation:
        filter:
          ByNamePattern:
            pattern: "^llm\\\\."
        attribute_key: tokens
        aggregation: Sum
  - task_type: TraceAssertion
    id: model_attr
    operator: Equals
    expected_value: gpt-4o
    assertion:
      SpanAttribute:
        filter:
          Or:
            filters:
              - ByName: {name: llm.call}
              - WithDuration: {min_ms: 5.0, max_ms: null}
              - WithAttributeValue: {key: tier, value: 2}
        attribute_key: model
  - task_type: TraceAssertion
    id: all_models_known
    operator: Equals
    expected_value: true
    assertion:
      AttributeFilter:
        key: model
        mode: All
        task:
          Assertion:
            id: inner
            operator: StartsWith
            expected_value: gpt
"""

PROMPT = """\
model: gemini-2.5-flash
provider: Google
messages:
  - "Rate the politeness of this reply from 1 to 5: ${response}"
system_instructions:
  - "You grade customer support replies."
  - "Answer with a score and a reason."
settings:
  generation_config:
    max_output_tokens: 256
    temperature: 0.2
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Scouter's layout: the task file in a folder, the prompt path relative to the project."""
    (tmp_path / "evals").mkdir()
    (tmp_path / "prompts").mkdir()
    (tmp_path / "evals" / "tasks.yaml").write_text(TASKS)
    (tmp_path / "prompts" / "tone.yaml").write_text(PROMPT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_scouters_forms_mean_what_our_constructors_build(project: Path) -> None:
    tasks = {t.id: t for t in load_tasks(project / "evals" / "tasks.yaml")}
    expected = {
        "tool_order": TraceAssertion.span_sequence(["plan", "lookup_order", "reply"]),
        "few_retries": TraceAssertion.span_count(SpanFilter.by_name("retry")),
        "latency": TraceAssertion.trace_duration(),
        "errors_tagged": TraceAssertion.span_exists(
            SpanFilter.with_status("Error").and_(SpanFilter.with_attribute("error.kind"))
        ),
        "tokens": TraceAssertion.span_aggregation(
            SpanFilter.by_name_pattern(r"^llm\."), "tokens", AggregationType.Sum
        ),
        "model_attr": TraceAssertion.span_attribute(
            SpanFilter.by_name("llm.call")
            .or_(SpanFilter.with_duration(min_ms=5.0))
            .or_(SpanFilter.with_attribute_value("tier", 2)),
            "model",
        ),
        "all_models_known": TraceAssertion.attribute_filter("model", "StartsWith", "gpt", "all"),
    }
    for task_id, assertion in expected.items():
        assert tasks[task_id].assertion == assertion, task_id  # type: ignore[union-attr]
    prompt = tasks["tone_judge"].prompt  # type: ignore[union-attr]
    assert (prompt.provider, prompt.model) == ("Gemini", "gemini-2.5-flash")
    assert prompt.system_instruction == (
        "You grade customer support replies.\n\nAnswer with a score and a reason."
    )
    assert (prompt.temperature, prompt.max_tokens) == (0.2, 256)
    assert tasks["tone_judge"].depends_on == ["has_order_id"]


def test_the_loaded_assertions_judge_a_trace(project: Path) -> None:
    tasks = {t.id: t for t in load_tasks(project / "evals" / "tasks.yaml")}
    spans = [
        _span("plan", 0, 0, 3.0, {"model": "gpt-4o"}),
        _span("lookup_order", 1, 3, 10.0, {}),
        _span("reply", 1, 13, 4.0, {"model": "gpt-4o-mini", "tokens": 10}),
    ]
    values = {i: tasks[i].assertion.value(spans) for i in ("tool_order", "all_models_known")}  # type: ignore[union-attr]
    assert values == {"tool_order": True, "all_models_known": True}
    assert tasks["latency"].assertion.value(spans) == 17.0  # type: ignore[union-attr]


def _span(name: str, depth: int, start_ms: int, duration_ms: float, attrs: dict) -> dict:
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(milliseconds=start_ms)
    return {
        "name": name,
        "depth": depth,
        "start_time": start,
        "end_time": start + timedelta(milliseconds=duration_ms),
        "duration_ms": duration_ms,
        "attributes": attrs,
        "status": "OK",
        "service_name": "agent",
    }


def test_the_json_form_loads_alike(project: Path) -> None:
    as_json = project / "evals" / "tasks.json"
    as_json.write_text(json.dumps(yaml.safe_load(TASKS)))
    assert load_tasks(as_json) == load_tasks(project / "evals" / "tasks.yaml")


def test_a_prompt_path_is_read_from_the_working_directory_then_beside_the_task_file(
    project: Path,
) -> None:
    beside = project / "evals" / "prompts"
    beside.mkdir()
    (beside / "tone.yaml").write_text(PROMPT.replace("gemini-2.5-flash", "gemini-beside"))
    tasks = {t.id: t for t in load_tasks(project / "evals" / "tasks.yaml")}
    assert tasks["tone_judge"].prompt.model == "gemini-2.5-flash"  # type: ignore[union-attr]
    (project / "prompts" / "tone.yaml").unlink()
    tasks = {t.id: t for t in load_tasks(project / "evals" / "tasks.yaml")}
    assert tasks["tone_judge"].prompt.model == "gemini-beside"  # type: ignore[union-attr]
    (beside / "tone.yaml").unlink()
    with pytest.raises(
        ConfigError,
        match=r"id 'tone_judge': prompt file not found: prompts/tone\.yaml "
        r"nor .*evals/prompts/tone\.yaml",
    ):
        load_tasks(project / "evals" / "tasks.yaml")


def test_prompt_settings_a_judge_does_not_send_are_named(project: Path) -> None:
    (project / "prompts" / "tone.yaml").write_text(PROMPT + "    top_p: 0.9\n    top_k: 40\n")
    with pytest.warns(
        UserWarning,
        match=r"tasks\.yaml: task 1 .*id 'tone_judge': "
        r"prompt settings \['top_k', 'top_p'\] are not sent",
    ):
        load_tasks(project / "evals" / "tasks.yaml")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("ByName:\n            name: retry", "ByTitle:\n            name: retry",
         r"id 'few_retries': assertion\.filter\.kind: Input should be 'by_name'"),
        ("Assertion:\n            id: inner", "AgentAssertion:\n            id: inner",
         "AttributeFilter.task: agent_assertion tasks are not supported; use Assertion"),
        ("ByName: {name: llm.call}", "ByName: llm.call",
         r"id 'model_attr'.*ByName: expected an object of its fields, found 'llm\.call'"),
        ("span_names: [plan, lookup_order, reply]", "span_names: []",
         r"id 'tool_order'.*span_sequence needs span names"),
    ],
)  # fmt: skip
def test_a_wrong_scouter_form_names_the_task(
    project: Path, old: str, new: str, message: str
) -> None:
    assert old in TASKS
    (project / "evals" / "tasks.yaml").write_text(TASKS.replace(old, new))
    with pytest.raises(ConfigError, match=message):
        load_tasks(project / "evals" / "tasks.yaml")


def test_tasks_file_is_a_sequence_of_the_files_tasks(project: Path) -> None:
    from scouter_flows.evaluate import EvalDataset, EvalRecord, TasksFile

    path = project / "evals" / "tasks.yaml"
    tasks = TasksFile.from_path(path)
    loaded = load_tasks(path)
    assert len(tasks) == len(loaded) == 9
    assert tasks[0] == loaded[0]
    assert tasks[-1].id == "all_models_known"
    assert [t.id for t in tasks[2:4]] == ["tool_order", "few_retries"]
    assert list(tasks) == loaded
    assert "9 tasks: has_order_id, tone_judge" in repr(tasks)
    asserted = TasksFile([t for t in tasks if t.task_type == "Assertion"])
    dataset = EvalDataset(records=[EvalRecord(id="r1", context={"order": {"id": "A1"}})],
                          tasks=asserted)  # fmt: skip
    assert dataset.evaluate().pass_rate == 1.0


SEQUENCE_AS_SCOUTERS_GUIDES_WRITE_IT = """
- task_type: TraceAssertion
  id: workflow_in_order
  operator: SequenceMatches
  expected_value: true
  assertion:
    SpanSequence:
      span_names: [plan, lookup_order, reply]
- task_type: TraceAssertion
  id: every_step_ran
  operator: ContainsAll
  expected_value: true
  assertion:
    SpanSet:
      span_names: [reply, plan]
"""


def test_a_span_sequence_checked_with_sequence_matches_true_means_it_is_in_order(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tasks.yaml"
    path.write_text(SEQUENCE_AS_SCOUTERS_GUIDES_WRITE_IT)
    tasks = {t.id: t for t in load_tasks(path)}
    in_order = [_span("plan", 0, 0, 3.0, {}), _span("lookup_order", 1, 3, 1.0, {}),
                _span("reply", 1, 5, 1.0, {})]  # fmt: skip
    swapped = [in_order[0], in_order[2], in_order[1]]
    verdicts = {
        (task_id, case): tasks[task_id].check(tasks[task_id].assertion.value(spans), {})  # type: ignore[union-attr]
        for task_id in tasks
        for case, spans in (("in_order", in_order), ("swapped", swapped), ("no_plan", in_order[1:]))
    }
    assert verdicts[("workflow_in_order", "in_order")] is None
    assert verdicts[("workflow_in_order", "swapped")] is not None
    assert verdicts[("every_step_ran", "swapped")] is None
    assert verdicts[("every_step_ran", "no_plan")] is not None
    # any other expected value keeps the operator's own meaning: it needs a list
    path.write_text(SEQUENCE_AS_SCOUTERS_GUIDES_WRITE_IT.replace("true", "3", 1))
    with pytest.raises(ConfigError, match="SequenceMatches needs a list"):
        load_tasks(path)
