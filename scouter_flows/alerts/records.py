"""The alert records every layer shares: a breach to store, its destinations, the outbox row.

Plain, frozen and JSON-able; the store writes and returns them, the rules build them, the
dedup rule and the dispatchers read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

AlertStatus = Literal[
    "pending", "sent", "failed", "suppressed", "abandoned", "superseded", "resolved"
]
AlertEvent = Literal["trigger", "resolve"]
Severity = Literal["warning", "critical"]

WINDOW_ENTITY = "(window)"
"""The entity of an alert about the window itself (no rows: a data-freshness alert); judged in
every window that has rows, so it resolves when rows arrive again."""


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
    details: dict[str, Any] | None = None


@dataclass(slots=True, frozen=True)
class Destination:
    """Where a run's alerts go: a key such as `slack:#ml-alerts`, the dispatch config as JSON,
    and whether resolutions are written for it."""

    key: str
    config: dict[str, Any]
    resolutions: bool = False


CONSOLE = Destination("console", {"kind": "console"})


@dataclass(slots=True, frozen=True)
class AlertPolicy:
    """How a run's alerts enter the outbox: one row per destination; a breach still firing
    from the previous window is `suppressed` until `cooldown` has passed since it was last
    notified (None: until it resolves)."""

    destinations: tuple[Destination, ...] = (CONSOLE,)
    cooldown: timedelta | None = timedelta(days=7)
    link: str | None = None


@dataclass(slots=True, frozen=True)
class StoredAlert:
    """An alert (for one destination) as the outbox holds it, with its profile and window."""

    id: int
    run_id: int | None
    eval_run_id: int | None
    space: str
    name: str
    version: str
    dedup_key: str
    destination: str
    dispatch: dict[str, Any] | None
    event: AlertEvent
    entity: str
    kind: str
    severity: Severity
    value: float | None
    threshold: float | None
    message: str
    details: dict[str, Any] | None
    link: str | None
    window_start: datetime | None
    window_end: datetime | None
    status: AlertStatus
    attempts: int
    last_error: str | None
    provider_ref: str | None
    created_at: datetime
    sent_at: datetime | None
    claimed_by: str | None = None
    claimed_until: datetime | None = None

    @property
    def profile(self) -> str:
        """`space/name/version` of the profile whose run raised the alert."""
        return f"{self.space}/{self.name}/{self.version}"


UNSENT = ("pending", "failed")
"""Statuses the dispatcher still has to deliver (`suppressed` rows are never sent)."""
NOTIFIED = ("sent", "pending")
"""A breach counts as announced once sent, or while waiting to be sent; a failed, abandoned,
superseded or suppressed row does not count, so a delivery that failed one day is made the
next rather than suppressed for the whole cool-down."""
PASS_RATE = "pass_rate"
"""The entity of an eval run's pass-rate alert."""
