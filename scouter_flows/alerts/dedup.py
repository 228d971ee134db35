"""The dedup rule: which of a window's breaches are sent, which are held back, what resolves.

A pure function of the window's alerts and what the outbox holds around the window
(`AlertHistory`); the store reads that history and writes the entries in one transaction.

Example:
    >>> from datetime import UTC, datetime, timedelta
    >>> from scouter_flows.window import Window
    >>> breach = AlertRecord("credit/risk/1:age:psi_drift", "age", "psi_drift", "warning",
    ...                      0.4, 0.1, "age drifted")
    >>> day = Window(datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))
    >>> yesterday = AlertHistory(
    ...     previous={(breach.dedup_key, "console"): breach},
    ...     last_announced={(breach.dedup_key, "console"): day.start},
    ... )
    >>> [e.status for e in decide([breach], {"age"}, AlertPolicy(), day, yesterday)]
    ['suppressed']
    >>> [e.status for e in decide([breach], {"age"}, AlertPolicy(), day, AlertHistory())]
    ['pending']
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from scouter_flows.alerts.records import (
    NOTIFIED,
    AlertEvent,
    AlertPolicy,
    AlertRecord,
    AlertStatus,
    Destination,
)
from scouter_flows.window import Window

Pair = tuple[str, str]
"""A breach at one destination: (dedup key, destination key)."""


@dataclass(frozen=True)
class LaterWindow:
    """A window of the same profile written after (and ending later than) the one judged:
    its end and the status of each breach it stored, by pair."""

    end: datetime
    statuses: Mapping[Pair, AlertStatus]


@dataclass(frozen=True)
class AlertHistory:
    """What the outbox holds around the window being judged.

    Attributes:
        previous: The breaches of the profile's latest earlier window, by pair.
        last_announced: For those pairs, the end of the latest earlier window that announced
            them (a row `sent`, or `pending` on its way: `NOTIFIED`).
        later: The profile's later windows within the cool-down, oldest first.
    """

    previous: Mapping[Pair, AlertRecord] = field(default_factory=dict)
    last_announced: Mapping[Pair, datetime] = field(default_factory=dict)
    later: Sequence[LaterWindow] = ()


@dataclass(frozen=True)
class OutboxEntry:
    """One row to write: an alert for one destination, as a trigger or a resolution."""

    alert: AlertRecord
    destination: Destination
    event: AlertEvent
    status: Literal["pending", "suppressed"]


def decide(
    alerts: Sequence[AlertRecord],
    judged: Collection[str],
    policy: AlertPolicy,
    window: Window,
    history: AlertHistory,
) -> list[OutboxEntry]:
    """The outbox entries of one window: a trigger per breach and destination, `pending` or
    `suppressed`, and a `pending` resolution per announced breach that stopped firing.

    A breach is `suppressed` when a later window of the same streak already announced it
    within the cool-down (a backfill running newest first), or when it also fired in the
    previous window and was announced less than `policy.cooldown` before this window's end
    (None: until it resolves). A breach never announced (its deliveries failed) is `pending`
    again. A breach of the previous window that no longer fires, on an entity judged in this
    window (`judged`), resolves at each destination that wants resolutions, if it was
    announced there.
    """
    firing = {alert.dedup_key for alert in alerts}
    covered = announced_later(firing, policy, window, history.later)
    entries: list[OutboxEntry] = []
    for alert in alerts:
        for destination in policy.destinations:
            pair = (alert.dedup_key, destination.key)
            suppressed = pair in covered or (
                pair in history.previous
                and _recent(history.last_announced.get(pair), policy, window)
            )
            status: Literal["pending", "suppressed"] = "suppressed" if suppressed else "pending"
            entries.append(OutboxEntry(alert, destination, "trigger", status))
    by_key = {d.key: d for d in policy.destinations}
    for (key, destination_key), was in history.previous.items():
        target = by_key.get(destination_key)
        if target is None or not target.resolutions or key in firing or was.entity not in judged:
            continue
        if (key, destination_key) not in history.last_announced:
            continue  # nobody was told of this breach: no "resolved" either
        resolved = AlertRecord(
            dedup_key=key,
            entity=was.entity,
            kind=was.kind,
            severity=was.severity,
            value=None,
            threshold=was.threshold,
            message=f"resolved (was: {was.message})",
        )
        entries.append(OutboxEntry(resolved, target, "resolve", "pending"))
    return entries


def announced_later(
    firing: Collection[str], policy: AlertPolicy, window: Window, later: Sequence[LaterWindow]
) -> set[Pair]:
    """The pairs firing now that a later window of the same streak (every window in between
    fired them too) announced less than `policy.cooldown` after `window` ended."""
    alive = {(key, d.key) for key in firing for d in policy.destinations}
    covered: set[Pair] = set()
    for run in later:  # walk forward while the streak lasts
        if policy.cooldown is not None and run.end >= window.end + policy.cooldown:
            break
        alive = {pair for pair in alive if pair in run.statuses}
        covered |= {pair for pair in alive if run.statuses[pair] in NOTIFIED}
        if not alive:
            break
    return covered


def _recent(last: datetime | None, policy: AlertPolicy, window: Window) -> bool:
    return last is not None and (policy.cooldown is None or window.end - last < policy.cooldown)
