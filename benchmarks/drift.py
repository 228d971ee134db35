"""The drift engine against Scouter's Rust core on the same data, in memory and from parquet.

Prints medians of repeated runs, the ratio ours/Scouter, and one plain Polars pass that sums
every column for scale. Scouter (`pip install scouter-ml`) is optional: without it only our
figures are printed. Scouter cannot read parquet, so its from-parquet time includes reading the
files into a frame (`pl.read_parquet`), the fastest way to hand them over.

    python benchmarks/drift.py --rows 1000000 --features 10 --repeat 5
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

CASES = ("PSI profile", "PSI drift", "SPC profile", "SPC drift", "DataProfiler")
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


def our_cases(baseline: Any, window: Any, repeat: int) -> dict[str, float]:
    """Our time per case; `baseline` and `window` are frames or parquet globs."""
    drifter = Drifter()
    psi = drifter.create_drift_profile(baseline, PSI)
    spc = drifter.create_drift_profile(baseline, SPC)
    return {
        "PSI profile": median_seconds(lambda: drifter.create_drift_profile(baseline, PSI), repeat),
        "PSI drift": median_seconds(lambda: drifter.compute_drift(window, psi), repeat),
        "SPC profile": median_seconds(lambda: drifter.create_drift_profile(baseline, SPC), repeat),
        "SPC drift": median_seconds(lambda: drifter.compute_drift(window, spc), repeat),
        "DataProfiler": median_seconds(
            lambda: DataProfiler().create_data_profile(baseline), repeat
        ),
    }


def their_cases(
    load_baseline: Callable[[], np.ndarray], load_window: Callable[[], np.ndarray], repeat: int
) -> dict[str, float]:
    """Scouter's time per case, loading its input inside each timed call."""
    import scouter  # type: ignore[import-not-found]

    drifter = scouter.Drifter()
    psi, spc = scouter.PsiDriftConfig(), scouter.SpcDriftConfig(sample_size=25)
    # Column-major input is Scouter's fast path (about 10x faster drift than row-major).
    psi_profile = drifter.create_drift_profile(load_baseline(), psi)
    spc_profile = drifter.create_drift_profile(load_baseline(), spc)
    return {
        "PSI profile": median_seconds(
            lambda: drifter.create_drift_profile(load_baseline(), psi), repeat
        ),
        "PSI drift": median_seconds(
            lambda: drifter.compute_drift(load_window(), psi_profile), repeat
        ),
        "SPC profile": median_seconds(
            lambda: drifter.create_drift_profile(load_baseline(), spc), repeat
        ),
        "SPC drift": median_seconds(
            lambda: drifter.compute_drift(load_window(), spc_profile), repeat
        ),
        # Seconds per call: one cold run is enough.
        "DataProfiler": median_seconds(
            lambda: scouter.DataProfiler().create_data_profile(pl.from_numpy(load_baseline())),
            1,
            warm_up=False,
        ),
    }


def print_table(title: str, ours: dict[str, float], theirs: dict[str, float]) -> None:
    """One row per case: our time, Scouter's time and the ratio."""
    print(title)
    print(f"  {'case':<16}{'scouter-flows':>15}{'scouter-ml':>13}{'ratio':>8}")
    for case, seconds in ours.items():
        other = theirs.get(case)
        ratio = f"{seconds / other:.2f}x" if other else "-"
        other_text = f"{other * 1000:.1f} ms" if other else "-"
        print(f"  {case:<16}{seconds * 1000:>12.1f} ms{other_text:>13}{ratio:>8}")


def has_scouter() -> bool:
    """Whether scouter-ml is importable here."""
    try:
        import scouter  # noqa: F401
    except ImportError:
        return False
    return True


def write_parquet(array: np.ndarray, folder: Path, files: int) -> str:
    """`array` as `files` parquet files in `folder`; returns their glob."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"feature_{i}" for i in range(array.shape[1])]
    for i, part in enumerate(np.array_split(array, files)):
        pl.DataFrame(part, schema=names).write_parquet(folder / f"part-{i:03d}.parquet")
    return str(folder / "*.parquet")


def compare(args: argparse.Namespace) -> None:
    """In-memory and from-parquet cases, ours and Scouter's, in one process."""
    baseline, window = frames(args.rows, args.features)
    names = [f"feature_{i}" for i in range(args.features)]
    base_pl = pl.DataFrame(baseline, schema=names)
    window_pl = pl.DataFrame(window, schema=names)
    scouter_here = has_scouter()
    if not scouter_here:
        print("scouter-ml not installed: printing scouter-flows figures only")
    print(f"{args.rows:,} rows x {args.features} float64 features, median of {args.repeat}")
    sum_pass = median_seconds(lambda: base_pl.select(pl.all().sum()), args.repeat)
    print(f"  plain Polars pass summing every column: {sum_pass * 1000:.1f} ms")

    theirs = {}
    if scouter_here:
        theirs = their_cases(lambda: baseline, lambda: window, args.repeat)
    print_table("in memory", our_cases(base_pl, window_pl, args.repeat), theirs)

    with tempfile.TemporaryDirectory() as tmp:
        base_glob = write_parquet(baseline, Path(tmp) / "baseline", args.files)
        window_glob = write_parquet(window, Path(tmp) / "window", args.files)

        def read(glob: str) -> Callable[[], np.ndarray]:
            return lambda: pl.read_parquet(glob).to_numpy(order="fortran")

        theirs = {}
        if scouter_here:
            theirs = their_cases(read(base_glob), read(window_glob), args.repeat)
        ours = our_cases(base_glob, window_glob, args.repeat)
        print_table(f"from parquet ({args.files} files each)", ours, theirs)


def generate(folder: Path, rows: int, features: int, files: int) -> str:
    """Write (once) `rows` x `features` of N(0, 1) float64 as parquet; returns the glob."""
    meta = folder / "meta.json"
    wanted = {"rows": rows, "features": features, "files": files}
    if meta.exists() and json.loads(meta.read_text()) == wanted:
        return str(folder / "*.parquet")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    names = [f"feature_{i}" for i in range(features)]
    per_file = rows // files
    for i in range(files):
        count = per_file if i < files - 1 else rows - per_file * (files - 1)
        part = np.random.default_rng(i).normal(size=(count, features))
        pl.DataFrame(part, schema=names).write_parquet(folder / f"part-{i:03d}.parquet")
    meta.write_text(json.dumps(wanted))
    return str(folder / "*.parquet")


def run_child(case: str, glob: str, folder: Path) -> None:
    """One case in this (fresh) process; prints seconds and peak RSS as JSON."""
    drifter = Drifter()
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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "peak_bytes": peak}))


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
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--files", type=int, default=8, help="Parquet files per data set.")
    parser.add_argument("--streaming", action="store_true", help="Large-data mode (see above).")
    parser.add_argument("--data", default="benchmark-data", help="Folder for --streaming data.")
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, str(Path(args.data) / "*.parquet"), Path(args.data))
    elif args.streaming:
        streaming(args)
    else:
        compare(args)


if __name__ == "__main__":
    main()
