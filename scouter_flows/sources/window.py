"""Deprecated: `Window` and `ensure_utc` live in `scouter_flows.window` (every layer shares
them); this module keeps old imports working for one minor version."""

from scouter_flows.deprecation import moved_names

__getattr__ = moved_names(
    __name__,
    {"Window": "scouter_flows.window:Window", "ensure_utc": "scouter_flows.window:ensure_utc"},
)
