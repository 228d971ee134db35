"""PSI over a categorical feature with many categories: profile and drift time against the
anchor, one Polars group-by count of the same column measured in the same run (not a test).

A feature past `FUSED_CATEGORIES` categories is counted by a group-by, so both steps grow
with the rows, not with rows x categories.

    python benchmarks/categories.py --rows 1000000 --categories 10 1000 1000000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import polars as pl

from scouter_flows import Drifter, PsiDriftConfig


def timed(run: Callable[[], object], repeat: int) -> float:
    """The median wall time of `repeat` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--categories", type=int, nargs="+", default=[10, 1_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config = PsiDriftConfig(space="bench", name="categories", categorical_features=["c"])
    header = ("categories", "anchor s", "profile s", "ratio", "drift s", "ratio")
    print(" ".join(f"{h:>10}" for h in header))
    for k in args.categories:
        rng = np.random.default_rng(k)
        frame = pl.DataFrame({"c": rng.integers(0, k, args.rows).astype(str)})
        anchor = timed(lambda f=frame: f.group_by("c").len(), args.repeat)
        profile = Drifter().create_drift_profile(frame, config)
        build = timed(lambda f=frame: Drifter().create_drift_profile(f, config), args.repeat)
        drift = timed(lambda f=frame, p=profile: Drifter().compute_drift(f, p), args.repeat)
        row = (k, f"{anchor:.3f}", f"{build:.3f}", f"{build / anchor:.1f}")
        print(" ".join(f"{v:>10}" for v in (*row, f"{drift:.3f}", f"{drift / anchor:.1f}")))


if __name__ == "__main__":
    main()
