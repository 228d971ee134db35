"""Lazy scans of parquet, CSV and NDJSON files, and the window filter pushed into them."""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from scouter_flows.errors import ConfigError, DataError
from scouter_flows.sources.window import Window

FileFormat = Literal["parquet", "csv", "ndjson"]
_SUFFIXES: dict[str, FileFormat] = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}


def detect_format(path: str | Path) -> FileFormat:
    """The file format implied by the path's suffix."""
    suffix = Path(str(path)).suffix.lower()
    try:
        return _SUFFIXES[suffix]
    except KeyError:
        raise ConfigError(
            f"{path}: cannot tell the file format from the suffix {suffix!r}; expected one of "
            f"{sorted(_SUFFIXES)} or pass format='parquet' | 'csv' | 'ndjson'"
        ) from None


def scan_files(path: str | Path, *, file_format: FileFormat | None = None) -> pl.LazyFrame:
    """Lazily scan one file, or every file a glob matches.

    Raises:
        DataError: no file exists at `path`, or the glob matches nothing.
    """
    text = str(path)
    if "://" not in text:
        matches = glob.glob(text) if glob.has_magic(text) else [text] if Path(text).exists() else []
        if not matches:
            what = "no file matches the glob" if glob.has_magic(text) else "file not found"
            raise DataError(f"{what}: {text}")
    fmt = file_format or detect_format(text)
    if fmt == "parquet":
        return pl.scan_parquet(text)
    if fmt == "csv":
        return pl.scan_csv(text, try_parse_dates=True)
    return pl.scan_ndjson(text)


def filter_window(lf: pl.LazyFrame, window: Window, timestamp_column: str) -> pl.LazyFrame:
    """Keep rows with `window.start <= timestamp < window.end`; the filter stays lazy.

    Raises:
        DataError: the timestamp column is missing, not a datetime, or has no time zone.
    """
    schema = lf.collect_schema()
    if timestamp_column not in schema:
        raise DataError(
            f"timestamp column {timestamp_column!r} not found; columns are {list(schema.names())}"
        )
    dtype = schema[timestamp_column]
    if not isinstance(dtype, pl.Datetime):
        raise DataError(
            f"timestamp column {timestamp_column!r} has dtype {dtype}, expected Datetime"
        )
    if dtype.time_zone is None:
        raise DataError(
            f"timestamp column {timestamp_column!r} has no time zone ({dtype}); store UTC "
            "timestamps or convert with .dt.replace_time_zone('UTC')"
        )
    ts = pl.col(timestamp_column)
    return lf.filter((ts >= window.start) & (ts < window.end))


class FileSource(BaseModel):
    """Inference logs in files: a path or glob plus the column that timestamps each row.

    Small and JSON-able, so it can be a flow parameter or cross an XCom.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str = Field(description="File path or glob (parquet, CSV or NDJSON).")
    timestamp_column: str = Field(default="timestamp", description="UTC timestamp of each row.")
    file_format: FileFormat | None = Field(default=None, description="Default: from the suffix.")

    def scan(self, window: Window) -> pl.LazyFrame:
        """The rows of `window`, lazily."""
        return filter_window(
            scan_files(self.path, file_format=self.file_format), window, self.timestamp_column
        )
