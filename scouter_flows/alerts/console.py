"""The console dispatcher: readable alert lines to the log and, optionally, a stream."""

from __future__ import annotations

import logging
from typing import TextIO

from scouter_flows.alerts.delivery import AlertBatch

logger = logging.getLogger("scouter_flows.alerts")


class ConsoleDispatcher:
    """Writes each alert as one line to the `scouter_flows.alerts` logger (and to `stream`).

    Orchestrators capture that logger in the task log; `stream` is for scripts and tests.
    """

    kind = "console"
    grouped = False

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def send(self, batch: AlertBatch) -> str | None:
        """Print each alert; the console has no provider reference, so this returns None."""
        for alert in batch.alerts:
            label = "RESOLVED" if alert.event == "resolve" else alert.severity.upper()
            line = f"[{label}] {alert.profile} in {batch.window}: {alert.message}"
            if alert.link:
                line += f" ({alert.link})"
            logger.warning(line)
            if self._stream is not None:
                print(line, file=self._stream, flush=True)
        return None
