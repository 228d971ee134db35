"""The drift engine against Scouter's Rust core on the same data, and against the floor.

`make bench` (no arguments) prints, with the machine's core count, every figure the targets
name: each path (PSI and SPC profile and drift, the data profile) at 1M x 10, 10M x 10 and
10M x 20 float64 values, ours and Scouter's interleaved in one run (medians), with the ratio
against Scouter and against one plain Polars pass summing the observed frame (the floor for
anything that reads each value once) and the time per value; the growth of that time per value;
the PSI drift of 10M x 20 from 8 parquet files through `FileSource` with a window filter, with
its peak memory; and the split of a run's judgement path (profile load, drift, store write).
Scouter (`pip install scouter-ml`) is optional: without it only our figures are printed.

    python benchmarks/drift.py                       # the table
    python benchmarks/drift.py --sizes 1000000x10 --repeat 9
    python benchmarks/drift.py --streaming --rows 100000000 --features 20 --data /tmp/drift-100m

`--streaming` writes the parquet files once (reused by later runs), then runs every case in a
fresh process and prints its time and peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from scouter_flows import (
    DataProfiler,
    Drifter,
    PsiDriftConfig,
    PsiDriftProfile,
    SpcDriftConfig,
    SpcDriftProfile,
)

CASES = ("PSI profile", "PSI drift", "SPC profile", "SPC drift", "Data profile")
WINDOW_START = "2026-11-01T00:00:00Z"
SUM_ALL = [pl.exclude("timestamp").sum(), pl.col("timestamp").max()]
"""Every column read once: the features summed, the latest timestamp."""


PSI = PsiDriftConfig(space="bench", name="psi")
SPC = SpcDriftConfig(space="bench", name="spc")


def median_seconds(fn: Callable[[], Any], repeat: int, *, warm_up: bool = True) -> float:
    """Median wall time of `repeat` calls, after one warm-up call unless told otherwise."""
    if warm_up:
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def frames(rows: int, features: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A baseline and a shifted window, column-major float64 (as a Polars frame holds them)."""
    rng = np.random.default_rng(seed)
    baseline = np.asfortranarray(rng.normal(size=(rows, features)))
    window = np.asfortranarray(rng.normal(0.05, 1.1, size=(rows, features)))
    return baseline, window


def interleaved(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Median wall time of each function, the calls taking turns (one warm-up each), so that
    a shared machine's slow spells fall on every contender alike."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(found) for name, found in times.items()}


def case_functions(
    baseline: pl.DataFrame, window: pl.DataFrame, base_np: np.ndarray, window_np: np.ndarray
) -> dict[str, dict[str, Callable[[], Any]]]:
    """Per case, ours and (when installed) Scouter's call on the same data."""
    drifter = Drifter()
    psi = drifter.create_drift_profile(baseline, PSI)
    spc = drifter.create_drift_profile(baseline, SPC)
    cases: dict[str, dict[str, Callable[[], Any]]] = {
        "PSI profile": {"ours": lambda: drifter.create_drift_profile(baseline, PSI)},
        "PSI drift": {"ours": lambda: drifter.compute_drift(window, psi)},
        "SPC profile": {"ours": lambda: drifter.create_drift_profile(baseline, SPC)},
        "SPC drift": {"ours": lambda: drifter.compute_drift(window, spc)},
        "Data profile": {"ours": lambda: DataProfiler().create_data_profile(baseline)},
    }
    if has_scouter():
        import scouter  # type: ignore[import-not-found]

        theirs = scouter.Drifter()
        their_psi, their_spc = scouter.PsiDriftConfig(), scouter.SpcDriftConfig(sample_size=25)
        # Column-major float64 is Scouter's fast path (about 10x faster drift than row-major).
        psi_profile = theirs.create_drift_profile(base_np, their_psi)
        spc_profile = theirs.create_drift_profile(base_np, their_spc)
        cases["PSI profile"]["scouter"] = lambda: theirs.create_drift_profile(base_np, their_psi)
        cases["PSI drift"]["scouter"] = lambda: theirs.compute_drift(window_np, psi_profile)
        cases["SPC profile"]["scouter"] = lambda: theirs.create_drift_profile(base_np, their_spc)
        cases["SPC drift"]["scouter"] = lambda: theirs.compute_drift(window_np, spc_profile)
        cases["Data profile"]["scouter"] = lambda: scouter.DataProfiler().create_data_profile(
            baseline
        )
    return cases


def has_scouter() -> bool:
    """Whether scouter-ml is importable here."""
    try:
        import scouter  # noqa: F401
    except ImportError:
        return False
    return True


def machine() -> str:
    """Cores and the versions the figures depend on."""
    import os
    import platform
    from importlib.metadata import PackageNotFoundError, version

    def of(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, polars {of('polars')}, "
        f"numpy {of('numpy')}, scouter-ml {of('scouter-ml')}"
    )


def label(rows: int, features: int) -> str:
    """`1M x 10`."""
    return f"{rows / 1e6:g}M x {features}"


def parse_size(text: str) -> tuple[int, int]:
    """`1000000x10` as (rows, features)."""
    rows, features = text.lower().split("x")
    return int(rows), int(features)


def size_table(
    rows: int, features: int, repeat: int, scouter_profile: bool
) -> dict[str, dict[str, float]]:
    """One size's table; returns seconds per case and contender (and the sum pass)."""
    base_np, window_np = frames(rows, features)
    names = [f"feature_{i}" for i in range(features)]
    baseline = pl.DataFrame(base_np, schema=names)
    window = pl.DataFrame(window_np, schema=names)
    floor = interleaved({"sum": lambda: window.select(pl.all().sum())}, repeat)["sum"]
    values = rows * features
    print(f"\n{rows:,} rows x {features} features ({values:,} values), median of {repeat}")
    print(f"  one Polars pass summing the observed frame: {floor * 1000:.1f} ms")
    print(
        f"  {'case':<14}{'scouter-flows':>15}{'ns/value':>10}{'scouter-ml':>13}"
        f"{'ratio':>8}{'vs sum':>9}"
    )
    found: dict[str, dict[str, float]] = {"sum": {"ours": floor}}
    for case, fns in case_functions(baseline, window, base_np, window_np).items():
        their_profile = fns.pop("scouter") if case == "Data profile" else None
        seconds = interleaved(fns, repeat)
        if their_profile is not None and scouter_profile:
            # Seconds per call, and minutes at the larger sizes: one cold call, at the first.
            seconds["scouter"] = median_seconds(their_profile, 1, warm_up=False)
        found[case] = seconds
        ours, theirs = seconds["ours"], seconds.get("scouter")
        their_text = f"{theirs * 1000:.1f} ms" if theirs else "-"
        ratio = f"{ours / theirs:.2f}x" if theirs else "-"
        print(
            f"  {case:<14}{ours * 1000:>12.1f} ms{ours / values * 1e9:>10.2f}{their_text:>13}"
            f"{ratio:>8}{ours / floor:>8.1f}x"
        )
    return found


def from_parquet(rows: int, features: int, files: int, in_memory_drift: float) -> dict[str, float]:
    """PSI drift of `rows` x `features` in `files` parquet files, end to end through
    `FileSource` with a window filter, in a fresh process; against the in-memory drift time
    plus a plain scan summing the same files."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        glob = generate(folder, rows, features, files, stamped=True)
        scan = interleaved({"scan": lambda: pl.scan_parquet(glob).select(SUM_ALL).collect()}, 3)[
            "scan"
        ]
        done = subprocess.run(
            [sys.executable, __file__, "--child", "window", "--data", str(folder)],
            check=True,
            capture_output=True,
            text=True,
        )
        found = json.loads(done.stdout.strip().splitlines()[-1])
    ratio = found["seconds"] / (in_memory_drift + scan)
    print(f"\nPSI drift from parquet: {rows:,} x {features} in {files} files, FileSource + window")
    print(f"  plain scan summing the files: {scan * 1000:.1f} ms")
    print(
        f"  through FileSource: {found['seconds'] * 1000:.1f} ms (in memory + scan: "
        f"{(in_memory_drift + scan) * 1000:.1f} ms, ratio {ratio:.2f}x, target <= 1.5x), "
        f"peak RSS {found['peak_bytes'] / 2**30:.2f} GiB"
    )
    return {"seconds": found["seconds"], "ratio": ratio}


def judgement_path(rows: int, features: int, repeat: int) -> dict[str, float]:
    """A run's steps around the drift itself (profile load from the store, store write of the
    results) against the bare drift time, on an embedded SQLite store."""
    from datetime import UTC, datetime, timedelta

    from scouter_flows import Store, tasks
    from scouter_flows.window import Window

    base_np, window_np = frames(rows, features)
    names = [f"feature_{i}" for i in range(features)]
    window = pl.DataFrame(window_np, schema=names)
    drifter = Drifter()
    profile = drifter.create_drift_profile(pl.DataFrame(base_np, schema=names), PSI)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/store.db"
        Store(url, auto_upgrade=True).close()
        ref = tasks.load_profile(str(profile.save_to_json(Path(tmp) / "psi.json")), url)
        result = drifter.compute_drift(window, profile)
        days = iter(range(10_000))

        def write() -> None:
            start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=next(days))
            tasks.persist_drift(ref, Window.parse(start, start + timedelta(days=1)), result, url)

        seconds = interleaved(
            {
                "load": lambda: tasks.stored_profile(ref, url),
                "drift": lambda: drifter.compute_drift(window, profile),
                "write": write,
            },
            repeat,
        )
    added = (seconds["load"] + seconds["write"]) / seconds["drift"]
    print(f"\njudgement path of a run, {rows:,} x {features}, SQLite store, median of {repeat}")
    print(
        f"  profile load {seconds['load'] * 1000:.1f} ms, drift {seconds['drift'] * 1000:.1f} ms, "
        f"store write {seconds['write'] * 1000:.1f} ms: load and write add {added:.0%} "
        "(target <= 20%)"
    )
    return {**seconds, "added": added}


def table(args: argparse.Namespace) -> None:
    """Every figure of the targets, with a verdict per target at the end."""
    print(machine())
    if not has_scouter():
        print("scouter-ml not installed: printing scouter-flows figures only")
    sizes = [parse_size(size) for size in args.sizes.split(",")]
    results = {}
    for i, (rows, features) in enumerate(sizes):
        repeat = args.repeat if rows * features <= 10_000_000 else max(3, args.repeat // 2)
        results[(rows, features)] = size_table(rows, features, repeat, scouter_profile=i == 0)
    first, last = sizes[0], sizes[-1]
    print("\ngrowth: ns per value at each size, and the last size against the first")
    print("  " + f"{'case':<14}" + "".join(f"{label(r, c):>12}" for r, c in sizes))
    for case in CASES:
        per_value = [results[s][case]["ours"] / (s[0] * s[1]) * 1e9 for s in sizes]
        growth = per_value[-1] / per_value[0]
        print(f"  {case:<14}" + "".join(f"{v:>12.2f}" for v in per_value) + f"   {growth:.2f}x")
    parquet = from_parquet(*last, args.files, results[last]["PSI drift"]["ours"])
    path = judgement_path(*first, args.repeat)

    def ratio(size: tuple[int, int], case: str) -> float | None:
        found = results[size][case]
        return found["ours"] / found["scouter"] if "scouter" in found else None

    def floor_ratio(size: tuple[int, int]) -> float:
        return results[size]["PSI drift"]["ours"] / results[size]["sum"]["ours"]

    checks: list[tuple[str, float | None, float]] = []
    for size in (first, last):
        checks.append((f"PSI profile / Scouter at {label(*size)}", ratio(size, "PSI profile"), 0.6))
    checks += [
        ("PSI drift / Scouter", ratio(first, "PSI drift"), 0.4),
        ("PSI drift / one-pass sum", floor_ratio(first), 4.0),
        ("SPC profile / Scouter", ratio(first, "SPC profile"), 0.7),
        ("SPC drift / Scouter", ratio(first, "SPC drift"), 0.7),
        ("Data profile / Scouter", ratio(first, "Data profile"), 0.1),
    ]
    for case in CASES:
        per_first = results[first][case]["ours"] / (first[0] * first[1])
        per_last = results[last][case]["ours"] / (last[0] * last[1])
        checks.append((f"{case} per-value growth", per_last / per_first, 1.5))
    checks.append(("parquet: FileSource / (memory + scan)", parquet["ratio"], 1.5))
    checks.append(("judgement path: added share", path["added"], 0.2))
    print("\ntargets")
    for name, value, target in checks:
        if value is None:
            print(f"  {name:<40} -        (needs scouter-ml)")
            continue
        verdict = "met" if value <= target else "MISSED"
        print(f"  {name:<40}{value:>8.2f} <= {target:<5} {verdict}")


def generate(folder: Path, rows: int, features: int, files: int, *, stamped: bool = False) -> str:
    """Write (once) `rows` x `features` of N(0, 1) float64 as parquet; returns the glob. With
    `stamped`, a `timestamp` column spreads the rows over the day from `WINDOW_START`."""
    meta = folder / "meta.json"
    wanted = {"rows": rows, "features": features, "files": files, "stamped": stamped}
    if meta.exists() and json.loads(meta.read_text()) == wanted:
        return str(folder / "*.parquet")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    names = [f"feature_{i}" for i in range(features)]
    per_file = rows // files
    for i in range(files):
        count = per_file if i < files - 1 else rows - per_file * (files - 1)
        part = pl.DataFrame(np.random.default_rng(i).normal(size=(count, features)), schema=names)
        if stamped:
            first = i * per_file
            micros = (np.arange(first, first + count) * (86_400_000_000 // rows)).astype(np.int64)
            start = pl.lit(WINDOW_START).str.to_datetime(time_zone="UTC")
            part = part.with_columns(timestamp=start + pl.duration(microseconds=pl.Series(micros)))
        part.write_parquet(folder / f"part-{i:03d}.parquet")
    meta.write_text(json.dumps(wanted))
    return str(folder / "*.parquet")


def peak_bytes() -> int:
    """This process's peak resident memory since it started its program: the kernel's VmHWM,
    which starts afresh at exec (ru_maxrss would keep the forking parent's, a whole table's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # not Linux


def run_child(case: str, glob: str, folder: Path) -> None:
    """One case in this (fresh) process; prints seconds and peak RSS as JSON."""
    drifter = Drifter()
    if case == "window":  # PSI drift through FileSource, the window filtering every file
        from datetime import datetime, timedelta

        from scouter_flows import FileSource
        from scouter_flows.window import Window

        first = pl.read_parquet(sorted(folder.glob("*.parquet"))[0], n_rows=100_000)
        first = first.drop("timestamp")
        profile = drifter.create_drift_profile(first, PSI)
        day = datetime.fromisoformat(WINDOW_START)
        window = Window.parse(day, day + timedelta(days=1))
        source = FileSource(path=glob, timestamp_column="timestamp")
        drifter.compute_drift(first.head(1000), profile)  # imports and thread pools warmed
        start = time.perf_counter()
        drifter.compute_drift(source.scan(window).drop("timestamp"), profile)
        seconds = time.perf_counter() - start
        print(json.dumps({"seconds": seconds, "peak_bytes": peak_bytes()}))
        return
    start = time.perf_counter()
    if case == "PSI profile":
        drifter.create_drift_profile(glob, PSI).save_to_json(folder / "psi.json")
    elif case == "PSI drift":
        drifter.compute_drift(glob, PsiDriftProfile.load_from_json(folder / "psi.json"))
    elif case == "SPC profile":
        drifter.create_drift_profile(glob, SPC).save_to_json(folder / "spc.json")
    elif case == "SPC drift":
        drifter.compute_drift(glob, SpcDriftProfile.load_from_json(folder / "spc.json"))
    else:
        DataProfiler().create_data_profile(glob)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_bytes": peak_bytes()}))


def streaming(args: argparse.Namespace) -> None:
    """Every case on a large parquet data set, each in a fresh process, with peak memory."""
    folder = Path(args.data)
    start = time.perf_counter()
    glob = generate(folder, args.rows, args.features, args.files)
    print(f"data: {glob} ({time.perf_counter() - start:.0f} s to prepare)")
    scan = median_seconds(
        lambda: pl.scan_parquet(glob).select(pl.all().sum()).collect(engine="streaming"), 1
    )
    print(f"{args.rows:,} rows x {args.features} float64 features from parquet, one run each")
    print(f"  plain streaming Polars pass summing every column: {scan:.1f} s")
    print(f"  {'case':<16}{'seconds':>10}{'peak memory':>14}")
    for case in CASES:
        done = subprocess.run(
            [sys.executable, __file__, "--child", case, "--data", str(folder)],
            check=True,
            capture_output=True,
            text=True,
        )
        found = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"  {case:<16}{found['seconds']:>10.1f}{found['peak_bytes'] / 2**30:>11.2f} GiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="1000000x10,10000000x10,10000000x20",
        help="Comma-separated ROWSxFEATURES for the table (first and last are judged).",
    )
    parser.add_argument("--rows", type=int, default=100_000_000, help="--streaming rows.")
    parser.add_argument("--features", type=int, default=20, help="--streaming features.")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--files", type=int, default=8, help="Parquet files per data set.")
    parser.add_argument("--streaming", action="store_true", help="Large-data mode (see above).")
    parser.add_argument("--data", default="benchmark-data", help="Folder for --streaming data.")
    parser.add_argument("--child", choices=(*CASES, "window"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, str(Path(args.data) / "*.parquet"), Path(args.data))
    elif args.streaming:
        streaming(args)
    else:
        table(args)


if __name__ == "__main__":
    main()
