"""GenAI eval records (`id`, `context`, optional `trace_id`, a UTC time) from files, SQL or frames.

Every reader returns the same frame: `id` (text), `context` (JSON text of an object),
`trace_id` (text or null) and `created_at` (UTC), so evaluation never cares where records came
from. A record without an id gets a stable one (a hash of its context), so a re-run samples and
stores the same records.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import polars as pl

from scouter_flows.errors import DataError, first_line
from scouter_flows.sources.files import FileSource, filter_window
from scouter_flows.sources.frames import DataLike, to_lazyframe
from scouter_flows.sources.sql import SqlSource
from scouter_flows.window import Window

EVAL_RECORD_SCHEMA: dict[str, Any] = {
    "id": pl.String,
    "context": pl.String,
    "trace_id": pl.String,
    "created_at": pl.Datetime("us", "UTC"),
}


def read_eval_records(
    source: FileSource | SqlSource | DataLike,
    window: Window | None = None,
    *,
    timestamp_column: str = "created_at",
) -> pl.DataFrame:
    """The records of `source` (in `window`, when given) as an `EVAL_RECORD_SCHEMA` frame.

    `context` may be an object column (NDJSON, a struct) or JSON text (parquet, SQL).

    Raises:
        DataError: no `context` column, a context that is not a JSON object (the record's id
            or row is named), or a bad timestamp column.
    """
    if isinstance(source, FileSource | SqlSource):
        if window is None:
            raise DataError("reading eval records from files or SQL needs a window")
        timestamp_column = source.timestamp_column
        if isinstance(source, FileSource):
            with source.reading(window):
                frame = source.scan(window).collect()
        else:
            frame = source.scan(window).collect()
    else:
        lf = to_lazyframe(source)
        if window is not None:
            lf = filter_window(lf, window, timestamp_column)
        try:
            frame = lf.collect()
        except pl.exceptions.ComputeError as exc:
            named = source if isinstance(source, str | Path) else "the eval records"
            reason = first_line(exc)
            raise DataError(f"{named}: cannot be read as eval records ({reason})") from None
    if "context" not in frame.columns:
        raise DataError(f"eval records need a 'context' column; columns are {frame.columns}")
    context = frame["context"]
    if isinstance(context.dtype, pl.Struct):
        texts = context.struct.json_encode().to_list()
    elif context.dtype == pl.String:
        texts = context.to_list()
    else:
        raise DataError(
            f"eval record column 'context' has dtype {context.dtype}: expected JSON objects "
            "(a struct column or JSON text)"
        )
    ids = frame["id"].cast(pl.String).to_list() if "id" in frame.columns else [None] * len(texts)
    checked = [
        _context(text, record_id, row)
        for row, (text, record_id) in enumerate(zip(texts, ids, strict=True))
    ]
    stamps = (
        frame[timestamp_column]
        if timestamp_column in frame.columns
        else pl.Series([None] * frame.height, dtype=pl.Datetime("us", "UTC"))
    )
    traces = frame["trace_id"].cast(pl.String) if "trace_id" in frame.columns else None
    return pl.DataFrame(
        {
            "id": [rid or stable_record_id(text) for rid, text in zip(ids, checked, strict=True)],
            "context": checked,
            "trace_id": traces if traces is not None else [None] * frame.height,
            "created_at": stamps,
        },
        schema=EVAL_RECORD_SCHEMA,
    )


def canonical_context(context: dict[str, Any]) -> str:
    """The JSON text a context is stored and hashed as: sorted keys, no spaces."""
    return json.dumps(context, sort_keys=True, separators=(",", ":"))


def stable_record_id(canonical: str) -> str:
    """The id of a record that has none: a hash of its canonical context, the same every run."""
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _context(text: str | None, record_id: str | None, row: int) -> str:
    where = f"record {record_id!r}" if record_id else f"row {row}"
    if text is None:
        raise DataError(f"eval {where} has no context")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"eval {where}: context is not JSON ({exc.msg})") from None
    if not isinstance(value, dict):
        raise DataError(f"eval {where}: context must be a JSON object, got {type(value).__name__}")
    return canonical_context(value)
