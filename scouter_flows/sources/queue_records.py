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


class Features:
    """The features of one request: a list of `Feature` or a mapping of name to value.

    Example:
        >>> Features({"age": 41, "country": "NL"}).to_record()
        {'age': 41, 'country': 'NL'}
    """

    __slots__ = ("_features",)

    def __init__(self, features: Sequence[Feature] | Mapping[str, Value]) -> None:
        items = (
            [Feature(str(k), v) for k, v in features.items()]
            if isinstance(features, Mapping)
            else list(features)
        )
        if not all(isinstance(f, Feature) for f in items):
            raise DataError("Features takes a list of Feature or a mapping of name to value")
        self._features = items

    @property
    def features(self) -> list[Feature]:
        """The features, in the order given."""
        return list(self._features)

    @property
    def entity_type(self) -> str:
        """What the record holds, as Scouter's `EntityType` names it."""
        return "Feature"

    def to_record(self) -> dict[str, Any]:
        """The row the logger writes: a column per feature."""
        return _unique({f.name: f.value for f in self._features}, [f.name for f in self._features])

    def __repr__(self) -> str:
        return f"Features({self.to_record()!r})"


@dataclass(frozen=True, slots=True)
class Metric:
    """One named metric value (kept as a float), as Scouter's `Metric`."""

    name: str
    value: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", float(self.value))


class Metrics:
    """The metrics of one request or batch: a list of `Metric` or a mapping of name to value.

    Example:
        >>> Metrics([Metric("mae", 1), Metric("mape", 2.5)]).to_record()
        {'mae': 1.0, 'mape': 2.5}
    """

    __slots__ = ("_metrics",)

    def __init__(self, metrics: Sequence[Metric] | Mapping[str, float | int]) -> None:
        items = (
            [Metric(str(k), v) for k, v in metrics.items()]
            if isinstance(metrics, Mapping)
            else list(metrics)
        )
        if not all(isinstance(m, Metric) for m in items):
            raise DataError("Metrics takes a list of Metric or a mapping of name to value")
        self._metrics = items

    @property
    def metrics(self) -> list[Metric]:
        """The metrics, in the order given."""
        return list(self._metrics)

    @property
    def entity_type(self) -> str:
        """What the record holds, as Scouter's `EntityType` names it."""
        return "Metric"

    def to_record(self) -> dict[str, Any]:
        """The row the logger writes: a column per metric."""
        return _unique({m.name: m.value for m in self._metrics}, [m.name for m in self._metrics])

    def __repr__(self) -> str:
        return f"Metrics({self.to_record()!r})"


class FeatureMixin:
    """For a pydantic request model: `to_features()` gives its fields as `Features`, as
    Scouter's `FeatureMixin` does."""

    def to_features(self) -> Features:
        """The model's fields as features."""
        dump = getattr(self, "model_dump", None)
        if dump is None:
            raise DataError("FeatureMixin needs a pydantic model (model_dump)")
        return Features(dump())


def _unique(record: dict[str, Any], names: list[str]) -> dict[str, Any]:
    if len(record) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise DataError(f"a record names {repeated} more than once")
    return record
