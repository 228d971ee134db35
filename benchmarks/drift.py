"""PSI profile and drift: scouter-flows against Scouter's Rust core on the same frames.

Prints medians of repeated runs, the ratio ours/Scouter, and one plain Polars pass that sums
every column for scale. Scouter (`pip install scouter-ml`) is optional: without it only our
figures are printed.

    python benchmarks/drift.py --rows 1000000 --features 10 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from scouter_flows import DataProfiler, Drifter, PsiDriftConfig, SpcDriftConfig


def median_seconds(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of `repeat` calls after one warm-up call."""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    baseline, window = frames(args.rows, args.features)
    names = [f"feature_{i}" for i in range(args.features)]
    base_pl = pl.DataFrame(baseline, schema=names)
    window_pl = pl.DataFrame(window, schema=names)
    config = PsiDriftConfig(space="bench", name="psi")
    spc_config = SpcDriftConfig(space="bench", name="spc")
    drifter = Drifter()
    profile = drifter.create_drift_profile(base_pl, config)
    spc_profile = drifter.create_drift_profile(base_pl, spc_config)

    ours = {
        "polars sum pass": median_seconds(lambda: base_pl.select(pl.all().sum()), args.repeat),
        "PSI profile": median_seconds(
            lambda: drifter.create_drift_profile(base_pl, config), args.repeat
        ),
        "PSI drift": median_seconds(lambda: drifter.compute_drift(window_pl, profile), args.repeat),
        "SPC profile": median_seconds(
            lambda: drifter.create_drift_profile(base_pl, spc_config), args.repeat
        ),
        "SPC drift": median_seconds(
            lambda: drifter.compute_drift(window_pl, spc_profile), args.repeat
        ),
        "DataProfiler": median_seconds(
            lambda: DataProfiler().create_data_profile(base_pl), args.repeat
        ),
    }
    theirs: dict[str, float] = {}
    try:
        import scouter  # type: ignore[import-not-found]
    except ImportError:
        print("scouter-ml not installed: printing scouter-flows figures only")
    else:
        their_drifter = scouter.Drifter()
        their_config = scouter.PsiDriftConfig()
        # Column-major input is Scouter's fast path (about 10x faster drift than row-major).
        base_c, window_c = baseline, window
        their_profile = their_drifter.create_drift_profile(base_c, their_config)
        theirs["PSI profile"] = median_seconds(
            lambda: their_drifter.create_drift_profile(base_c, their_config), args.repeat
        )
        theirs["PSI drift"] = median_seconds(
            lambda: their_drifter.compute_drift(window_c, their_profile), args.repeat
        )
        # Scouter's SPC sizes subgroups by row count unless told; 25 is our default.
        their_spc = scouter.SpcDriftConfig(sample_size=25)
        their_spc_profile = their_drifter.create_drift_profile(base_c, their_spc)
        theirs["SPC profile"] = median_seconds(
            lambda: their_drifter.create_drift_profile(base_c, their_spc), args.repeat
        )
        theirs["SPC drift"] = median_seconds(
            lambda: their_drifter.compute_drift(window_c, their_spc_profile), args.repeat
        )
        theirs["DataProfiler"] = median_seconds(
            lambda: scouter.DataProfiler().create_data_profile(base_pl), 1
        )

    print(f"{args.rows:,} rows x {args.features} float64 features, median of {args.repeat}")
    print(f"{'case':<18}{'scouter-flows':>15}{'scouter-ml':>13}{'ratio':>8}")
    for case, seconds in ours.items():
        other = theirs.get(case)
        ratio = f"{seconds / other:.2f}x" if other else "-"
        other_text = f"{other * 1000:.1f} ms" if other else "-"
        print(f"{case:<18}{seconds * 1000:>12.1f} ms{other_text:>13}{ratio:>8}")


if __name__ == "__main__":
    main()
