"""The console dispatcher: readable alert lines to the log and to stderr."""

from __future__ import annotations

import logging
from typing import TextIO

from scouter_flows.store.records import StoredAlert

logger = logging.getLogger("scouter_flows.alerts")


class ConsoleDispatcher:
    """Writes each alert as one line to the `scouter_flows.alerts` logger (and to `stream`).

    Orchestrators capture that logger in the task log; `stream` is for scripts and tests.
    """

    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def send(self, alert: StoredAlert) -> str | None:
        """Print `alert`; the console has no provider reference, so this returns None."""
        line = f"[{alert.severity.upper()}] {alert.message}"
        logger.warning(line)
        if self._stream is not None:
            print(line, file=self._stream, flush=True)
        return None
