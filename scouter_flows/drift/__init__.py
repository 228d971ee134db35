"""The statistics: PSI, SPC, custom metrics, model performance and data profiles.

Each kernel reads a `polars.LazyFrame` and returns a result model from `scouter_flows.profiles`;
partial statistics (`psi_partial`, `spc_partial`, `custom_partial` and their `finalize_*`)
merge exactly across partitions. Nothing
here reads files or writes the store. Users call these through `scouter_flows.Drifter`.
"""

from scouter_flows.lazy import lazy_exports

_EXPORTS = {
    "psi_partial": "scouter_flows.drift.psi",
    "finalize_psi_drift": "scouter_flows.drift.psi",
    "compute_psi_drift": "scouter_flows.drift.psi",
    "spc_partial": "scouter_flows.drift.spc",
    "finalize_spc_drift": "scouter_flows.drift.spc",
    "compute_spc_drift": "scouter_flows.drift.spc",
    "spc_profile_partial": "scouter_flows.drift.spc",
    "finalize_spc_profile": "scouter_flows.drift.spc",
    "custom_partial": "scouter_flows.drift.custom",
    "finalize_custom_drift": "scouter_flows.drift.custom",
    "compute_custom_drift": "scouter_flows.drift.custom",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
