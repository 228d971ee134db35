"""`TraceAssertion`: a value computed from a record's trace, for a task's operator to check.

Differs from Scouter on purpose: `span_sequence` can ask for an in-order subsequence
(`exact=False`) besides the exact list of span names; a filter that matches no span is a fail
saying so ("no span matched ...") instead of an empty value that passes vacuously; spans are in
start-time order.
"""

from __future__ import annotations

import statistics
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from scouter_flows.profiles.base import FrozenModel
from scouter_flows.traces.filters import (
    ScouterTagged,
    ScouterVariant,
    Span,
    SpanFilter,
    add_scouter_variants,
    scouter_variant,
)


class AggregationType(StrEnum):
    """How `span_aggregation` combines an attribute over the matching spans."""

    Count = "Count"
    Sum = "Sum"
    Average = "Average"
    Min = "Min"
    Max = "Max"
    First = "First"
    Last = "Last"


class NoSpanMatched(Exception):  # noqa: N818 - an outcome, not an error: the task fails
    """The assertion's filter matched no span: the task fails with this message."""


class TraceAssertion(FrozenModel, ScouterTagged):
    """What to compute from a trace; build one with the class methods."""

    kind: Literal[
        "span_sequence",
        "span_set",
        "span_count",
        "span_exists",
        "span_attribute",
        "span_duration",
        "span_aggregation",
        "trace_duration",
        "trace_span_count",
        "trace_error_count",
        "trace_service_count",
        "trace_max_depth",
        "trace_attribute",
        "attribute_filter",
    ]
    names: list[str] = Field(default_factory=list)
    exact: bool = True
    filter: SpanFilter | None = None
    key: str | None = None
    aggregation: AggregationType | None = None
    mode: Literal["any", "all"] = "any"
    check: dict[str, Any] | None = Field(
        default=None, description="attribute_filter: {'operator': ..., 'expected_value': ...}."
    )

    @property
    def span_names(self) -> list[str]:
        """Scouter's name of `names` (span_sequence, span_set)."""
        return self.names

    @property
    def attribute_key(self) -> str | None:
        """Scouter's name of `key` (span_attribute, span_aggregation, trace_attribute)."""
        return self.key

    # Scouter's variant names (`TraceAssertion.SpanCount(filter=...)`, usable with isinstance),
    # attached below the class.
    SpanSequence: ClassVar[ScouterVariant]
    SpanSet: ClassVar[ScouterVariant]
    SpanCount: ClassVar[ScouterVariant]
    SpanExists: ClassVar[ScouterVariant]
    SpanAttribute: ClassVar[ScouterVariant]
    SpanDuration: ClassVar[ScouterVariant]
    SpanAggregation: ClassVar[ScouterVariant]
    TraceDuration: ClassVar[ScouterVariant]
    TraceSpanCount: ClassVar[ScouterVariant]
    TraceErrorCount: ClassVar[ScouterVariant]
    TraceServiceCount: ClassVar[ScouterVariant]
    TraceMaxDepth: ClassVar[ScouterVariant]
    TraceAttribute: ClassVar[ScouterVariant]
    AttributeFilter: ClassVar[ScouterVariant]

    @classmethod
    def _untagged(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") == "attribute_filter" and "task" in data:
            return _attribute_filter_check(dict(data))
        return data

    @classmethod
    def _tagged_fields(cls, kind: str, fields: dict[str, Any] | list[Any]) -> dict[str, Any]:
        # Scouter's field names: span_names, attribute_key; AttributeFilter holds a task.
        if isinstance(fields, list):
            return {"names": fields}
        renamed = {_SCOUTER_FIELDS.get(k, k): v for k, v in fields.items()}
        return _attribute_filter_check(renamed) if kind == "attribute_filter" else renamed

    @field_validator("mode", mode="before")
    @classmethod
    def _mode_name(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value  # Scouter: Any, All

    @model_validator(mode="after")
    def _check_fields(self) -> TraceAssertion:
        needs_filter = {
            "span_count",
            "span_exists",
            "span_attribute",
            "span_duration",
            "span_aggregation",
        }
        if self.kind in needs_filter and self.filter is None:
            raise ValueError(f"{self.kind} needs a span filter")
        if self.kind in ("span_sequence", "span_set") and not self.names:
            raise ValueError(f"{self.kind} needs span names")
        if (
            self.kind
            in ("span_attribute", "span_aggregation", "trace_attribute", "attribute_filter")
            and not self.key
        ):
            raise ValueError(f"{self.kind} needs an attribute key")
        if self.kind == "span_aggregation" and self.aggregation is None:
            raise ValueError("span_aggregation needs an aggregation (Count, Sum, Average, ...)")
        if self.kind == "span_exists" and self.filter and self.filter.kind == "sequence":
            raise ValueError("span_exists takes a span filter, not a sequence; use span_count")
        if self.kind == "attribute_filter":
            from scouter_flows.evaluate.comparisons import compile_check

            if not self.check or "operator" not in self.check:
                raise ValueError("attribute_filter needs check={'operator': ..., ...}")
            compile_check(self.check["operator"], self.check.get("expected_value"))
        return self

    # -- constructors (Scouter's names) ---------------------------------------------------------

    @classmethod
    def span_sequence(cls, names: list[str], exact: bool = True) -> TraceAssertion:
        """True when the trace's span names are `names` (exact) or contain them in order."""
        return cls(kind="span_sequence", names=names, exact=exact)

    @classmethod
    def span_set(cls, names: list[str]) -> TraceAssertion:
        """True when every name occurs in the trace."""
        return cls(kind="span_set", names=names)

    @classmethod
    def span_count(cls, filter: SpanFilter) -> TraceAssertion:
        """How many spans match (for a sequence filter: how many runs)."""
        return cls(kind="span_count", filter=filter)

    @classmethod
    def span_exists(cls, filter: SpanFilter) -> TraceAssertion:
        """Whether any span matches."""
        return cls(kind="span_exists", filter=filter)

    @classmethod
    def span_attribute(
        cls, filter: SpanFilter, key: str | None = None, *, attribute_key: str | None = None
    ) -> TraceAssertion:
        """The attribute's value on the matching span (a list when several match).
        `attribute_key=` is Scouter's name for `key`."""
        return cls(kind="span_attribute", filter=filter, key=_key(key, attribute_key))

    @classmethod
    def span_duration(cls, filter: SpanFilter) -> TraceAssertion:
        """The matching span's duration in ms (a list when several match)."""
        return cls(kind="span_duration", filter=filter)

    @classmethod
    def span_aggregation(
        cls,
        filter: SpanFilter,
        key: str | None = None,
        aggregation: AggregationType | str | None = None,
        *,
        attribute_key: str | None = None,
    ) -> TraceAssertion:
        """An aggregate of a numeric attribute over the matching spans.

        Example (Scouter's keywords):
            >>> TraceAssertion.span_aggregation(
            ...     filter=SpanFilter.by_name("generate"), attribute_key="tokens",
            ...     aggregation=AggregationType.Sum,
            ... ).key
            'tokens'
        """
        if aggregation is None:
            raise TypeError("span_aggregation needs aggregation= (Sum, Average, Min, Max, ...)")
        return cls(
            kind="span_aggregation",
            filter=filter,
            key=_key(key, attribute_key),
            aggregation=AggregationType(aggregation),
        )

    @classmethod
    def trace_duration(cls) -> TraceAssertion:
        """Last end minus first start, in ms."""
        return cls(kind="trace_duration")

    @classmethod
    def trace_span_count(cls) -> TraceAssertion:
        """How many spans the trace has."""
        return cls(kind="trace_span_count")

    @classmethod
    def trace_error_count(cls) -> TraceAssertion:
        """How many spans have status ERROR."""
        return cls(kind="trace_error_count")

    @classmethod
    def trace_service_count(cls) -> TraceAssertion:
        """How many distinct services emitted spans."""
        return cls(kind="trace_service_count")

    @classmethod
    def trace_max_depth(cls) -> TraceAssertion:
        """The deepest span's depth (roots are 0)."""
        return cls(kind="trace_max_depth")

    @classmethod
    def trace_attribute(
        cls, key: str | None = None, *, attribute_key: str | None = None
    ) -> TraceAssertion:
        """The attribute on the trace's root span (`attribute_key=` is Scouter's `key`)."""
        return cls(kind="trace_attribute", key=_key(key, attribute_key))

    @classmethod
    def attribute_filter(
        cls,
        key: str,
        operator: str,
        expected_value: Any = None,
        mode: Literal["any", "all"] = "any",
    ) -> TraceAssertion:
        """Whether the values of `key` across spans pass the check: any one, or all."""
        return cls(
            kind="attribute_filter",
            key=key,
            mode=mode,
            check={"operator": operator, "expected_value": expected_value},
        )

    # -- evaluation ------------------------------------------------------------------------------

    def value(self, spans: list[Span]) -> Any:
        """The computed value for one trace.

        Raises:
            NoSpanMatched: the filter matched nothing (or no span has the key).
        """
        kind = self.kind
        if kind == "span_sequence":
            names = [s["name"] for s in spans]
            if self.exact:
                return names == self.names
            it = iter(names)
            return all(any(n == want for n in it) for want in self.names)
        if kind == "span_set":
            present = {s["name"] for s in spans}
            return all(n in present for n in self.names)
        if kind == "trace_duration":
            return (
                max(s["end_time"] for s in spans) - min(s["start_time"] for s in spans)
            ).total_seconds() * 1000
        if kind == "trace_span_count":
            return len(spans)
        if kind == "trace_error_count":
            return sum(s["status"] == "ERROR" for s in spans)
        if kind == "trace_service_count":
            return len({s["service_name"] for s in spans})
        if kind == "trace_max_depth":
            return max(s["depth"] for s in spans)
        if kind == "trace_attribute":
            roots = [s for s in spans if s["depth"] == 0]
            if not roots or self.key not in roots[0]["attributes"]:
                raise NoSpanMatched(f"the root span has no attribute {self.key!r}")
            return roots[0]["attributes"][self.key]
        if kind == "attribute_filter":
            return self._attribute_filter(spans)
        assert self.filter is not None
        if kind == "span_count":
            if self.filter.kind == "sequence":
                return len(self.filter.runs(spans))
            return len(self.filter.select(spans))
        matched = self.filter.select(spans)
        if kind == "span_exists":
            return bool(matched)
        if not matched:
            raise NoSpanMatched(f"no span matched {self.filter.describe()}")
        if kind == "span_duration":
            durations = [s["duration_ms"] for s in matched]
            return durations[0] if len(durations) == 1 else durations
        values = [s["attributes"][self.key] for s in matched if self.key in s["attributes"]]
        if not values:
            raise NoSpanMatched(
                f"no span matching {self.filter.describe()} has attribute {self.key!r}"
            )
        if kind == "span_attribute":
            return values[0] if len(values) == 1 else values
        return _aggregate(values, self.aggregation or AggregationType.Count, self.key or "")

    def _attribute_filter(self, spans: list[Span]) -> bool:
        from scouter_flows.evaluate.comparisons import compile_check

        assert self.check is not None
        check = compile_check(self.check["operator"], self.check.get("expected_value"))
        values = [s["attributes"][self.key] for s in spans if self.key in s["attributes"]]
        if not values:
            raise NoSpanMatched(f"no span has attribute {self.key!r}")
        passed = [check(v, {}) is None for v in values]
        return any(passed) if self.mode == "any" else all(passed)

    def describe(self) -> str:
        """A short text for tables."""
        target = f" of {self.filter.describe()}" if self.filter else ""
        return f"{self.kind}{target}" + (f" [{self.key}]" if self.key else "")


_SCOUTER_FIELDS = {"span_names": "names", "attribute_key": "key"}


def _attribute_filter_check(fields: dict[str, Any]) -> dict[str, Any]:
    """Scouter's `AttributeFilter {key, task, mode}` as ours: the task's check on each value."""
    task = fields.pop("task", None)
    if hasattr(task, "task_type") and hasattr(task, "operator"):  # an AssertionTask object
        task = {_scouter_task_tag(task.task_type): task.model_dump()}
    variant = scouter_variant(task)
    if variant is None or not isinstance(variant[1], dict):
        raise ValueError(f"AttributeFilter.task: expected {{Assertion: {{...}}}}, found {task!r}")
    kind, inner = variant[0], variant[1]
    if kind != "assertion":
        raise ValueError(f"AttributeFilter.task: {kind} tasks are not supported; use Assertion")
    if inner.get("context_path") or inner.get("item_context_path"):
        raise ValueError(
            "AttributeFilter.task: a context_path into the attribute value is not supported"
        )
    return {
        **fields,
        "check": {"operator": inner.get("operator"), "expected_value": inner.get("expected_value")},
    }


def _scouter_task_tag(task_type: str) -> str:
    return {"Assertion": "Assertion"}.get(task_type, "AgentAssertion")


add_scouter_variants(
    TraceAssertion,
    {
        "SpanSequence": ("span_names",),
        "SpanSet": ("span_names",),
        "SpanCount": ("filter",),
        "SpanExists": ("filter",),
        "SpanAttribute": ("filter", "attribute_key"),
        "SpanDuration": ("filter",),
        "SpanAggregation": ("filter", "attribute_key", "aggregation"),
        "TraceDuration": (),
        "TraceSpanCount": (),
        "TraceErrorCount": (),
        "TraceServiceCount": (),
        "TraceMaxDepth": (),
        "TraceAttribute": ("attribute_key",),
        "AttributeFilter": ("key", "task", "mode"),
    },
    _SCOUTER_FIELDS,
)


def _aggregate(values: list[Any], how: AggregationType, key: str) -> Any:
    if how is AggregationType.Count:
        return len(values)
    if how is AggregationType.First:
        return values[0]
    if how is AggregationType.Last:
        return values[-1]
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        raise NoSpanMatched(f"attribute {key!r} has no numeric values to {how.value.lower()}")
    if how is AggregationType.Sum:
        return sum(numbers)
    if how is AggregationType.Average:
        return statistics.fmean(numbers)
    return min(numbers) if how is AggregationType.Min else max(numbers)


def _key(key: str | None, attribute_key: str | None) -> str:
    """The attribute name given as `key` or as Scouter's `attribute_key` (not both)."""
    if (key is None) == (attribute_key is None):
        raise TypeError("give the attribute name once: key= (or Scouter's attribute_key=)")
    return str(key if key is not None else attribute_key)
