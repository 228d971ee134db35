"""Alert rules, the outbox and the dispatchers (console, Slack, OpsGenie)."""

from scouter_flows.alerts.console import ConsoleDispatcher
from scouter_flows.alerts.credentials import Credentials, OpsGenieCredentials, SlackCredentials
from scouter_flows.alerts.delivery import AlertBatch, DeliveryError, Dispatcher, RetryPolicy
from scouter_flows.alerts.dispatch import DispatchSummary, dispatch_pending
from scouter_flows.alerts.rules import alert_policy, drift_alerts, pass_rate_alerts

__all__ = [
    "AlertBatch",
    "ConsoleDispatcher",
    "Credentials",
    "DeliveryError",
    "DispatchSummary",
    "Dispatcher",
    "OpsGenieCredentials",
    "RetryPolicy",
    "SlackCredentials",
    "alert_policy",
    "dispatch_pending",
    "drift_alerts",
    "pass_rate_alerts",
]
