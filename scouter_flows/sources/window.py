"""Moved to `scouter_flows.window`, which every layer may import; kept so old imports work."""

from scouter_flows.window import Window, ensure_utc

__all__ = ["Window", "ensure_utc"]
