"""Lazy scans of parquet, CSV and NDJSON files, and the window filter pushed into them."""

from __future__ import annotations

import csv
import glob
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from scouter_flows.errors import ConfigError, DataError, ScouterFlowsError, first_line
from scouter_flows.window import Window

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


def scan_files(
    path: str | Path | Sequence[str | Path],
    *,
    file_format: FileFormat | None = None,
    storage_options: Mapping[str, str] | None = None,
    hive_partitioning: bool | None = None,
    check_headers: bool = True,
) -> pl.LazyFrame:
    """Lazily scan one file, a list of files, or every file a glob matches.

    Local paths, and `s3://`, `gs://`, `az://` (or any URL Polars reads) with
    `storage_options` passed through to Polars as they are. With `hive_partitioning`, parquet
    paths laid out as `key=value/...` gain the keys as columns (Polars infers that for a
    folder, not for a glob). Local CSV headers are read first (a name given twice is
    refused) unless `check_headers` is off because the caller has read them.

    Raises:
        DataError: no file exists at a local path, a local glob matches nothing, or a CSV
            header names a column twice.
        ConfigError: the format cannot be told from the suffix.
    """
    paths = (
        [str(p) for p in path]
        if isinstance(path, Sequence) and not isinstance(path, str)
        else [str(path)]
    )
    if not paths:
        raise DataError("no paths given: expected a file, a list of files or a glob")
    for text in paths:
        if "://" not in text:
            _check_local(text)
    fmt = file_format or detect_format(paths[0])
    if fmt == "csv" and check_headers:
        for text in paths:
            if "://" not in text:
                for match in _local_matches(text):
                    _csv_header(match)
    options = dict(storage_options) if storage_options else None
    target: str | list[str] = paths[0] if len(paths) == 1 else paths
    if fmt == "parquet":
        return pl.scan_parquet(target, storage_options=options, hive_partitioning=hive_partitioning)
    if fmt == "csv":
        return pl.scan_csv(target, try_parse_dates=True, storage_options=options)
    return pl.scan_ndjson(target, storage_options=options)


_HIVE_SEGMENT = re.compile(r"(^|/)[^/=*?]+=[^/]+/")


def _check_local(text: str) -> None:
    matches = glob.glob(text) if glob.has_magic(text) else [text] if Path(text).exists() else []
    if not matches:
        what = "no file matches the glob" if glob.has_magic(text) else "file not found"
        raise DataError(f"{what}: {text}")


DEFAULT_TIMESTAMP = "timestamp"
LOGGED_AT = "logged_at"
"""The column `InferenceLogger` and `monitor_batch` stamp rows with."""


def timestamp_column_of(schema: pl.Schema, timestamp_column: str) -> str:
    """The column that timestamps rows: `timestamp_column`, or, when that is the default
    `timestamp` and absent, the logger's `logged_at`, so logged files monitor as they are.

    Example:
        >>> timestamp_column_of(pl.Schema({"logged_at": pl.Datetime("us", "UTC")}), "timestamp")
        'logged_at'

    Raises:
        DataError: neither column is there.
    """
    if timestamp_column in schema:
        return timestamp_column
    if timestamp_column == DEFAULT_TIMESTAMP and LOGGED_AT in schema:
        return LOGGED_AT
    also = (
        f" (nor {LOGGED_AT!r}, which the logger writes)"
        if timestamp_column == DEFAULT_TIMESTAMP
        else ""
    )
    raise DataError(
        f"timestamp column {timestamp_column!r} not found{also}; columns are "
        f"{list(schema.names())}; name the column with timestamp_column="
    )


def filter_window(lf: pl.LazyFrame, window: Window, timestamp_column: str) -> pl.LazyFrame:
    """Keep rows with `window.start <= timestamp < window.end`; the filter stays lazy.

    `timestamp_column` as `timestamp_column_of` resolves it.

    Raises:
        DataError: the timestamp column is missing, not a datetime, or has no time zone.
    """
    schema = lf.collect_schema()
    timestamp_column = timestamp_column_of(schema, timestamp_column)
    dtype = schema[timestamp_column]
    if dtype == pl.String:  # NDJSON and SQLite keep times as ISO-8601 text
        lf = _parse_zoned_text(lf, timestamp_column)
        dtype = lf.collect_schema()[timestamp_column]
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


_ZONED = r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$"  # a time, then its zone


def _parse_zoned_text(lf: pl.LazyFrame, column: str) -> pl.LazyFrame:
    """ISO-8601 text with a zone as UTC datetimes; text without one is refused, not guessed."""
    text = pl.col(column)
    sample = lf.select(text.drop_nulls().head(1000)).collect()[column]
    naive = sample.filter(~sample.str.contains(_ZONED))
    if not naive.is_empty():
        raise DataError(
            f"timestamp column {column!r} holds text without a time zone (for example "
            f"{naive[0]!r}); write UTC times with an offset such as +00:00"
        )
    return lf.with_columns(text.str.to_datetime(time_unit="us", time_zone="UTC"))


class FileSource(BaseModel):
    """Inference logs in files: a path or glob plus the column that timestamps each row.

    Small and JSON-able, so it can be a flow parameter or cross an XCom.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str | list[str] = Field(
        description="File path, glob or URL (parquet, CSV or NDJSON), or a list of them (as a "
        "partition of a window lists its files)."
    )
    timestamp_column: str = Field(
        default=DEFAULT_TIMESTAMP,
        description="UTC timestamp of each row; the default falls back to the logger's "
        "`logged_at` when the files have no `timestamp`.",
    )
    file_format: FileFormat | None = Field(default=None, description="Default: from the suffix.")
    storage_options: dict[str, str] | None = Field(
        default=None,
        description="Passed to Polars for object storage (region, endpoint, ...); prefer the "
        "environment's credentials to keys written here.",
    )
    partition_column: str = Field(
        default="date",
        description="Hive partition key holding each file's date (`date=2026-11-21/...`); "
        "partitions outside the window are never opened.",
    )

    def scan(self, window: Window) -> pl.LazyFrame:
        """The rows of `window`, lazily; date partitions outside it are never opened.

        Local files of the window are checked first (parquet footers, CSV headers), so a bad
        file is named before anything is computed.

        Raises:
            DataError: no file matches, or a file of the window is unreadable or has a header
                unlike the first one's.
        """
        given = self.paths()
        fmt = self.file_format or detect_format(given[0])
        hive = any(_HIVE_SEGMENT.search(p) for p in given) or None
        paths: str | list[str] = given[0] if len(given) == 1 else given
        checked = False
        if not any("://" in p for p in given):
            every = [f for p in given for f in _local_matches(p)]
            kept = [f for f in every if _in_window(f, self.partition_column, window)]
            _check_readable(kept, fmt)
            checked = True  # `_check_readable` read the headers of the window's files
            if not kept:  # nothing in the window: the schema of any file, no rows
                return filter_window(
                    scan_files(every[0], file_format=fmt, hive_partitioning=hive).clear(),
                    window,
                    self.timestamp_column,
                )
            paths = kept
        lf = scan_files(
            paths,
            file_format=fmt,
            storage_options=self.storage_options,
            hive_partitioning=hive,
            check_headers=not checked,
        )
        if isinstance(lf.collect_schema().get(self.partition_column), pl.Date):
            last = (window.end - timedelta(microseconds=1)).date()
            day = pl.col(self.partition_column)
            lf = lf.filter((day >= window.start.date()) & (day <= last))
        return filter_window(lf, window, self.timestamp_column)

    @contextmanager
    def reading(self, window: Window) -> Iterator[None]:
        """Name the file when Polars fails to decode one while the window is computed (a
        parquet file whose footer is sound but whose pages are corrupt is only found then).

        Raises:
            DataError: the file that cannot be read (or the source, when no single local
                file is to blame), with Polars' reason.
        """
        try:
            yield
        except pl.exceptions.ComputeError as exc:
            reason = first_line(exc)
            culprit = self._unreadable(window)
            raise DataError(f"{culprit or self.path}: cannot be read ({reason})") from None

    def _unreadable(self, window: Window) -> str | None:
        """The first local file of the window that fails a full read, if one does."""
        try:
            files = self.window_files(window)
        except ScouterFlowsError:
            return None
        fmt = (self.file_format or detect_format(files[0])) if files else None
        for file in files:
            try:
                scan_files(file, file_format=fmt).collect()
            except pl.exceptions.PolarsError:
                return file
        return None

    def paths(self) -> list[str]:
        """`path` as a non-empty list."""
        given = [self.path] if isinstance(self.path, str) else list(self.path)
        if not given:
            raise ConfigError("a file source needs at least one path")
        return given

    def window_files(self, window: Window) -> list[str]:
        """The local files that may hold rows of `window` (date partitions outside it left
        out), sorted; what a by-file partitioning of the window splits.

        Raises:
            ConfigError: a path is a URL (list its objects yourself, or partition by hash).
            DataError: no file matches.
        """
        remote = [p for p in self.paths() if "://" in p]
        if remote:
            raise ConfigError(
                f"{remote[0]}: files of object storage are not listed here; pass the list of "
                "files as `path`, or partition the window by row hash"
            )
        every = [f for p in self.paths() for f in _local_matches(p)]
        return [f for f in every if _in_window(f, self.partition_column, window)]


def _local_matches(text: str) -> list[str]:
    _check_local(text)
    return sorted(glob.glob(text)) if glob.has_magic(text) else [text]


def _in_window(path: str, key: str, window: Window) -> bool:
    """False only for a file under `key=YYYY-MM-DD/` whose day lies outside the window."""
    found = re.search(rf"(?:^|/){re.escape(key)}=(\d{{4}}-\d{{2}}-\d{{2}})/", path)
    if not found:
        return True
    day = date.fromisoformat(found.group(1))
    return window.start.date() <= day <= (window.end - timedelta(microseconds=1)).date()


def _check_readable(paths: list[str], fmt: FileFormat) -> None:
    if fmt == "parquet":
        for path in paths:
            try:
                pl.read_parquet_schema(path)
            except Exception as exc:  # Polars names neither the file nor a stable error type
                reason = first_line(exc)
                raise DataError(f"{path}: not a readable parquet file ({reason})") from None
    elif fmt == "csv" and paths:
        expected = _csv_header(paths[0])
        for path in paths[1:]:
            header = _csv_header(path)
            if header != expected:
                raise DataError(
                    f"{path}: CSV header {header} differs from {expected} in {paths[0]}"
                )


def _csv_header(path: str) -> list[str]:
    """The header of a local CSV file; a name given twice is refused (Polars would rename
    the second copy and the column would silently go unmonitored)."""
    with open(path, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle), [])
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        names = ", ".join(map(repr, repeated))
        raise DataError(f"{path}: the CSV header names {names} more than once")
    return header
