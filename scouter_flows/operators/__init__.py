"""Airflow operators (install the `airflow` extra)."""

from scouter_flows.operators.drift import (
    DispatchAlertsOperator,
    DriftMonitorOperator,
    EvalMonitorOperator,
    choose_dispatch_branch,
    window_from_context,
)
from scouter_flows.operators.hooks import ScouterStoreHook
from scouter_flows.operators.retention import PruneResultsOperator

__all__ = [
    "DispatchAlertsOperator",
    "DriftMonitorOperator",
    "EvalMonitorOperator",
    "PruneResultsOperator",
    "ScouterStoreHook",
    "choose_dispatch_branch",
    "window_from_context",
]
