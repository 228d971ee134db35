"""Airflow operators (install the `airflow` extra)."""

from scouter_flows.operators.drift import (
    DispatchAlertsOperator,
    DriftMonitorOperator,
    choose_dispatch_branch,
    window_from_context,
)
from scouter_flows.operators.hooks import ScouterStoreHook

__all__ = [
    "DispatchAlertsOperator",
    "DriftMonitorOperator",
    "ScouterStoreHook",
    "choose_dispatch_branch",
    "window_from_context",
]
