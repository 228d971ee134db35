"""The default SPC judgement: a two-sided CUSUM and a single-mean limit, calibrated so a window
of m subgroup means with no drift alerts with probability `alpha`, whatever m.

The Western Electric rules have a fixed false-alarm rate per subgroup (about 1 in 91 for the
four rules together), so a window of 200 subgroups alerts on most clean days. Here the limits
depend on m. With z_i = (mean_i - centre) / SE:

- CUSUM: S+_i = max(0, S+_{i-1} + z_i - k), S-_i = max(0, S-_{i-1} - z_i - k), k = 0.25 (half
  the 0.5 SE shift it is tuned to: the CUSUM is the quickest test of a sustained shift of 2k).
  It alerts when max(S+, S-) > h(m).
- Single mean: |z_i| > L(m), the Sidak limit for a fifth of alpha over m means, so a single
  wild subgroup is not missed while the CUSUM waits for evidence to add up.

h(m) is found by simulating 20,000 windows of m independent standard normal means (after the
carried-over means, when there are some) and taking the value that exactly alpha of them,
counting those caught by L, exceed. The centre itself is estimated from the baseline's B
subgroups, so it is off by N(0, 1/B) standard errors, the same for every mean of a window: a
sustained offset, just what a CUSUM detects. Each simulated window therefore carries such an
offset, and a small baseline gets wider limits instead of alerting on clean windows. The
simulation is seeded and done once per m (rounded up to a grid 15 % apart, which only lowers
the rate) and cached. Windows longer than 4,096 means are judged as blocks of at most 4,096 at
a Sidak-corrected alpha.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

REFERENCE = 0.25
"""k, in standard errors: half of the smallest shift the chart is tuned to catch quickly."""
CARRY = 24
"""Means of the previous window a chart starts from, so a shift across two windows is seen."""
SINGLE_MEAN_SHARE = 0.2
"""The share of alpha spent on the single-mean limit; the CUSUM gets the rest."""
SIMULATED_WINDOWS = 20_000
MAX_BLOCK = 4_096
_GRID_STEP = 1.15
_CHUNK = 2_000


@dataclass(frozen=True, slots=True)
class CusumLimits:
    """The decision interval h of the CUSUM and the single-mean limit L, in standard errors."""

    h: float
    single_mean: float


def calibrated_limits(
    m: int, alpha: float, carried: int = 0, baseline_subgroups: int | None = None
) -> CusumLimits:
    """The limits for a window of `m` means after `carried` carried-over means, judged against
    a centre estimated from `baseline_subgroups` subgroups (None: a known centre).

    Example:
        >>> limits = calibrated_limits(200, 0.05)
        >>> round(limits.single_mean, 2), 10 < limits.h < 16  # h: seeded, so repeatable
        (4.08, True)
    """
    if m < 1:
        raise ValueError(f"a window needs at least one subgroup mean, got {m}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    blocks = math.ceil(m / MAX_BLOCK)
    if blocks > 1:
        alpha = 1 - (1 - alpha) ** (1 / blocks)
        m = MAX_BLOCK
    baseline = 0 if baseline_subgroups is None else _grid_down(max(1, baseline_subgroups))
    return _simulate(_grid(m), round(alpha, 12), min(carried, CARRY), baseline)


def _grid(m: int) -> int:
    size = 1
    while size < m:
        size = max(size + 1, math.ceil(size * _GRID_STEP))
    return min(size, MAX_BLOCK)


def _grid_down(b: int) -> int:
    """The largest grid value at most `b` (fewer subgroups: a wider offset, lower rate)."""
    size = 1
    while True:
        step = max(size + 1, math.ceil(size * _GRID_STEP))
        if step > b:
            return size
        size = step


@lru_cache(maxsize=256)
def _simulate(m: int, alpha: float, carried: int, baseline: int) -> CusumLimits:
    single_alpha = SINGLE_MEAN_SHARE * alpha
    from scipy.special import ndtri  # norm.isf(q) is -ndtri(q); scipy.stats is slow to import

    single = -float(ndtri((1 - (1 - single_alpha) ** (1 / m)) / 2))
    rng = np.random.default_rng([0x5C0, m, carried, baseline])
    peaks, caught = [], []
    for start in range(0, SIMULATED_WINDOWS, _CHUNK):
        rows = min(_CHUNK, SIMULATED_WINDOWS - start)
        z = rng.standard_normal((rows, carried + m))
        if baseline:
            z += rng.standard_normal((rows, 1)) / math.sqrt(baseline)
        upper, lower = cusum_paths(z)
        peak = np.maximum(upper, lower)[:, carried:].max(axis=1)
        peaks.append(peak)
        caught.append(np.abs(z[:, carried:]).max(axis=1) > single)
    peak = np.concatenate(peaks)
    by_single = np.concatenate(caught)
    # h such that (caught by L) + (not caught by L, CUSUM above h) is alpha of all windows.
    wanted = max(0, round(alpha * SIMULATED_WINDOWS) - int(by_single.sum()))
    rest = np.sort(peak[~by_single])[::-1]
    h = float(rest[wanted]) if wanted < rest.size else 0.0
    return CusumLimits(h=h, single_mean=single)


def cusum_paths(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """S+ and S- along the last axis of `z`, both starting at 0.

    Lindley's form S_i = W_i - min(0, W_1, ..., W_i), with W the running sum of z - k (of -z - k
    for S-), computes the recursion with two cumulative passes instead of a Python loop.
    """
    return _lindley(z - REFERENCE), _lindley(-z - REFERENCE)


def _lindley(steps: np.ndarray) -> np.ndarray:
    walk = np.cumsum(steps, axis=-1)
    floor = np.minimum(np.minimum.accumulate(walk, axis=-1), 0.0)
    result: np.ndarray = walk - floor
    return result


def alarm_starts(flags: np.ndarray) -> np.ndarray:
    """Indexes where `flags` turns True (a run of alarms counts once)."""
    starts = flags.copy()
    starts[1:] &= ~flags[:-1]
    return np.flatnonzero(starts)
