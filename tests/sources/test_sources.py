"""File scans, window filters pushed into the scan, and clear errors for bad input."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from scouter_flows import ConfigError, DataError, FileSource, Window, scan_files
from scouter_flows.sources.sample import SampleData


def test_window_is_half_open_utc(sample_data: SampleData) -> None:
    start, end = sample_data.day_window(1)
    rows = FileSource(path=sample_data.logs_glob).scan(Window(start, end)).collect()
    assert rows.height == 5000
    assert rows["timestamp"].min() == start
    assert rows["timestamp"].max() < end


def test_window_filter_is_pushed_into_the_parquet_scan(sample_data: SampleData) -> None:
    window = Window(*sample_data.day_window(1))
    plan = FileSource(path=sample_data.logs_glob).scan(window).select("income").explain()
    scan = plan[plan.index("Parquet SCAN") :]
    # The predicate and the projection sit inside the scan node: no FILTER above it, and the
    # scan reads only the two columns it needs.
    assert "FILTER" not in plan
    # (Polars 1.x prints the bound before folding its time zone: same predicate, other text.)
    assert re.search(r'SELECTION: .*col\("timestamp"\)\)? >= \(?2026-11-20 00:00:00', scan)
    assert "PROJECT 2/9 COLUMNS" in scan


def test_window_parsing_and_validation() -> None:
    window = Window.parse("2026-11-21T00:00:00Z", "2026-11-22T01:00:00+01:00")
    assert window.end == datetime(2026, 11, 22, tzinfo=UTC)
    assert Window.ending_at(window.end, timedelta(hours=6)).start == datetime(
        2026, 11, 21, 18, tzinfo=UTC
    )
    with pytest.raises(ConfigError, match="must be before end"):
        Window.parse("2026-11-22T00:00:00Z", "2026-11-22T00:00:00Z")
    with pytest.raises(ConfigError, match="has no time zone"):
        Window.parse("2026-11-21T00:00:00", "2026-11-22T00:00:00Z")
    with pytest.raises(ConfigError, match="not an ISO-8601"):
        Window.parse("yesterday", "2026-11-22T00:00:00Z")
    localised = Window.parse(
        "2026-11-21T00:00:00", "2026-11-22T00:00:00", assume_tz="Europe/Berlin"
    )
    assert localised.start == datetime(2026, 11, 20, 23, tzinfo=UTC)


def test_missing_file_and_empty_glob(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=f"file not found: {tmp_path}/none.parquet"):
        scan_files(tmp_path / "none.parquet")
    with pytest.raises(DataError, match="no file matches the glob"):
        scan_files(str(tmp_path / "*.parquet"))


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "logs.xlsx"
    path.write_text("")
    with pytest.raises(ConfigError, match="cannot tell the file format"):
        scan_files(path)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pl.DataFrame({"x": [1.0]}), "timestamp column 'timestamp' not found"),
        (pl.DataFrame({"timestamp": ["2026-11-21"]}), "holds text without a time zone"),
        (pl.DataFrame({"timestamp": [1.5]}), "has dtype Float64, expected Datetime"),
        (pl.DataFrame({"timestamp": [datetime(2026, 11, 21)]}), "has no time zone"),
    ],
)
def test_bad_timestamp_columns(tmp_path: Path, frame: pl.DataFrame, message: str) -> None:
    path = tmp_path / "logs.parquet"
    frame.write_parquet(path)
    window = Window.parse("2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z")
    with pytest.raises(DataError, match=message):
        FileSource(path=str(path)).scan(window)


def test_csv_and_ndjson_read_the_same_rows(tmp_path: Path, sample_data: SampleData) -> None:
    window = Window(*sample_data.day_window(0))
    expected = FileSource(path=sample_data.logs_glob).scan(window).collect()
    expected.write_csv(tmp_path / "logs.csv")
    expected.write_ndjson(tmp_path / "logs.ndjson")
    for name in ("logs.csv", "logs.ndjson"):
        got = scan_files(tmp_path / name).collect()
        assert got.height == expected.height
        assert got["income"].to_list() == pytest.approx(expected["income"].to_list())


def test_date_partitions_outside_the_window_are_never_opened(tmp_path: Path) -> None:
    start = datetime(2026, 11, 20, tzinfo=UTC)
    for day in range(3):
        folder = tmp_path / f"date={(start + timedelta(days=day)).date()}"
        folder.mkdir()
        if day == 2:  # unreadable: the scan fails if it ever opens this partition
            (folder / "part-0.parquet").write_bytes(b"not parquet at all")
            continue
        stamps = [start + timedelta(days=day, hours=h) for h in range(24)]
        pl.DataFrame({"timestamp": stamps, "x": [float(day)] * 24}).write_parquet(
            folder / "part-0.parquet"
        )
    source = FileSource(path=str(tmp_path / "date=*" / "*.parquet"))
    rows = source.scan(Window(start + timedelta(days=1), start + timedelta(days=2))).collect()
    assert rows.height == 24
    assert rows["x"].unique().to_list() == [1.0]
    with pytest.raises(DataError, match=r"date=2026-11-22/part-0.parquet: not a readable parquet"):
        source.scan(Window(start, start + timedelta(days=3)))
    empty = source.scan(Window(start - timedelta(days=9), start - timedelta(days=8))).collect()
    assert (empty.height, empty.columns) == (0, ["timestamp", "x", "date"])


def test_csv_files_with_another_header_are_named(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("timestamp,x\n2026-11-21T01:00:00+00:00,1.0\n")
    (tmp_path / "b.csv").write_text("timestamp,y\n2026-11-21T02:00:00+00:00,2.0\n")
    source = FileSource(path=str(tmp_path / "*.csv"))
    with pytest.raises(DataError, match=r"b.csv: CSV header \['timestamp', 'y'\] differs"):
        source.scan(Window.parse("2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z"))


def test_lists_of_files(tmp_path: Path) -> None:
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"part-{i}.parquet")
        pl.DataFrame({"x": [float(i)] * 5}).write_parquet(paths[-1])
    assert scan_files(paths).collect().height == 15
    with pytest.raises(DataError, match="file not found"):
        scan_files([paths[0], tmp_path / "gone.parquet"])


def test_object_storage_urls_and_options_go_to_polars_as_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, object] = {}

    def scan_parquet(source: object, **kwargs: object) -> pl.LazyFrame:
        seen.update(source=source, **kwargs)
        return pl.LazyFrame({"timestamp": [datetime(2026, 11, 21, tzinfo=UTC)]})

    monkeypatch.setattr(pl, "scan_parquet", scan_parquet)
    options = {"aws_region": "eu-west-1", "aws_endpoint_url": "http://127.0.0.1:9000"}
    source = FileSource(path="s3://logs/credit/date=*/*.parquet", storage_options=options)
    source.scan(Window.parse("2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z"))
    assert seen == {
        "source": "s3://logs/credit/date=*/*.parquet",
        "storage_options": options,
        "hive_partitioning": True,
    }


def test_the_default_timestamp_falls_back_to_the_loggers_logged_at(tmp_path: Path) -> None:
    day = datetime(2026, 11, 21, tzinfo=UTC)
    path = tmp_path / "logs.parquet"
    pl.DataFrame(
        {
            "logged_at": [day, day + timedelta(days=1)],  # the second row is outside the window
            "x": [1.0, 2.0],
        }
    ).write_parquet(path)
    window = Window(day, day + timedelta(days=1))
    assert FileSource(path=str(path)).scan(window).collect()["x"].to_list() == [1.0]
    # A column named on purpose is never swapped for another.
    with pytest.raises(DataError, match=r"timestamp column 'scored_at' not found; columns are"):
        FileSource(path=str(path), timestamp_column="scored_at").scan(window)


def test_timestamp_wins_over_logged_at_when_both_are_there(tmp_path: Path) -> None:
    day = datetime(2026, 11, 21, tzinfo=UTC)
    path = tmp_path / "logs.parquet"
    pl.DataFrame(
        {"timestamp": [day], "logged_at": [day + timedelta(days=3)], "x": [1.0]}
    ).write_parquet(path)
    rows = FileSource(path=str(path)).scan(Window(day, day + timedelta(days=1))).collect()
    assert rows["x"].to_list() == [1.0]


def test_a_missing_default_timestamp_names_both_columns(tmp_path: Path) -> None:
    path = tmp_path / "logs.parquet"
    pl.DataFrame({"x": [1.0]}).write_parquet(path)
    window = Window.parse("2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z")
    with pytest.raises(
        DataError, match=r"nor 'logged_at', which the logger writes\); columns are \['x'\]"
    ):
        FileSource(path=str(path)).scan(window)
