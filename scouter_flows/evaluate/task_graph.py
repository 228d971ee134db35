"""Evaluation tasks and the task graph they form.

Differs from Scouter on purpose: ids keep their case (Scouter lower-cases ids but not
`depends_on`, so a capitalised gate reads as a cycle), unknown dependencies and cycles are
rejected when the dataset or profile is built and named, and every task ends in its own status
(pass, fail, error, skipped) instead of one bad value aborting the record.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from scouter_flows import limits
from scouter_flows.errors import ConfigError
from scouter_flows.evaluate.agent import RESPONSE_PROVIDERS, AgentAssertion
from scouter_flows.evaluate.comparisons import ComparisonOperator, CompiledCheck, compile_check
from scouter_flows.evaluate.paths import Segment, make_getter, parse_path
from scouter_flows.evaluate.prompts import Prompt
from scouter_flows.evaluate.trace_assertions import TraceAssertion
from scouter_flows.profiles.base import FrozenModel

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class EvaluationTaskType(StrEnum):
    """The kinds of task, with Scouter's names; equal to a task's `task_type`.

    Example:
        >>> AssertionTask(id="a", operator="IsNotEmpty").task_type == EvaluationTaskType.Assertion
        True
    """

    Assertion = "Assertion"
    LLMJudge = "LLMJudge"
    TraceAssertion = "TraceAssertion"
    AgentAssertion = "AgentAssertion"


class _TaskBase(FrozenModel):
    """Fields every task shares: identity, the check on its value, and its place in the graph."""

    id: str = Field(description="Unique task id (letters, digits, '_', '.', '-').")
    operator: ComparisonOperator = Field(description="The check applied to the value.")
    expected_value: Any = Field(default=None, description="What the operator compares with.")
    description: str | None = Field(default=None, description="Shown in tables and reports.")
    depends_on: list[str] = Field(default_factory=list, description="Ids that run first.")
    condition: bool = Field(
        default=False,
        description="A gate: if it does not pass, every task depending on it is skipped.",
    )

    _check: CompiledCheck = PrivateAttr()

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(
                f"task id {value!r} must start with a letter or digit and use letters, digits, "
                "'_', '.' or '-'"
            )
        return limits.check_text(value, limits.TASK_ID, "task id")

    @field_validator("operator", mode="before")
    @classmethod
    def _known_operator(cls, value: Any) -> Any:
        names = [o.value for o in ComparisonOperator]
        if isinstance(value, str) and value not in names:
            close = difflib.get_close_matches(value, names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(names)}"
            raise ValueError(f"unknown operator {value!r}{hint}")
        return value

    @field_validator("depends_on")
    @classmethod
    def _distinct(cls, ids: list[str]) -> list[str]:
        repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
        if repeated:
            raise ValueError(f"depends_on repeats {repeated}")
        return ids

    def model_post_init(self, context: Any, /) -> None:
        try:
            self._check = compile_check(self.operator, self.expected_value)
        except ConfigError as exc:
            raise ValueError(f"task {self.id!r}: {exc}") from None

    def __eq__(self, other: object) -> bool:
        # The compiled check is derived state: tasks with the same fields are the same task.
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), self.id))

    def check(self, actual: Any, context: Any) -> str | None:
        """None when `actual` passes, else why it fails."""
        return self._check(actual, context)

    @property
    def compiled(self) -> CompiledCheck:
        """The validated check (for tight loops: its `fn` and `prepared`)."""
        return self._check


class _ReadsPath(_TaskBase):
    """A task whose value is read at `context_path` (of the record, or of a judge's answer)."""

    context_path: str | None = None
    _segments: tuple[Segment, ...] = PrivateAttr()
    _getter: Callable[[Any], Any] = PrivateAttr()

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        if self.context_path is not None and not self.context_path.strip():
            # As in Scouter: an empty path is a mistake; None (no path) means the whole record.
            raise ValueError(
                f"task {self.id!r}: context_path is empty: name a field, or leave it out to "
                "check the whole record"
            )
        try:
            self._segments = parse_path(self.context_path)
        except ConfigError as exc:
            raise ValueError(f"task {self.id!r}: {exc}") from None
        self._getter = make_getter(self._segments)

    @property
    def segments(self) -> tuple[Segment, ...]:
        """The parsed context path."""
        return self._segments

    @property
    def getter(self) -> Callable[[Any], Any]:
        """A fast reader of the context path (raises `PathError` as `resolve` does)."""
        return self._getter


class AssertionTask(_ReadsPath):
    """A deterministic check of a value in the record's context.

    Example:
        >>> AssertionTask(id="has_answer", context_path="response.text", operator="IsNotEmpty")
        AssertionTask(id='has_answer', ...)
    """

    task_type: Literal["Assertion"] = "Assertion"
    context_path: str | None = Field(
        default=None, description="Where the value is, e.g. response.items[0].text; None: all."
    )

    @model_validator(mode="before")
    @classmethod
    def _item_path(cls, data: Any) -> Any:
        # Scouter's item_context_path means "every item, read at this path": say so explicitly.
        if isinstance(data, dict) and data.get("item_context_path"):
            data = dict(data)
            inner = {
                "operator": str(data.get("operator")),
                "expected_value": data.get("expected_value"),
                "item_context_path": data.pop("item_context_path"),
            }
            data.update(operator=ComparisonOperator.AllItems.value, expected_value=inner)
        elif isinstance(data, dict) and "item_context_path" in data:
            data = {k: v for k, v in data.items() if k != "item_context_path"}
        return data

    @classmethod
    def all_items(
        cls,
        id: str,
        context_path: str | None,
        operator: ComparisonOperator | str,
        expected_value: Any = None,
        item_context_path: str | None = None,
        **fields: Any,
    ) -> AssertionTask:
        """A task that passes when every item of the array at `context_path` passes."""
        return cls._items(
            ComparisonOperator.AllItems,
            id,
            context_path,
            operator,
            expected_value,
            item_context_path,
            fields,
        )

    @classmethod
    def any_item(
        cls,
        id: str,
        context_path: str | None,
        operator: ComparisonOperator | str,
        expected_value: Any = None,
        item_context_path: str | None = None,
        **fields: Any,
    ) -> AssertionTask:
        """A task that passes when at least one item of the array at `context_path` passes."""
        return cls._items(
            ComparisonOperator.AnyItem,
            id,
            context_path,
            operator,
            expected_value,
            item_context_path,
            fields,
        )

    @classmethod
    def _items(
        cls,
        wrapper: ComparisonOperator,
        id: str,
        context_path: str | None,
        operator: ComparisonOperator | str,
        expected_value: Any,
        item_context_path: str | None,
        fields: dict[str, Any],
    ) -> AssertionTask:
        inner: dict[str, Any] = {"operator": str(operator), "expected_value": expected_value}
        if item_context_path:
            inner["item_context_path"] = item_context_path
        return cls(
            id=id, context_path=context_path, operator=wrapper, expected_value=inner, **fields
        )


class LLMJudgeTask(_ReadsPath):
    """A model's judgement of the record, checked like an assertion.

    The prompt is rendered with the record (`${path}` placeholders), sent to its provider with
    the output type's JSON schema, parsed and validated; `context_path` then reads the judged
    value from the answer (default `score`) and the operator checks it. An answer that does
    not parse gets one repair request, then the task is `error` with the raw text kept.
    `samples` > 1 asks several times and aggregates the judged value (`mean` or `majority`).

    Example:
        >>> LLMJudgeTask(id="relevance", operator="GreaterThanOrEqual", expected_value=4,
        ...              prompt=Prompt(messages="Rate ${answer} for ${question}, 1-5.",
        ...                            model="gpt-4o-mini", provider="OpenAI"))
        LLMJudgeTask(id='relevance', ...)
    """

    task_type: Literal["LLMJudge"] = "LLMJudge"
    prompt: Prompt = Field(description="What the judge is asked, of which model.")
    context_path: str | None = Field(
        default="score", description="Where the judged value is in the answer."
    )
    samples: int = Field(default=1, ge=1, le=20, description="Answers to aggregate.")
    aggregation: Literal["mean", "majority"] = Field(
        default="mean", description="How several answers' values combine."
    )
    max_retries: int | None = Field(
        default=None, description="Accepted for Scouter's task files; retries are the client's."
    )


class TraceAssertionTask(_TaskBase):
    """A check of a value computed from the record's trace (found by its `trace_id`).

    Example:
        >>> TraceAssertionTask(id="retrieves_first", operator="Equals", expected_value=True,
        ...     assertion=TraceAssertion.span_sequence(["retrieve", "generate"], exact=False))
        TraceAssertionTask(id='retrieves_first', ...)
    """

    task_type: Literal["TraceAssertion"] = "TraceAssertion"
    assertion: TraceAssertion = Field(description="What to compute from the trace.")

    def model_post_init(self, context: Any, /) -> None:
        # Scouter's guides check a span sequence or set (a true/false value) with
        # `SequenceMatches` or `ContainsAll` and expected_value true, which Scouter then fails
        # to compare; the meaning is plain, so it is checked as `Equals`.
        if (
            self.assertion.kind in _BOOLEAN_ASSERTIONS
            and self.operator in _LIST_OPERATORS
            and isinstance(self.expected_value, bool)
        ):
            self._check = compile_check(ComparisonOperator.Equals, self.expected_value)
            return
        super().model_post_init(context)


class AgentAssertionTask(_ReadsPath):
    """A check of what an agent did or returned, read from the model's response in the record
    (at `context_path`, or the whole context): see `AgentAssertion`.

    Example:
        >>> task = AgentAssertionTask(id="searched", operator="Equals", expected_value=True,
        ...     assertion=AgentAssertion.tool_called("search"), context_path="response")
        >>> task.getter({"response": {"tool_calls": [{"name": "search"}]}})
        True
    """

    task_type: Literal["AgentAssertion"] = "AgentAssertion"
    assertion: AgentAssertion = Field(description="What to read from the response.")
    provider: str | None = Field(
        default=None,
        description="The response's shape when its keys do not tell (openai, "
        "openai_responses, anthropic, gemini, plain); Scouter's Provider names are read.",
    )
    context_path: str | None = Field(
        default=None, description="Where the response is in the record; None: the record."
    )

    @field_validator("provider", mode="before")
    @classmethod
    def _provider_name(cls, value: Any) -> Any:
        if value is None:
            return None
        name = str(getattr(value, "value", value)).lower()
        if name not in RESPONSE_PROVIDERS:
            raise ValueError(f"unknown provider {value!r}: expected one of {RESPONSE_PROVIDERS}")
        return name

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        read, assertion, provider = self._getter, self.assertion, self.provider
        self._getter = lambda record: assertion.value(read(record), provider)


_BOOLEAN_ASSERTIONS = frozenset({"span_sequence", "span_set", "span_exists"})
_LIST_OPERATORS = frozenset({ComparisonOperator.SequenceMatches, ComparisonOperator.ContainsAll})


AnyTask = AssertionTask | LLMJudgeTask | TraceAssertionTask | AgentAssertionTask
TaskField = Annotated[AnyTask, Field(discriminator="task_type")]
"""Any task, told apart by its `task_type` (for models and files holding tasks)."""


def execution_plan(tasks: Sequence[AnyTask]) -> list[list[AnyTask]]:
    """The tasks in levels: each level depends only on earlier ones (Kahn's algorithm).

    Raises:
        ConfigError: duplicate ids, a dependency on an unknown id, or a cycle; the ids are named.
    """
    ids = [t.id for t in tasks]
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if repeated:
        raise ConfigError(f"duplicate task ids: {repeated}")
    known = set(ids)
    for task in tasks:
        unknown = [d for d in task.depends_on if d not in known]
        if unknown:
            close = {d: [k for k in known if k.lower() == d.lower()] for d in unknown}
            hints = "; ".join(f"did you mean {c[0]!r} for {d!r}?" for d, c in close.items() if c)
            raise ConfigError(
                f"task {task.id!r} depends on unknown task(s) {unknown}"
                + (f" ({hints})" if hints else "")
            )
    remaining = {t.id: set(t.depends_on) for t in tasks}
    by_id = {t.id: t for t in tasks}
    levels: list[list[AnyTask]] = []
    while remaining:
        ready = [i for i in ids if i in remaining and not remaining[i]]
        if not ready:
            raise ConfigError(f"the tasks {sorted(remaining)} depend on each other in a cycle")
        levels.append([by_id[i] for i in ready])
        for i in ready:
            del remaining[i]
        for deps in remaining.values():
            deps.difference_update(ready)
    return levels


def format_plan(levels: list[list[AnyTask]]) -> str:
    """The levels as text, one line per level; gates are tagged `[gate]`."""
    lines = []
    for n, level in enumerate(levels, start=1):
        names = ", ".join(
            f"{t.id}{' [gate]' if t.condition else ''}"
            + (f" (after {', '.join(t.depends_on)})" if t.depends_on else "")
            for t in level
        )
        lines.append(f"level {n}: {names}")
    return "\n".join(lines)
