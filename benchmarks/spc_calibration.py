"""SPC calibration: false-alarm and detection rates per window, calibrated judgement vs the rule
string, from simulated windows (not a test).

For m = 10, 50, 200 and 1,000 subgroups of 25 rows per window and a sustained shift of 0, 0.25,
0.5 and 1 standard error of the subgroup mean, it judges `--windows` independent windows (each
a feature of one chart) with the default `method="calibrated"` and with Scouter's rule string
`8 16 4 8 2 4 1 1`, and prints the share that alert. At shift 0 that share is the false-alarm
rate per feature and window; the calibrated judgement aims at alpha = 0.05 for every m.

    python benchmarks/spc_calibration.py --windows 2000
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from scouter_flows import SpcDriftConfig, SpcDriftProfile, SpcRule
from scouter_flows.drift.spc import Chart, judge_calibrated, judge_charts
from scouter_flows.profiles.spc import SpcFeatureProfile

SIZES = (10, 50, 200, 1_000)
SHIFTS = (0.0, 0.25, 0.5, 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=2_000)
    parser.add_argument("--baseline-subgroups", type=int, default=10_000)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    profile = SpcDriftProfile(
        config=SpcDriftConfig(space="bench", name="spc"),
        features={
            "x": SpcFeatureProfile(
                center=0.0, sigma=5.0, sample_size=25, subgroups=args.baseline_subgroups
            )
        },
        baseline_rows=25 * args.baseline_subgroups,
        leftover_rows=0,
    )
    chart = profile.features["x"]
    print(f"{args.windows} windows per cell; alerting share (shift in SE of a subgroup mean)")
    print(f"{'m':>6} {'shift':>6} {'calibrated':>11} {'rule string':>12}")
    started = time.perf_counter()
    for m in SIZES:
        for shift in SHIFTS:
            # subgroup means directly: centre + (shift + N(0, 1)) standard errors
            z = rng.standard_normal((args.windows, m)) + shift
            charts = [
                Chart(
                    previous=np.empty(0),
                    means=chart.center + row * chart.standard_error,
                    center=chart.center,
                    standard_error=chart.standard_error,
                    baseline_subgroups=chart.subgroups,
                )
                for row in z
            ]
            calibrated = np.mean([bool(j.alerts) for j in judge_calibrated(charts, 0.05)])
            rules = np.mean([bool(j.alerts) for j in judge_charts(charts, SpcRule())])
            print(f"{m:>6} {shift:>6.2f} {calibrated:>11.3f} {rules:>12.3f}")
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
