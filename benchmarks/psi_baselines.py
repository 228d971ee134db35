"""PSI false alarms per baseline: alpha is an average over baselines, not each one's own rate
(a simulation, not a test).

Draws `--baselines` reference samples of `--baseline-rows` values from N(0, 1), builds a PSI
profile of each (10 quantile bins, chi-square threshold at alpha = 0.05), then judges
`--windows` windows of `--window-rows` values from the same N(0, 1) against it: no window
drifts, so the share that alert is that baseline's own false-alarm rate. Their mean is alpha;
their spread is what one profile's users see, because a baseline's bins carry its own sampling
error into every window.

    python benchmarks/psi_baselines.py --baselines 40 --windows 400
    python benchmarks/psi_baselines.py --baseline-rows 20000
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import polars as pl

from scouter_flows import Drifter, PsiDriftConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--baselines", type=int, default=40)
    parser.add_argument("--windows", type=int, default=400)
    parser.add_argument("--baseline-rows", type=int, default=2_000)
    parser.add_argument("--window-rows", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    drifter = Drifter()
    config = PsiDriftConfig(space="bench", name="baselines")
    started = time.perf_counter()
    rates = []
    for _ in range(args.baselines):
        profile = drifter.create_drift_profile(
            pl.DataFrame({"x": rng.normal(size=args.baseline_rows)}), config
        )
        alarms = sum(
            drifter.compute_drift(pl.DataFrame({"x": rng.normal(size=args.window_rows)}), profile)
            .features[0]
            .status
            == "drift"
            for _ in range(args.windows)
        )
        rates.append(alarms / args.windows)
    found = np.array(rates)
    print(
        f"{args.baselines} baselines of {args.baseline_rows:,} rows x {args.windows} clean windows "
        f"of {args.window_rows:,} rows, alpha 0.05, {time.perf_counter() - started:.0f} s"
    )
    print(f"  mean false-alarm rate over baselines: {found.mean():.3f}")
    print(
        f"  per baseline: min {found.min():.3f}, 10th percentile {np.quantile(found, 0.1):.3f}, "
        f"median {np.median(found):.3f}, 90th percentile {np.quantile(found, 0.9):.3f}, "
        f"max {found.max():.3f}"
    )


if __name__ == "__main__":
    main()
