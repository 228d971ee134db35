"""An agent-evaluation profile in Scouter's JSON (`AgentEvalProfile`, 0.25's layout).

Assertion and trace-assertion tasks are written in Scouter's serde forms (externally tagged
assertions and span filters with its field names). A task read from Scouter's file is written
back as Scouter wrote it while it still says the same; an LLM-judge task is written only that
way, since Scouter stores a judge's prompt in its prompt library's own layout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from scouter_flows.errors import ConfigError
from scouter_flows.evaluate.agent import assertion_to_scouter
from scouter_flows.evaluate.task_graph import (
    AgentAssertionTask,
    AnyTask,
    AssertionTask,
    LLMJudgeTask,
    TaskField,
    TraceAssertionTask,
)
from scouter_flows.evaluate.trace_assertions import TraceAssertion
from scouter_flows.profiles.scouter_json import (
    SCOUTER_LAYOUT,
    TASK_GROUPS,
    alert_to_scouter,
    identity_to_scouter,
    origin_of,
    task_from_scouter,
    warn_lost,
)
from scouter_flows.traces.filters import SpanFilter

if TYPE_CHECKING:
    from scouter_flows.evaluate.profile import AgentEvalProfile

_TASK: TypeAdapter[Any] = TypeAdapter(TaskField)

SCOUTER_OPERATORS = frozenset(
    [
        "Equals",
        "NotEqual",
        "GreaterThan",
        "GreaterThanOrEqual",
        "LessThan",
        "LessThanOrEqual",
        "Contains",
        "NotContains",
        "StartsWith",
        "EndsWith",
        "Matches",
        "HasLengthGreaterThan",
        "HasLengthLessThan",
        "HasLengthEqual",
        "HasLengthGreaterThanOrEqual",
        "HasLengthLessThanOrEqual",
        "IsNumeric",
        "IsString",
        "IsBoolean",
        "IsNull",
        "IsArray",
        "IsObject",
        "IsEmail",
        "IsUrl",
        "IsUuid",
        "IsJson",
        "MatchesRegex",
        "InRange",
        "NotInRange",
        "IsPositive",
        "IsNegative",
        "IsZero",
        "SequenceMatches",
        "ContainsAll",
        "ContainsAny",
        "ContainsNone",
        "IsEmpty",
        "IsNotEmpty",
        "HasUniqueItems",
        "IsAlphabetic",
        "IsAlphanumeric",
        "IsLowerCase",
        "IsUpperCase",
        "ContainsWord",
        "ApproximatelyEquals",
    ]
)
"""The comparison operators Scouter 0.25 has."""

_GROUP_OF = {task_type: group for group, task_type in TASK_GROUPS.items()}
_STATUS = {"OK": "Ok", "ERROR": "Error", "UNSET": "Unset"}


def agent_to_scouter(profile: AgentEvalProfile) -> dict[str, Any]:
    """Scouter's `AgentEvalProfile` document for `profile`.

    Raises:
        ConfigError: a task Scouter cannot hold (a judge not read from Scouter's file, an
            operator or assertion Scouter lacks), named.
    """
    dump = profile.model_dump(mode="json")
    origin = origin_of(dump)
    config, alert = dump["config"], dump["config"]["alert_config"]
    groups: dict[str, list[dict[str, Any]]] = {group: [] for group in TASK_GROUPS}
    for task in profile.tasks:
        groups[_GROUP_OF[task.task_type]].append(_task_record(task, origin["tasks"].get(task.id)))
    lost: list[str] = []
    kept = origin["config"].get("document", {})
    document = {
        "config": {
            "sample_ratio": config["sample_ratio"],
            **identity_to_scouter(dump, origin),
            "alert_config": {
                **alert_to_scouter(alert, origin, lost),
                "alert_condition": alert["alert_condition"],
            },
            "drift_type": "Agent",
        },
        "tasks": groups,
        "scouter_version": origin["scouter_version"] or SCOUTER_LAYOUT,
        "workflow": kept.get("workflow"),
        "task_ids": kept.get("task_ids", sorted(t.id for t in profile.tasks)),
        "alias": kept.get("alias"),
    }
    warn_lost(lost, dump)
    return document


def _task_record(task: AnyTask, record: dict[str, Any] | None) -> dict[str, Any]:
    """Scouter's record of one task: the one read while it still says the same, else written."""
    if record is not None:
        try:
            if _TASK.validate_python(task_from_scouter(record, _GROUP_OF[task.task_type])) == task:
                return record
        except (ValidationError, ValueError):
            pass
    if isinstance(task, LLMJudgeTask):
        raise ConfigError(
            f"task {task.id!r}: an LLM-judge task is written for Scouter only as read from "
            "Scouter's file (Scouter stores prompts in its prompt library's own layout)"
        )
    operator = str(task.operator)
    expected = task.expected_value
    item_path = None
    if (
        isinstance(task, AssertionTask)
        and operator == "AllItems"
        and isinstance(expected, dict)
        and expected.get("item_context_path")
    ):
        # Scouter's item_context_path: every item, read at this path, passes the check.
        operator, item_path = str(expected["operator"]), expected["item_context_path"]
        expected = expected.get("expected_value")
    if operator not in SCOUTER_OPERATORS:
        raise ConfigError(f"task {task.id!r}: Scouter has no operator {operator!r}")
    common = {
        "operator": operator,
        "expected_value": expected,
        "description": task.description,
        "depends_on": task.depends_on,
        "task_type": task.task_type,
        "condition": task.condition,
    }
    if isinstance(task, AssertionTask):
        return {
            "id": task.id,
            "context_path": task.context_path,
            "item_context_path": item_path,
            **common,
        }
    if isinstance(task, AgentAssertionTask):
        return {
            "id": task.id,
            "assertion": assertion_to_scouter(task.assertion),
            "provider": _SCOUTER_PROVIDERS.get(task.provider or ""),
            "context_path": task.context_path,
            **common,
        }
    assert isinstance(task, TraceAssertionTask)
    return {"id": task.id, "assertion": _assertion(task.id, task.assertion), **common}


# Scouter's Provider names for the shapes it names (the others are ours only).
_SCOUTER_PROVIDERS = {"openai": "OpenAI", "anthropic": "Anthropic", "gemini": "Gemini"}


def _tag(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_"))


def _assertion(task_id: str, assertion: TraceAssertion) -> dict[str, Any]:
    kind = assertion.kind
    fields: dict[str, Any] = {}
    if kind in ("span_sequence", "span_set"):
        if kind == "span_sequence" and not assertion.exact:
            raise ConfigError(
                f"task {task_id!r}: Scouter's SpanSequence is exact; span_sequence(exact=False) "
                "has no Scouter form"
            )
        fields["span_names"] = assertion.names
    if assertion.filter is not None:
        fields["filter"] = _filter(assertion.filter)
    if kind in ("span_attribute", "span_aggregation", "trace_attribute"):
        fields["attribute_key"] = assertion.key
    if kind == "span_aggregation" and assertion.aggregation is not None:
        fields["aggregation"] = assertion.aggregation.value
    if kind == "attribute_filter":
        check = assertion.check or {}
        fields = {
            "key": assertion.key,
            "task": {
                "Assertion": {
                    "id": f"{task_id}.{assertion.key}",
                    "context_path": None,
                    "item_context_path": None,
                    "operator": str(check.get("operator")),
                    "expected_value": check.get("expected_value"),
                    "description": None,
                    "depends_on": [],
                    "task_type": "Assertion",
                    "condition": False,
                }
            },
            "mode": assertion.mode.capitalize(),
        }
    return {_tag(kind): fields}


def _filter(span_filter: SpanFilter) -> dict[str, Any]:
    kind = span_filter.kind
    fields: dict[str, Any]
    if kind in ("and", "or"):
        fields = {"filters": [_filter(f) for f in span_filter.filters]}
    elif kind == "by_name":
        fields = {"name": span_filter.name}
    elif kind == "by_name_pattern":
        fields = {"pattern": span_filter.pattern}
    elif kind == "with_attribute":
        fields = {"key": span_filter.key}
    elif kind == "with_attribute_value":
        fields = {"key": span_filter.key, "value": span_filter.value}
    elif kind == "with_status":
        fields = {"status": _STATUS[str(span_filter.status)]}
    elif kind == "with_duration":
        fields = {"min_ms": span_filter.min_ms, "max_ms": span_filter.max_ms}
    else:
        fields = {"names": span_filter.names}
    return {_tag(kind): fields}
