"""Prefect tasks, flows and blocks (install the `prefect` extra)."""

from scouter_flows.flows.backfill import backfill_flow, backfill_windows
from scouter_flows.flows.blocks import ScouterOpsGenie, ScouterSlack, ScouterStore
from scouter_flows.flows.drift import (
    compute_drift_task,
    dispatch_alerts_task,
    drift_monitor_flow,
    load_profile_task,
    merge_partials_task,
    partial_statistics_task,
    persist_drift_task,
    plan_partitions_task,
)
from scouter_flows.flows.evaluate import evaluate_window_task, genai_eval_flow
from scouter_flows.flows.monitors import (
    data_profile_flow,
    monitor_batch_task,
    performance_flow,
    persist_data_profile_task,
    profile_window_task,
)
from scouter_flows.flows.run_logs import forward_to_run_logs
from scouter_flows.flows.versions import warn_if_the_local_server_would_fail

# Console alerts and the package's warnings appear on the run's page, not only in a terminal.
forward_to_run_logs()
warn_if_the_local_server_would_fail()

__all__ = [
    "ScouterOpsGenie",
    "ScouterSlack",
    "ScouterStore",
    "backfill_flow",
    "backfill_windows",
    "compute_drift_task",
    "data_profile_flow",
    "dispatch_alerts_task",
    "drift_monitor_flow",
    "evaluate_window_task",
    "genai_eval_flow",
    "load_profile_task",
    "merge_partials_task",
    "monitor_batch_task",
    "partial_statistics_task",
    "performance_flow",
    "persist_data_profile_task",
    "persist_drift_task",
    "plan_partitions_task",
    "profile_window_task",
]
