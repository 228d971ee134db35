"""Orchestrator-neutral steps: small JSON-able inputs and outputs, never frames."""

from scouter_flows.tasks.drift import (
    ProfileRef,
    compute_window_drift,
    dispatch_alerts,
    load_profile,
    persist_drift,
    should_dispatch,
)
from scouter_flows.tasks.evaluate import evaluate_window, load_eval_profile, run_offline_eval
from scouter_flows.tasks.retention import parse_age, prune_results

__all__ = [
    "ProfileRef",
    "compute_window_drift",
    "dispatch_alerts",
    "evaluate_window",
    "load_eval_profile",
    "load_profile",
    "parse_age",
    "persist_drift",
    "prune_results",
    "run_offline_eval",
    "should_dispatch",
]
