"""Prefect tasks, flows and blocks (install the `prefect` extra)."""

from scouter_flows.flows.blocks import ScouterOpsGenie, ScouterSlack, ScouterStore
from scouter_flows.flows.drift import (
    compute_drift_task,
    dispatch_alerts_task,
    drift_monitor_flow,
    load_profile_task,
    persist_drift_task,
)
from scouter_flows.flows.evaluate import eval_monitor_flow, evaluate_window_task

__all__ = [
    "ScouterOpsGenie",
    "ScouterSlack",
    "ScouterStore",
    "compute_drift_task",
    "dispatch_alerts_task",
    "drift_monitor_flow",
    "eval_monitor_flow",
    "evaluate_window_task",
    "load_profile_task",
    "persist_drift_task",
]
