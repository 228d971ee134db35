"""Deprecated: `Window` and `ensure_utc` live in `scouter_flows.window` (every layer shares
them); this module keeps old imports working for one minor version."""

from __future__ import annotations

import warnings
from typing import Any

_MOVED = ("Window", "ensure_utc")


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        warnings.warn(
            f"scouter_flows.sources.window.{name} moved to scouter_flows.window.{name}; "
            "import it from there (or use scouter_flows.Window)",
            DeprecationWarning,
            stacklevel=2,
        )
        from scouter_flows import window

        return getattr(window, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
