"""One window's PSI drift as one task and as mapped partitions on a local Dask cluster.

Writes --rows x --features float64 rows with a UTC timestamp into --files parquet files once
(reused by later runs), builds a PSI profile from a baseline sample, then prints:

1. one task: the whole window in a fresh process (time and peak resident memory);
2. --files partitions (by file) mapped over a local Dask cluster of --workers processes, then
   merged and judged in this process: total time (against the one task, same run), each
   worker's peak resident memory, and the merge step's share of the total.

The two results are compared (identical bin counts, PSI within 1e-9) before anything prints.

    python benchmarks/scaleout.py --rows 20000000 --features 20 --files 8 --workers 2
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from scouter_flows import Drifter, PsiDriftConfig, PsiDriftProfile
from scouter_flows.sources.files import FileSource
from scouter_flows.tasks.partitions import (
    Partial,
    Partition,
    finalize,
    merge_partials,
    partial_statistics,
    plan_partitions,
)
from scouter_flows.window import Window

START = datetime(2026, 11, 1, tzinfo=UTC)
WINDOW = Window(START, START + timedelta(days=1))


def write_data(root: Path, rows: int, features: int, files: int) -> None:
    """The files of one day (skipped when `root` already holds this shape)."""
    marker = root / "shape.json"
    shape = {"rows": rows, "features": features, "files": files}
    if marker.exists() and json.loads(marker.read_text()) == shape:
        return
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob("*.parquet"):
        old.unlink()
    rng = np.random.default_rng(1)
    per_file = rows // files
    step = timedelta(days=1) / rows
    for k in range(files):
        count = per_file if k < files - 1 else rows - per_file * (files - 1)
        first = START + step * (k * per_file)
        columns: dict[str, Any] = {
            f"f{j}": rng.normal(0.1 * (j % 3), 1.0 + 0.05 * j, count) for j in range(features)
        }
        columns["timestamp"] = pl.datetime_range(
            first, first + step * (count - 1), step, time_zone="UTC", eager=True
        )
        pl.DataFrame(columns).write_parquet(root / f"part-{k:02d}.parquet")
    rng_base = np.random.default_rng(2)
    pl.DataFrame(
        {f"f{j}": rng_base.normal(0.0, 1.0 + 0.05 * j, 500_000) for j in range(features)}
    ).write_parquet(root / "baseline.parquet.base")
    marker.write_text(json.dumps(shape))


def profile_of(root: Path) -> PsiDriftProfile:
    """The PSI profile of the baseline sample."""
    baseline = pl.read_parquet(root / "baseline.parquet.base")
    return Drifter().create_drift_profile(baseline, PsiDriftConfig(space="bench", name="scale"))


def one_task(root: str) -> None:
    """Child process: the whole window in one pass; prints seconds, peak RSS and the counts."""
    path = Path(root)
    profile = profile_of(path)
    source = FileSource(path=str(path / "*.parquet"))
    start = time.perf_counter()
    result = finalize(profile, partial_statistics(profile, source.scan(WINDOW), WINDOW))
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": elapsed, "peak": peak, "result": result.model_dump(mode="json")}))


def partial_of(profile: PsiDriftProfile, partition: Partition) -> Partial:
    """A Dask task: one partition's bin counts."""
    return partial_statistics(profile, partition.scan(WINDOW), WINDOW)


def worker_peak() -> int:
    """A worker's peak resident memory in bytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def mapped(root: Path, workers: int, files: int, polars_threads: int | None) -> dict[str, Any]:
    """The window as `files` partitions on a local cluster of `workers` processes (each
    running one partition at a time, with `polars_threads` Polars threads)."""
    from distributed import Client, LocalCluster

    profile = profile_of(root)
    source = FileSource(path=str(root / "*.parquet"))
    env = {"POLARS_MAX_THREADS": str(polars_threads)} if polars_threads else {}
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, memory_limit=0, env=env
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: __import__("scouter_flows.tasks.partitions"))  # warm the imports
        start = time.perf_counter()
        plan = plan_partitions(source, WINDOW, by="file", parts=files)
        futures = client.map(partial_of, [profile] * len(plan), plan, pure=False)
        partials = client.gather(futures)
        computed = time.perf_counter()
        result = finalize(profile, merge_partials(partials))
        done = time.perf_counter()
        peaks = client.run(worker_peak)
    return {
        "seconds": done - start,
        "merge": done - computed,
        "partitions": len(plan),
        "peaks": sorted(peaks.values()),
        "result": result.model_dump(mode="json"),
    }


def same(left: dict[str, Any], right: dict[str, Any]) -> None:
    """Identical rows and proportions, PSI within 1e-9, or an error."""
    assert left["rows"] == right["rows"], (left["rows"], right["rows"])
    for a, b in zip(left["features"], right["features"], strict=True):
        assert a["observed_proportions"] == b["observed_proportions"], a["feature"]
        assert abs(a["value"] - b["value"]) <= 1e-9, a["feature"]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=Path("/tmp/scouter-scaleout"))
    parser.add_argument(
        "--polars-threads",
        type=int,
        default=None,
        help="Polars threads per worker (default: Polars' own, one per core)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        one_task(args.child)
        return
    write_data(args.data, args.rows, args.features, args.files)
    size = sum(f.stat().st_size for f in args.data.glob("*.parquet"))
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(args.data)],
        check=True,
        capture_output=True,
        text=True,
    )
    single = json.loads(child.stdout.strip().splitlines()[-1])
    spread = mapped(args.data, args.workers, args.files, args.polars_threads)
    same(single["result"], spread["result"])
    gib = 1024**3
    print(
        f"{args.rows:,} rows x {args.features} features, {args.files} parquet files "
        f"({size / gib:.2f} GiB), PSI drift of one window"
    )
    peak = single["peak"] / gib
    print(f"  one task:               {single['seconds']:7.2f} s   peak {peak:.2f} GiB")
    peaks = ", ".join(f"{p / gib:.2f}" for p in spread["peaks"])
    print(
        f"  {spread['partitions']} partitions on {args.workers} Dask workers: "
        f"{spread['seconds']:7.2f} s   ({spread['seconds'] / single['seconds']:.2f}x the one task, "
        f"Polars threads per worker: {args.polars_threads or 'default'})"
        f"   peak per worker {peaks} GiB"
    )
    print(
        f"  merge + judge:          {spread['merge'] * 1000:7.1f} ms  "
        f"({spread['merge'] / spread['seconds']:.2%} of the partitioned run)"
    )
    print("  results identical: bin counts equal, PSI within 1e-9")


if __name__ == "__main__":
    main()
