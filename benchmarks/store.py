"""Store write throughput on a real Postgres, against a plain psycopg COPY of the same rows.

Writes 1,000,000 eval-result rows (one eval run) and 1,000,000 inference-log rows through the
`Store`, and the same rows with a plain `COPY ... FROM STDIN` done directly with psycopg into a
table of the same columns and primary key, in the same process. Prints rows/s and our share of
the plain COPY's rate (medians of --repeat runs).

    python benchmarks/store.py --rows 1000000 --repeat 3

Postgres: $SCOUTER_BENCH_PG_URL, else a scratch database created on 127.0.0.1:5432 and
dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import polars as pl
import psycopg

from scouter_flows import Drifter, PsiDriftConfig, Store, Window

WINDOW = Window(datetime(2026, 11, 21, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC))


@contextmanager
def scratch_database() -> Iterator[str]:
    """A Postgres URL for the benchmark (created and dropped unless given)."""
    given = os.environ.get("SCOUTER_BENCH_PG_URL")
    if given:
        yield given
        return
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    name = f"scouter_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def eval_rows(rows: int) -> pl.DataFrame:
    """`rows` eval results: 200,000 records x 5 tasks at 1M rows."""
    tasks = 5
    records = rows // tasks
    index = pl.int_range(records * tasks)
    return pl.select(
        record_id=pl.concat_str(pl.lit("rec-"), (index // tasks).cast(pl.String).str.zfill(8)),
        task_id=pl.concat_str(pl.lit("task-"), (index % tasks).cast(pl.String)),
        status=pl.when(index % 17 == 0).then(pl.lit("fail")).otherwise(pl.lit("pass")),
        value=pl.concat_str(pl.lit('{"score": '), (index % 100).cast(pl.String), pl.lit("}")),
        message=pl.lit(None, pl.String),
    )


def log_rows(rows: int, features: int = 10) -> pl.DataFrame:
    """`rows` inference-log rows over one day, `features` float features each."""
    rng = np.random.default_rng(0)
    start = WINDOW.start
    step = (WINDOW.end - WINDOW.start) / rows
    return pl.DataFrame(
        {
            "logged_at": pl.datetime_range(
                start, start + step * (rows - 1), step, time_zone="UTC", eager=True
            ),
            "record_id": pl.int_range(rows, eager=True).cast(pl.String),
            **{f"f{i}": rng.normal(size=rows) for i in range(features)},
        }
    )


def median_seconds(fn: Callable[[], Any], reset: Callable[[], None], repeat: int) -> float:
    """Median wall time of `fn` over `repeat` runs, `reset` (untimed) before each."""
    times = []
    for _ in range(repeat):
        reset()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def plain_copy(url: str, table: str, frame: pl.DataFrame) -> None:
    """COPY `frame` into `table` with psycopg: the CSV Polars writes, streamed in one COPY."""
    names = ", ".join(frame.columns)
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy:
            for chunk in frame.iter_slices(200_000):
                copy.write(chunk.write_csv(include_header=False, null_value=""))
        conn.commit()


def execute(url: str, sql: str) -> None:
    """Run `sql` and commit."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with scratch_database() as url:
        store = Store(url, auto_upgrade=True)
        profile = Drifter().create_drift_profile(
            pl.DataFrame({"x": np.arange(1000.0)}), PsiDriftConfig(space="bench", name="eval")
        )
        profile_id = store.register_profile(profile)
        results = eval_rows(args.rows)
        logs = log_rows(args.rows)
        encoded = logs.select(
            pl.lit("bench").alias("space"),
            pl.lit("model").alias("name"),
            "logged_at",
            "record_id",
            pl.struct(c for c in logs.columns if c.startswith("f"))
            .struct.json_encode()
            .alias("features"),
        )
        execute(
            url,
            "CREATE TABLE plain_eval_results (LIKE eval_results INCLUDING ALL);"
            "CREATE TABLE plain_inference_logs (LIKE inference_logs INCLUDING ALL)",
        )
        plain_results = results.with_columns(run_id=pl.lit(1, pl.Int64))

        figures = {
            "eval results": (
                median_seconds(
                    lambda: store.write_eval_run(
                        profile_id, WINDOW, results, records=args.rows, pass_rate=0.94
                    ),
                    lambda: execute(url, "DELETE FROM eval_runs"),
                    args.repeat,
                ),
                median_seconds(
                    lambda: plain_copy(url, "plain_eval_results", plain_results),
                    lambda: execute(url, "TRUNCATE plain_eval_results"),
                    args.repeat,
                ),
            ),
            "inference logs": (
                median_seconds(
                    lambda: store.write_inference_logs("bench", "model", logs),
                    lambda: execute(url, "TRUNCATE inference_logs"),
                    args.repeat,
                ),
                median_seconds(
                    lambda: plain_copy(url, "plain_inference_logs", encoded),
                    lambda: execute(url, "TRUNCATE plain_inference_logs"),
                    args.repeat,
                ),
            ),
        }
        # Retention: a run's results are deleted by run id (primary-key index); a day of
        # inference logs goes with its partition.
        later = WINDOW.end + timedelta(days=365)
        execute(url, "DELETE FROM eval_runs; TRUNCATE inference_logs")
        store.write_eval_run(profile_id, WINDOW, results, records=args.rows, pass_rate=0.94)
        start = time.perf_counter()
        store.prune(timedelta(days=90), now=later)
        prune_results = time.perf_counter() - start
        store.write_inference_logs("bench", "model", logs)
        start = time.perf_counter()
        store.prune(timedelta(days=90), now=later)
        prune_logs = time.perf_counter() - start
        store.close()

    print(f"{args.rows:,} rows per case into Postgres, median of {args.repeat}")
    print(f"  {'case':<16}{'store rows/s':>14}{'plain COPY rows/s':>19}{'share':>8}")
    for case, (ours, plain) in figures.items():
        print(
            f"  {case:<16}{args.rows / ours:>14,.0f}{args.rows / plain:>19,.0f}{plain / ours:>8.0%}"
        )
    print(f"  prune one eval run of {args.rows:,} results: {prune_results:.2f} s (DELETE by run)")
    print(f"  prune one day of {args.rows:,} inference logs: {prune_logs:.2f} s (DROP partition)")


if __name__ == "__main__":
    main()
