"""The sizes the store's columns hold, checked where configs, profiles and records are built.

Postgres enforces `VARCHAR(n)` and refuses NUL characters; SQLite enforces neither. Checking
here, before anything is written, makes both backends accept and refuse the same input, with a
message that names the field and the limit instead of a driver error half-way through a write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

SPACE = 255
NAME = 255
VERSION = 64
FEATURE = 255
"""A feature, metric or other alert entity."""
RECORD_ID = 255
TASK_ID = 255
TRACE_ID = 64
SPAN_ID = 32
SPAN_NAME = 512
SERVICE_NAME = 255
DESTINATION = 255
DEDUP_KEY = 512
"""The store's column and OpsGenie's alias; longer keys end in a digest of the whole."""
STORED_VALUE = 65_536
"""Bytes of a task's actual value (JSON) the store keeps per record; a longer one is stored as
`{"truncated": true, "bytes": N, "head": "<its first TRUNCATED_HEAD characters>"}`."""
TRUNCATED_HEAD = 1_024


def check_text(value: str, limit: int, field: str) -> str:
    """`value` unchanged, or a `ValueError` naming `field` when it is longer than `limit`
    characters or holds a NUL character (which Postgres cannot store).

    Example:
        >>> check_text("age", FEATURE, "feature")
        'age'
    """
    if len(value) > limit:
        raise ValueError(
            f"{field} {value[:32]!r}... is {len(value)} characters long; the store holds at "
            f"most {limit}"
        )
    if "\x00" in value:
        raise ValueError(f"{field} {value!r} contains a NUL character, which cannot be stored")
    return value


def check_texts(values: Iterable[str], limit: int, field: str) -> None:
    """`check_text` on each of `values`."""
    for value in values:
        check_text(value, limit, field)


def check_frame_text(frame: pl.DataFrame, limits: Mapping[str, int], what: str) -> None:
    """Check the string columns of `frame` named in `limits`, naming `what`, the column, the
    first offending row and the limit.

    Raises:
        DataError: a value is too long or holds a NUL character.
    """
    import polars as pl

    from scouter_flows.errors import DataError

    for column, limit in limits.items():
        if column not in frame.columns or frame.schema[column] != pl.String:
            continue
        values = frame.get_column(column)
        bad = (values.str.len_chars() > limit) | values.str.contains("\x00", literal=True)
        if bad.any():
            row = int(bad.arg_true()[0])
            try:
                check_text(str(values[row]), limit, f"{what}: column {column!r} row {row}:")
            except ValueError as exc:
                raise DataError(str(exc)) from None
