"""Records the store writes and returns: plain, frozen and JSON-able."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# The alert records live with the rules that build them; the store has always offered them.
from scouter_flows.alerts.records import (
    CONSOLE,
    WINDOW_ENTITY,
    AlertEvent,
    AlertPolicy,
    AlertRecord,
    AlertStatus,
    Destination,
    Severity,
    StoredAlert,
)

__all__ = [
    "CONSOLE",
    "WINDOW_ENTITY",
    "AlertEvent",
    "AlertPolicy",
    "AlertRecord",
    "AlertStatus",
    "Destination",
    "EvalRunWritten",
    "RunWritten",
    "Severity",
    "StoredAlert",
]


@dataclass(slots=True, frozen=True)
class RunWritten:
    """What a drift-run write produced: small enough for an XCom or a Prefect result."""

    run_id: int | None
    profile_id: int
    window_start: str
    window_end: str
    status: str
    rows_observed: int
    features: int
    drifted: list[str]
    pending_alerts: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return asdict(self)


@dataclass(slots=True, frozen=True)
class EvalRunWritten:
    """What an eval-run write produced: small enough for an XCom or a Prefect result."""

    run_id: int | None
    profile_id: int
    window_start: str
    window_end: str
    status: str
    records: int
    evaluated: int
    pass_rate: float | None
    pending_alerts: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return asdict(self)
