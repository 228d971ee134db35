"""Scouter's queue records (`Feature`, `Features`, `Metric`, `Metrics`, `FeatureMixin`), which
`InferenceLogger.insert` takes beside plain mappings and pydantic models.

A service written against Scouter's queue builds these per request; here each becomes one
logged row, a column per feature or metric.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scouter_flows.errors import DataError

Value = builtins.int | builtins.float | str


@dataclass(frozen=True, slots=True)
class Feature:
    """One named feature value (int, float or string), as Scouter's `Feature`.

    Example:
        >>> Feature.float("income", 41_000).value
        41000.0
    """

    name: str
    value: Value

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, builtins.int | float | str):
            raise DataError(
                f"feature {self.name!r} must be an int, float or string, got "
                f"{type(self.value).__name__}"
            )

    @classmethod
    def int(cls, name: str, value: builtins.int) -> Feature:
        """An integer feature."""
        return cls(name, builtins.int(value))

    @classmethod
    def float(cls, name: str, value: builtins.float) -> Feature:
        """A float feature."""
        return cls(name, builtins.float(value))

    @classmethod
    def string(cls, name: str, value: str) -> Feature:
        """A string feature."""
        return cls(name, str(value))

    @classmethod
    def categorical(cls, name: str, value: str) -> Feature:
        """A categorical feature (a string here: PSI profiles bin strings by category)."""
        return cls(name, str(value))


QueueFeature = Feature
"""The name Scouter's type stubs give `Feature`."""


class _Named:
    """A record of named values: a list of items, or a mapping of name to value."""

    __slots__ = ("_items",)
    _item: type[Feature] | type[Metric]
    entity_type: str = ""  # what the record holds, as Scouter's `EntityType` names it

    def __init__(self, items: Sequence[Any] | Mapping[str, Any]) -> None:
        found: list[Any] = (
            [self._item(str(k), v) for k, v in items.items()]
            if isinstance(items, Mapping)
            else list(items)
        )
        if not all(isinstance(i, self._item) for i in found):
            raise DataError(
                f"{type(self).__name__} takes a list of {self._item.__name__} or a mapping of "
                "name to value"
            )
        self._items = found

    def to_record(self) -> dict[str, Any]:
        """The row the logger writes: a column per name."""
        names = [i.name for i in self._items]
        if len(set(names)) != len(names):
            repeated = sorted({n for n in names if names.count(n) > 1})
            raise DataError(f"a record names {repeated} more than once")
        return {i.name: i.value for i in self._items}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_record()!r})"


@dataclass(frozen=True, slots=True)
class Metric:
    """One named metric value (kept as a float), as Scouter's `Metric`."""

    name: str
    value: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", float(self.value))


class Features(_Named):
    """The features of one request: a list of `Feature` or a mapping of name to value.

    Example:
        >>> Features({"age": 41, "country": "NL"}).to_record()
        {'age': 41, 'country': 'NL'}
    """

    __slots__ = ()
    _item = Feature
    entity_type = "Feature"

    def __init__(self, features: Sequence[Feature] | Mapping[str, Value]) -> None:
        super().__init__(features)

    @property
    def features(self) -> list[Feature]:
        """The features, in the order given."""
        return list(self._items)


class Metrics(_Named):
    """The metrics of one request or batch: a list of `Metric` or a mapping of name to value.

    Example:
        >>> Metrics([Metric("mae", 1), Metric("mape", 2.5)]).to_record()
        {'mae': 1.0, 'mape': 2.5}
    """

    __slots__ = ()
    _item = Metric
    entity_type = "Metric"

    def __init__(self, metrics: Sequence[Metric] | Mapping[str, float | int]) -> None:
        super().__init__(metrics)

    @property
    def metrics(self) -> list[Metric]:
        """The metrics, in the order given."""
        return list(self._items)


class FeatureMixin:
    """For a pydantic request model: `to_features()` gives its fields as `Features`, as
    Scouter's `FeatureMixin` does."""

    def to_features(self) -> Features:
        """The model's fields as features."""
        dump = getattr(self, "model_dump", None)
        if dump is None:
            raise DataError("FeatureMixin needs a pydantic model (model_dump)")
        return Features(dump())
