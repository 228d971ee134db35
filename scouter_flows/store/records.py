"""Records the store writes and returns: plain, frozen and JSON-able."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

AlertStatus = Literal["pending", "sent", "failed"]
Severity = Literal["warning", "critical"]


@dataclass(slots=True, frozen=True)
class AlertRecord:
    """An alert to be written to the outbox with its run.

    `dedup_key` is stable across windows (space/name/version + entity + kind), so the same breach
    in consecutive windows is recognisable.
    """

    dedup_key: str
    entity: str
    kind: str
    severity: Severity
    value: float | None
    threshold: float | None
    message: str


@dataclass(slots=True, frozen=True)
class StoredAlert:
    """An alert as the outbox holds it."""

    id: int
    run_id: int | None
    eval_run_id: int | None
    dedup_key: str
    entity: str
    kind: str
    severity: Severity
    value: float | None
    threshold: float | None
    message: str
    status: AlertStatus
    attempts: int
    last_error: str | None
    provider_ref: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(slots=True, frozen=True)
class RunWritten:
    """What a drift-run write produced: small enough for an XCom or a Prefect result."""

    run_id: int
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

    run_id: int
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
