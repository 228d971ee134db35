"""Exact sums of floats, so a window mean is rounded once and partial sums merge without error.

A float sum rounds at every step: thirty observations of 0.92 sum to a value whose mean is
0.9200000000000007, which is above 0.92 and flips an `Above 0.92` rule. Here every finite
float64 is split into its integer mantissa and its exponent, mantissas of one exponent are
added as integers (exact), and the result is a `Fraction`; the mean is that fraction divided
by the count, rounded to the nearest float once.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import numpy.typing as npt

_HALF = 26  # mantissas (53 bits) are added as two halves, so int64 sums never overflow


def exact_sum(values: npt.NDArray[np.float64]) -> Fraction:
    """The exact sum of finite `values` (no rounding).

    Example:
        >>> import numpy as np
        >>> float(exact_sum(np.full(30, 0.92)) / 30)
        0.92
        >>> sum([0.92] * 30) / 30  # a float sum rounds at every step
        0.9200000000000007
    """
    if values.size == 0:
        return Fraction(0)
    mantissas, exponents = np.frexp(np.ascontiguousarray(values, dtype=np.float64))
    whole = np.ldexp(mantissas, 53).astype(np.int64)  # |m| < 1, so 53 bits: exact
    order = np.argsort(exponents, kind="stable")
    exponents = exponents[order]
    whole = whole[order]
    starts = np.flatnonzero(np.r_[True, exponents[1:] != exponents[:-1]])
    # Each half stays below 2**27 in size, so a group of up to 2**36 values sums in int64.
    highs = np.add.reduceat(whole >> _HALF, starts)
    lows = np.add.reduceat(whole & ((1 << _HALF) - 1), starts)
    total = Fraction(0)
    for exponent, high, low in zip(exponents[starts], highs, lows, strict=True):
        scaled = (int(high) << _HALF) + int(low)
        shift = int(exponent) - 53
        total += scaled * (Fraction(2) ** shift)
    return total
