"""Where monitored rows come from: files, SQL tables, frames in memory, the `InferenceLogger`.

Every source returns a `polars.LazyFrame` filtered to a `scouter_flows.Window`, with the
filters pushed into the scan. Public names are re-exported from `scouter_flows`.
"""
