"""Numbers as a person reads them in artifacts, tables and summaries; the store and `--json`
keep full precision."""

from __future__ import annotations

import math

DIGITS = 4


def significant(value: float | None, digits: int = DIGITS) -> float | None:
    """`value` rounded to `digits` significant digits (None, zero and non-finite as they are).

    Example:
        >>> significant(0.0014865834755656648)
        0.001487
        >>> significant(12345.678)
        12350.0
    """
    if value is None or value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")
