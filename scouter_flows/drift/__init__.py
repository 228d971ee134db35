"""The statistics: PSI, SPC, custom metrics, model performance and data profiles.

Each kernel reads a `polars.LazyFrame` and returns a result model from `scouter_flows.profiles`;
partial statistics (`PsiPartial`, `SpcPartial`, ...) merge exactly across partitions. Nothing
here reads files or writes the store. Users call these through `scouter_flows.Drifter`.
"""
