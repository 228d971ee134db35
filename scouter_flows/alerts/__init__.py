"""Alert rules, the outbox and the dispatchers."""

from scouter_flows.alerts.console import ConsoleDispatcher
from scouter_flows.alerts.outbox import DispatchSummary, dispatch_pending
from scouter_flows.alerts.rules import drift_alerts

__all__ = ["ConsoleDispatcher", "DispatchSummary", "dispatch_pending", "drift_alerts"]
