"""Airflow operators (install the `airflow` extra)."""

from scouter_flows.operators.drift import (
    DispatchAlertsOperator,
    DriftMonitorOperator,
    EvalMonitorOperator,
    choose_dispatch_branch,
    window_from_context,
)
from scouter_flows.operators.hooks import ScouterStoreHook

__all__ = [
    "DispatchAlertsOperator",
    "DriftMonitorOperator",
    "EvalMonitorOperator",
    "ScouterStoreHook",
    "choose_dispatch_branch",
    "window_from_context",
]
