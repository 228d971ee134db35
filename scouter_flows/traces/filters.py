"""`SpanFilter`: which spans of a trace an assertion looks at.

Spans here are the rows of a span frame (`SPAN_SCHEMA`) as dicts with decoded attributes, in
start-time order. Differs from Scouter on purpose: `with_attribute_value` compares JSON values
(150 equals 150.0, never "150"), and a bad name pattern is an error when the filter is built.
"""

from __future__ import annotations

import json
import re
from collections import abc
from enum import StrEnum
from typing import Any, ClassVar, Literal

import polars as pl
from pydantic import BaseModel, Field, field_validator, model_validator

from scouter_flows.patterns import PatternError, compile_pattern
from scouter_flows.profiles.base import FrozenModel

Span = dict[str, Any]
StatusName = Literal["OK", "ERROR", "UNSET"]


def scouter_variant(data: Any) -> tuple[str, dict[str, Any] | list[Any]] | None:
    """(snake_case kind, fields) of one of Scouter's externally tagged variants
    (`{"ByName": {"name": ...}}`, `{"TraceDuration": {}}`, or a bare `"TraceDuration"`); None
    for anything else.

    Example:
        >>> scouter_variant({"ByNamePattern": {"pattern": "^llm"}})
        ('by_name_pattern', {'pattern': '^llm'})
    """
    if isinstance(data, str) and data[:1].isupper():
        return _snake(data), {}
    if not isinstance(data, dict) or len(data) != 1 or "kind" in data:
        return None
    ((tag, body),) = data.items()
    if not (isinstance(tag, str) and tag[:1].isupper()):
        return None
    if body is None:
        body = {}
    if not isinstance(body, dict | list):
        raise ValueError(f"{tag}: expected an object of its fields, found {body!r}")
    return _snake(tag), body


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class ScouterVariant(type):
    """One of Scouter's enum variants (`SpanFilter.ByName`, `TraceAssertion.SpanCount`) as a
    constructor of our model and a class for `isinstance`: calling it builds the model with that
    `kind`; `isinstance(x, SpanFilter.ByName)` is true for every by-name filter."""

    _base: type[FrozenModel]
    _kind: str
    _fields: tuple[str, ...]
    _renames: dict[str, str]

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, cls._base) and getattr(instance, "kind", None) == cls._kind

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if len(args) > len(cls._fields):
            raise TypeError(
                f"{cls.__qualname__} takes {len(cls._fields)} positional arguments "
                f"({', '.join(cls._fields) or 'none'}), got {len(args)}"
            )
        given = {**dict(zip(cls._fields, args, strict=False)), **kwargs}
        fields = {cls._renames.get(k, k): v for k, v in given.items()}
        return cls._base.model_validate({"kind": cls._kind, **fields})


def add_scouter_variants(
    base: type[FrozenModel], variants: dict[str, tuple[str, ...]], renames: dict[str, str]
) -> None:
    """Attach Scouter's variant names to `base` (`{"ByName": ("name",)}`: `base.ByName(name)`)."""
    for tag, fields in variants.items():
        namespace = {
            "_base": base,
            "_kind": _snake(tag),
            "_fields": fields,
            "_renames": renames,
            "__qualname__": f"{base.__name__}.{tag}",
            "__doc__": f"Scouter's {tag}.",
        }
        setattr(base, tag, ScouterVariant(tag, (), namespace))


class SpanStatus(StrEnum):
    """A span's status as OpenTelemetry names it (Scouter: `SpanStatus.Ok`, `.Error`, `.Unset`)."""

    Ok = "OK"
    Error = "ERROR"
    Unset = "UNSET"


class ScouterTagged(BaseModel):
    """Reads a model given in Scouter's externally tagged form, one CamelCase key holding the
    variant's fields (`{ByName: {name: ...}}`), as `{kind: by_name, name: ...}`."""

    @model_validator(mode="before")
    @classmethod
    def _scouter_form(cls, data: Any) -> Any:
        variant = scouter_variant(data)
        if variant is None:
            return cls._untagged(data)
        kind, fields = variant
        return {"kind": kind, **cls._tagged_fields(kind, fields)}

    @classmethod
    def _untagged(cls, data: Any) -> Any:
        """Data not in the tagged form, as it should be validated."""
        return data

    @classmethod
    def _tagged_fields(cls, kind: str, fields: dict[str, Any] | list[Any]) -> dict[str, Any]:
        """Our fields for the tagged variant `kind`."""
        if isinstance(fields, list):
            raise ValueError(f"{kind}: expected an object of its fields")
        return fields


class SpanFilter(FrozenModel, ScouterTagged):
    """A predicate on spans; build one with the class methods and combine with `and_`/`or_`."""

    kind: Literal[
        "by_name",
        "by_name_pattern",
        "with_attribute",
        "with_attribute_value",
        "with_status",
        "with_duration",
        "sequence",
        "and",
        "or",
    ]
    name: str | None = None
    pattern: str | None = None
    key: str | None = None
    value: Any = None
    status: StatusName | None = None
    min_ms: float | None = None
    max_ms: float | None = None
    names: list[str] = Field(default_factory=list)
    filters: list[SpanFilter] = Field(default_factory=list)

    # Scouter's variant names (`SpanFilter.ByName(name=...)`, `isinstance(f, SpanFilter.ByName)`),
    # attached below the class.
    ByName: ClassVar[ScouterVariant]
    ByNamePattern: ClassVar[ScouterVariant]
    WithAttribute: ClassVar[ScouterVariant]
    WithAttributeValue: ClassVar[ScouterVariant]
    WithStatus: ClassVar[ScouterVariant]
    WithDuration: ClassVar[ScouterVariant]
    Sequence: ClassVar[ScouterVariant]
    And: ClassVar[ScouterVariant]
    Or: ClassVar[ScouterVariant]

    @field_validator("status", mode="before")
    @classmethod
    def _status_name(cls, value: Any) -> Any:
        # "Error", "error", SpanStatus.Error and "ERROR" are one status (Scouter writes "Error").
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check(self) -> SpanFilter:
        needs = {
            "by_name": self.name is not None,
            "by_name_pattern": self.pattern is not None,
            "with_attribute": self.key is not None,
            "with_attribute_value": self.key is not None,
            "with_status": self.status is not None,
            "with_duration": self.min_ms is not None or self.max_ms is not None,
            "sequence": bool(self.names),
            "and": len(self.filters) >= 2,
            "or": len(self.filters) >= 2,
        }
        if not needs[self.kind]:
            raise ValueError(f"span filter {self.kind} is missing its argument")
        if self.pattern is not None:
            try:
                compile_pattern(self.pattern)
            except PatternError as exc:
                raise ValueError(
                    f"invalid span name pattern {self.pattern!r}: {exc.reason}"
                ) from None
        return self

    # -- constructors (Scouter's names) ---------------------------------------------------------

    @classmethod
    def by_name(cls, name: str) -> SpanFilter:
        """Spans named exactly `name`."""
        return cls(kind="by_name", name=name)

    @classmethod
    def by_name_pattern(cls, pattern: str) -> SpanFilter:
        """Spans whose name matches the regular expression (searched, not anchored)."""
        return cls(kind="by_name_pattern", pattern=pattern)

    @classmethod
    def with_attribute(cls, key: str) -> SpanFilter:
        """Spans having attribute `key`."""
        return cls(kind="with_attribute", key=key)

    @classmethod
    def with_attribute_value(cls, key: str, value: Any) -> SpanFilter:
        """Spans whose attribute `key` equals `value`."""
        return cls(kind="with_attribute_value", key=key, value=value)

    @classmethod
    def with_status(cls, status: SpanStatus | str) -> SpanFilter:
        """Spans with status OK, ERROR or UNSET (a `SpanStatus`, or its name in any case)."""
        return cls(kind="with_status", status=status)

    @classmethod
    def with_duration(cls, min_ms: float | None = None, max_ms: float | None = None) -> SpanFilter:
        """Spans lasting between `min_ms` and `max_ms` milliseconds (inclusive)."""
        return cls(kind="with_duration", min_ms=min_ms, max_ms=max_ms)

    @classmethod
    def sequence(cls, names: abc.Sequence[str]) -> SpanFilter:
        """Consecutive spans (in start order) named `names`, in that order."""
        return cls(kind="sequence", names=list(names))

    def and_(self, *others: SpanFilter) -> SpanFilter:
        """Spans matching this filter and every other (`a.and_(b).and_(c)` is one list)."""
        return SpanFilter(kind="and", filters=self._joined("and", others))

    def or_(self, *others: SpanFilter) -> SpanFilter:
        """Spans matching this filter or any other (`a.or_(b).or_(c)` is one list)."""
        return SpanFilter(kind="or", filters=self._joined("or", others))

    def _joined(self, kind: str, others: abc.Sequence[SpanFilter]) -> list[SpanFilter]:
        return [part for f in (self, *others) for part in (f.filters if f.kind == kind else [f])]

    # -- evaluation ------------------------------------------------------------------------------

    def matches(self, span: Span) -> bool:
        """Whether one span matches (a `sequence` filter matches via `select` only)."""
        kind = self.kind
        if kind == "by_name":
            return bool(span["name"] == self.name)
        if kind == "by_name_pattern":
            return compile_pattern(str(self.pattern)).search(span["name"])
        attributes = span["attributes"]
        if kind == "with_attribute":
            return self.key in attributes
        if kind == "with_attribute_value":
            return self.key in attributes and json_equal(attributes[self.key], self.value)
        if kind == "with_status":
            return bool(span["status"] == self.status)
        if kind == "with_duration":
            ms = span["duration_ms"]
            low = self.min_ms if self.min_ms is not None else float("-inf")
            high = self.max_ms if self.max_ms is not None else float("inf")
            return ms is not None and low <= ms <= high
        if kind == "and":
            return all(f.matches(span) for f in self.filters)
        if kind == "or":
            return any(f.matches(span) for f in self.filters)
        raise ValueError("a sequence filter selects runs of spans; use it where spans are selected")

    def select(self, spans: list[Span]) -> list[Span]:
        """The matching spans (for `sequence`: the spans of every matching run)."""
        if self.kind == "sequence":
            return [span for run in self.runs(spans) for span in run]
        return [span for span in spans if self.matches(span)]

    def runs(self, spans: list[Span]) -> list[list[Span]]:
        """For a `sequence` filter: each run of consecutive spans named `names`."""
        size = len(self.names)
        names = [s["name"] for s in spans]
        return [
            spans[i : i + size]
            for i in range(len(spans) - size + 1)
            if names[i : i + size] == self.names
        ]

    def describe(self) -> str:
        """A short text for messages: `name == 'retrieve'` and the like."""
        texts = {
            "by_name": f"name == {self.name!r}",
            "by_name_pattern": f"name ~ /{self.pattern}/",
            "with_attribute": f"has {self.key!r}",
            "with_attribute_value": f"{self.key} == {json.dumps(self.value)}",
            "with_status": f"status {self.status}",
            "with_duration": f"duration in [{self.min_ms}, {self.max_ms}] ms",
            "sequence": f"sequence {self.names}",
        }
        if self.kind in ("and", "or"):
            return f" {self.kind} ".join(f"({f.describe()})" for f in self.filters)
        return texts[self.kind]


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: numbers by value (150 == 150.0), booleans only with booleans."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return bool(a == b)
    return type(a) is type(b) and a == b


def spans_by_trace(spans: pl.DataFrame) -> dict[str, list[Span]]:
    """A span frame as lists of span dicts per trace id, in start order, with `depth` and the
    attributes decoded."""
    from scouter_flows.traces.spans import normalise_spans

    grouped: dict[str, list[Span]] = {}
    for row in normalise_spans(spans).iter_rows(named=True):
        row["attributes"] = json.loads(row["attributes"]) if row.get("attributes") else {}
        grouped.setdefault(row["trace_id"], []).append(row)
    return grouped


add_scouter_variants(
    SpanFilter,
    {
        "ByName": ("name",),
        "ByNamePattern": ("pattern",),
        "WithAttribute": ("key",),
        "WithAttributeValue": ("key", "value"),
        "WithStatus": ("status",),
        "WithDuration": ("min_ms", "max_ms"),
        "Sequence": ("names",),
        "And": ("filters",),
        "Or": ("filters",),
    },
    {},
)
