"""Turn whatever a user holds into one `pl.LazyFrame`, without collecting it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel

from scouter_flows.errors import DataError
from scouter_flows.sources.files import scan_files

DataLike = Any
"""Polars/pandas frames, pyarrow tables, 2-D numpy arrays, a mapping of column to values, lists
of dicts or pydantic models, or a path/glob to parquet, CSV or NDJSON files."""


def to_lazyframe(data: DataLike) -> pl.LazyFrame:
    """Return `data` as a LazyFrame; numpy columns are named `feature_0`, `feature_1`, ...

    Raises:
        DataError: the type is not supported, a column name repeats, or a path matches nothing.
    """
    if isinstance(data, pl.LazyFrame):
        return data
    if isinstance(data, pl.DataFrame):
        return data.lazy()
    if isinstance(data, str | Path):
        return scan_files(data)
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        _check_unique_names([str(c) for c in data.columns], "pandas DataFrame")
        return pl.from_pandas(data).lazy()
    if module == "pyarrow":
        _check_unique_names(list(data.column_names), "pyarrow Table")
        return pl.from_arrow(data).lazy()  # type: ignore[union-attr]
    if module == "numpy":
        return _from_numpy(data)
    if isinstance(data, Mapping):
        if not data:
            raise DataError("data is an empty mapping: expected columns of values")
        return pl.DataFrame(dict(data)).lazy()
    if isinstance(data, Sequence) and data and all(isinstance(r, BaseModel) for r in data):
        return pl.DataFrame([r.model_dump() for r in data]).lazy()
    if isinstance(data, Sequence) and data and all(isinstance(r, Mapping) for r in data):
        return pl.DataFrame(list(data), infer_schema_length=None).lazy()
    if isinstance(data, Sequence) and not data:
        raise DataError("data is an empty list: expected at least one record")
    raise DataError(
        f"unsupported data type {type(data).__module__}.{type(data).__qualname__}: expected a "
        "Polars DataFrame/LazyFrame, pandas DataFrame, pyarrow Table, 2-D numpy array, a mapping "
        "of column to values, a list of dicts or pydantic models, or a path/glob to parquet, CSV "
        "or NDJSON files"
    )


def require_columns(schema: pl.Schema, names: list[str], what: str) -> None:
    """Fail, naming the first missing column and the columns there are, unless all exist.

    Raises:
        DataError: a column in `names` is not in `schema`.
    """
    missing = [n for n in names if n not in schema]
    if missing:
        raise DataError(
            f"{what} has no column {missing[0]!r}"
            + (f" (nor {missing[1:]})" if len(missing) > 1 else "")
            + f"; columns are {list(schema.names())}"
        )


def _from_numpy(array: Any) -> pl.LazyFrame:
    if array.ndim != 2:
        raise DataError(f"numpy input must be 2-D (rows x features), got shape {array.shape}")
    names = [f"feature_{i}" for i in range(array.shape[1])]
    # Polars copies a row-major array into columns once here; scanning it column-wise later would
    # be several times slower.
    return pl.from_numpy(array, schema=names, orient="row").lazy()


def _check_unique_names(names: list[str], what: str) -> None:
    repeated = sorted(n for n, k in Counter(names).items() if k > 1)
    if repeated:
        raise DataError(f"{what} has duplicate column names: {repeated}")
