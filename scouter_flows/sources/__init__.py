"""Where monitored rows come from: files, SQL tables, frames in memory, the `InferenceLogger`.

Every source returns a `polars.LazyFrame` filtered to a `scouter_flows.Window`, with the
filters pushed into the scan. Sources and the logger are re-exported from `scouter_flows`;
the sample-data generators of the demo are here.
"""

from scouter_flows.lazy import lazy_exports

_EXPORTS = {
    "sample_frame": "scouter_flows.sources.sample",
    "generate_sample_data": "scouter_flows.sources.sample",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
