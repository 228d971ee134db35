"""The same logs from parquet, CSV, NDJSON, a hive folder, a Postgres table (ADBC), SQLite and
a pandas frame give the same drift for the same window; the SQL carries the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from scouter_flows import DataError, Drifter, FileSource, PsiDriftConfig, Window, to_lazyframe
from scouter_flows.drift.psi import compute_psi_drift
from scouter_flows.sources.files import filter_window
from scouter_flows.sources.sql import SqlSource
from scouter_flows.sqla import POSTGRES_DRIVER
from tests.support import RESET_POSTGRES, run_sql, write_sqlite_table

START = datetime(2026, 11, 20, tzinfo=UTC)
WINDOW = Window(START + timedelta(days=1), START + timedelta(days=2))


def _logs() -> pl.DataFrame:
    rng = np.random.default_rng(4)
    rows = 3 * 2000
    return pl.DataFrame(
        {
            "timestamp": [START + timedelta(seconds=43.2 * i) for i in range(rows)],
            "income": rng.lognormal(10, 0.5, rows).round(2),
            "age": rng.integers(18, 90, rows),
            "segment": rng.choice(["retail", "sme", "corporate"], rows),
        }
    )


def test_every_source_gives_the_same_drift(tmp_path: Path, postgres_url: str) -> None:
    logs = _logs()
    profile = Drifter().create_drift_profile(
        logs.drop("timestamp").head(2000), PsiDriftConfig(space="s", name="n")
    )
    logs.write_parquet(tmp_path / "logs.parquet")
    logs.write_csv(tmp_path / "logs.csv")
    logs.write_ndjson(tmp_path / "logs.ndjson")
    for (day,), part in logs.group_by(pl.col("timestamp").dt.date(), maintain_order=True):
        (tmp_path / "hive" / f"date={day}").mkdir(parents=True)
        part.write_parquet(tmp_path / "hive" / f"date={day}" / "part-0.parquet")
    run_sql(postgres_url, RESET_POSTGRES)
    adbc_url = postgres_url.replace(f"postgresql+{POSTGRES_DRIVER}://", "postgresql://")
    logs.write_database("inference_log_rows", adbc_url, engine="adbc")
    sqlite_url = f"sqlite:///{tmp_path / 'logs.db'}"
    as_text = logs.with_columns(pl.col("timestamp").dt.to_string("%Y-%m-%dT%H:%M:%S%.f+00:00"))
    write_sqlite_table(tmp_path / "logs.db", "logs", as_text)

    scans = {
        "parquet": FileSource(path=str(tmp_path / "logs.parquet")).scan(WINDOW),
        "csv": FileSource(path=str(tmp_path / "logs.csv")).scan(WINDOW),
        "ndjson": FileSource(path=str(tmp_path / "logs.ndjson")).scan(WINDOW),
        "hive": FileSource(path=str(tmp_path / "hive" / "date=*" / "*.parquet")).scan(WINDOW),
        "postgres": SqlSource(url=postgres_url, table="inference_log_rows").scan(
            WINDOW, ["income", "age", "segment"]
        ),
        "sqlite": SqlSource(url=sqlite_url, query="SELECT * FROM logs").scan(WINDOW),
        "pandas": filter_window(to_lazyframe(logs.to_pandas()), WINDOW, "timestamp"),
    }
    expected = compute_psi_drift(scans.pop("parquet"), profile)
    assert expected.rows == 2000
    for name, scan in scans.items():
        got = compute_psi_drift(scan.with_columns(pl.col("age").cast(pl.Int64)), profile)
        assert got == expected, name


def test_the_window_is_in_the_sql_sent() -> None:
    source = SqlSource(url="postgresql://monitor:secret@db/logs", table="ml.scores")
    statement = source.sql(WINDOW, ["income"])
    assert statement == (
        'SELECT "income", "timestamp" FROM "ml"."scores" AS src WHERE "timestamp" >= '
        "'2026-11-21T00:00:00+00:00' AND \"timestamp\" < '2026-11-22T00:00:00+00:00'"
    )
    assert "secret" not in repr(source)


def test_bad_sql_sources(postgres_url: str) -> None:
    with pytest.raises(ValueError, match="exactly one of table or query"):
        SqlSource(url="sqlite://", table="a", query="SELECT 1")
    with pytest.raises(ValueError, match="not a plain"):
        SqlSource(url="sqlite://", table="a; DROP TABLE b")
    wrong = postgres_url.replace("postgres@", "postgres:hunter2@").rsplit("/", 1)[0] + "/nope"
    shown = r"cannot read postgresql(\+psycopg2?)?://postgres:\*\*\*@.*does not exist"
    with pytest.raises(DataError, match=shown) as caught:
        SqlSource(url=wrong, table="t").scan(WINDOW)
    assert "hunter2" not in str(caught.value)


def test_timestamps_as_text_without_a_zone_are_refused(tmp_path: Path) -> None:
    (tmp_path / "logs.ndjson").write_text('{"timestamp": "2026-11-21T01:00:00", "x": 1}\n')
    with pytest.raises(DataError, match="holds text without a time zone"):
        FileSource(path=str(tmp_path / "logs.ndjson")).scan(WINDOW)
