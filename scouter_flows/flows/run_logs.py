"""scouter-flows' own log records (console alerts, warnings) in the Prefect run's logs.

Prefect sends only its run loggers to the API, so a console alert written to the
`scouter_flows.alerts` logger inside a run reached the terminal that ran it but not the run's
page in the UI. `forward_to_run_logs` adds Prefect's API log handler to the `scouter_flows`
logger, limited to records emitted inside a flow or task run.
"""

from __future__ import annotations

import logging

from prefect.context import FlowRunContext, TaskRunContext
from prefect.logging.handlers import APILogHandler

LOGGER = "scouter_flows"


class RunLogHandler(APILogHandler):
    """Prefect's API log handler for records emitted inside a run; others are left alone
    (outside a run there is no page to show them on)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Send the record to the current run's logs, if there is a current run."""
        if FlowRunContext.get() is None and TaskRunContext.get() is None:
            return
        super().emit(record)


def forward_to_run_logs(name: str = LOGGER) -> RunLogHandler:
    """Forward the `name` logger's records inside runs to the run's logs (once per process).

    Example:
        >>> forward_to_run_logs() is forward_to_run_logs()
        True
    """
    logger = logging.getLogger(name)
    for handler in logger.handlers:
        if isinstance(handler, RunLogHandler):
            return handler
    handler = RunLogHandler()
    logger.addHandler(handler)
    return handler
