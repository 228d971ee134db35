"""Airflow operators (install the `airflow` extra)."""

from scouter_flows.operators.drift import (
    DispatchAlertsOperator,
    DriftMonitorOperator,
    choose_dispatch_branch,
    window_from_context,
)

__all__ = [
    "DispatchAlertsOperator",
    "DriftMonitorOperator",
    "choose_dispatch_branch",
    "window_from_context",
]
