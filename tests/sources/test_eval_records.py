"""Eval records read alike from NDJSON, parquet, SQL and frames; bad contexts are named."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from scouter_flows import DataError, FileSource, Window
from scouter_flows.sources.eval_records import read_eval_records
from scouter_flows.sources.sql import SqlSource
from tests.support import write_sqlite_table

AT = datetime(2026, 11, 21, 9, tzinfo=UTC)
WINDOW = Window(AT - timedelta(hours=9), AT + timedelta(hours=15))
RECORDS = [
    {"id": "q1", "context": {"question": "2+2?", "answer": "4"}, "trace_id": "ab" * 16},
    {"id": "q2", "context": {"question": "capital of France?", "answer": "Paris"}},
]


def test_ndjson_parquet_sqlite_and_frames_read_alike(tmp_path: Path) -> None:
    rows = [
        {**r, "created_at": (AT + timedelta(minutes=i)).isoformat()} for i, r in enumerate(RECORDS)
    ]
    (tmp_path / "records.ndjson").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    flat = pl.DataFrame(
        {
            "id": ["q1", "q2"],
            "context": [json.dumps(r["context"]) for r in RECORDS],
            "trace_id": ["ab" * 16, None],
            "created_at": [AT, AT + timedelta(minutes=1)],
        }
    )
    flat.write_parquet(tmp_path / "records.parquet")
    as_text = flat.with_columns(pl.col("created_at").dt.to_string("%Y-%m-%dT%H:%M:%S+00:00"))
    write_sqlite_table(tmp_path / "r.db", "records", as_text)
    ndjson = read_eval_records(
        FileSource(path=str(tmp_path / "records.ndjson"), timestamp_column="created_at"), WINDOW
    )
    parquet = read_eval_records(
        FileSource(path=str(tmp_path / "records.parquet"), timestamp_column="created_at"), WINDOW
    )
    sql = read_eval_records(
        SqlSource(
            url=f"sqlite:///{tmp_path / 'r.db'}", table="records", timestamp_column="created_at"
        ),
        WINDOW,
    )
    frame = read_eval_records(flat, WINDOW)
    for other in (parquet, sql, frame):
        assert other.equals(ndjson)
    assert json.loads(ndjson["context"][1]) == RECORDS[1]["context"]
    assert ndjson["trace_id"].to_list() == ["ab" * 16, None]


def test_records_without_ids_get_stable_ones() -> None:
    frame = pl.DataFrame({"context": [json.dumps({"q": 1}), json.dumps({"q": 2})]})
    first, again = read_eval_records(frame), read_eval_records(frame)
    assert first["id"].to_list() == again["id"].to_list()
    assert first["id"].n_unique() == 2


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pl.DataFrame({"id": ["a"], "question": ["x"]}), "need a 'context' column"),
        (
            pl.DataFrame({"id": ["a"], "context": ["[1, 2]"]}),
            "record 'a': context must be a JSON object",
        ),
        (pl.DataFrame({"context": ["{not json"]}), "row 0: context is not JSON"),
        (pl.DataFrame({"id": ["a"], "context": [3]}), "dtype Int64: expected JSON objects"),
    ],
)
def test_bad_records_are_named(frame: pl.DataFrame, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_eval_records(frame)
