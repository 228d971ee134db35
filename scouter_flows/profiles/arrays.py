"""Read-only numpy arrays as pydantic fields: no per-element validation, JSON as lists.

Long series (an SPC window holds one mean per subgroup, 40,000 for a million rows) would cost
more to validate and box as Python floats than to compute.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import numpy as np
from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from scouter_flows.profiles.base import FrozenModel


def _array_of(dtype: type[np.generic]) -> Callable[[Any], np.ndarray]:
    kind = np.dtype(dtype).kind

    def validate(value: Any) -> np.ndarray:
        array = np.asarray(value)
        if array.dtype.kind != kind or (array.size == 0 and array.dtype != dtype):
            array = array.astype(dtype)  # narrower integers (zones are int8) are kept as given
        if array.ndim != 1:
            raise ValueError(f"expected a one-dimensional array, got shape {array.shape}")
        view = array.view()  # never freeze the caller's own array
        view.flags.writeable = False
        return view

    return validate


def _as_list(array: np.ndarray) -> list[Any]:
    result: list[Any] = array.tolist()
    return result


FloatArray = Annotated[
    np.ndarray,
    PlainValidator(_array_of(np.float64)),
    PlainSerializer(_as_list, return_type=list[float]),
    WithJsonSchema({"type": "array", "items": {"type": "number"}}),
]
"""A read-only float64 vector; serialised as a list of numbers (NaN as null in JSON)."""

IntArray = Annotated[
    np.ndarray,
    PlainValidator(_array_of(np.int64)),
    PlainSerializer(_as_list, return_type=list[int]),
    WithJsonSchema({"type": "array", "items": {"type": "integer"}}),
]
"""A read-only integer vector (int64 unless given narrower); serialised as a list of integers."""


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and _same_array(a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    equal_nan = a.dtype.kind == "f" and b.dtype.kind == "f"
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=equal_nan))


class ArrayModel(FrozenModel):
    """A frozen model with array fields: equal when every field is (NaN equals NaN)."""

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(_same(getattr(self, k), getattr(other, k)) for k in type(self).model_fields)
