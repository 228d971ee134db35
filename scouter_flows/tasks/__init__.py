"""Orchestrator-neutral steps: small JSON-able inputs and outputs, never frames."""

from scouter_flows.profiles.monitors import parse_key
from scouter_flows.tasks.batch import monitor_batch
from scouter_flows.tasks.data_profile import persist_data_profile, profile_summary, profile_window
from scouter_flows.tasks.display import significant
from scouter_flows.tasks.drift import (
    ProfileRef,
    compute_partition,
    compute_window_drift,
    dispatch_alerts,
    finalize_partitions,
    load_profile,
    persist_drift,
    preview_drift,
    should_dispatch,
    stored_profile,
)
from scouter_flows.tasks.evaluate import evaluate_window, load_eval_profile, run_offline_eval
from scouter_flows.tasks.partitions import (
    Partition,
    Partitioning,
    PerformanceSpec,
    plan_partitions,
)
from scouter_flows.tasks.retention import parse_age, prune_results

__all__ = [
    "Partition",
    "Partitioning",
    "PerformanceSpec",
    "ProfileRef",
    "compute_partition",
    "compute_window_drift",
    "dispatch_alerts",
    "evaluate_window",
    "finalize_partitions",
    "load_eval_profile",
    "load_profile",
    "monitor_batch",
    "parse_age",
    "parse_key",
    "persist_data_profile",
    "persist_drift",
    "plan_partitions",
    "preview_drift",
    "profile_summary",
    "profile_window",
    "prune_results",
    "run_offline_eval",
    "should_dispatch",
    "significant",
    "stored_profile",
]
