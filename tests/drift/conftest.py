"""Data shared by the drift tests."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="session")
def dataset_a() -> tuple[np.ndarray, np.ndarray]:
    """Scouter's reference dataset A (shared/reference/scouter-drift.md, section 7)."""
    rng = np.random.default_rng(42)
    ref = rng.normal(0, 1, (1000, 3))
    cur = rng.normal(0, 1, (1000, 3))
    cur[:, 1] += 0.25
    cur[:, 2] *= 1.5
    return ref, cur
