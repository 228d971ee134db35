"""What a dispatcher is given (a batch of alerts) and how a delivery is retried."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from scouter_flows.alerts.records import AlertEvent, Severity, StoredAlert


class DeliveryError(Exception):
    """A delivery attempt failed; `retryable` says whether trying again can help.

    The message holds the provider's reply, never a credential.
    """

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(slots=True, frozen=True)
class AlertBatch:
    """Alerts of one run, for one destination and event, delivered together where the provider
    allows it (one Slack message lists them all; OpsGenie gets one alert each)."""

    alerts: tuple[StoredAlert, ...]

    @property
    def first(self) -> StoredAlert:
        """The first alert (all share the run, destination and event)."""
        return self.alerts[0]

    @property
    def ids(self) -> list[int]:
        """Outbox ids of the alerts."""
        return [a.id for a in self.alerts]

    @property
    def event(self) -> AlertEvent:
        """`trigger` or `resolve`."""
        return self.first.event

    @property
    def config(self) -> dict[str, Any]:
        """The destination's dispatch config as stored with the alerts."""
        return self.first.dispatch or {"kind": "console"}

    @property
    def severity(self) -> Severity:
        """The highest severity in the batch."""
        return "critical" if any(a.severity == "critical" for a in self.alerts) else "warning"

    @property
    def window(self) -> str:
        """The run's window as `start .. end` (ISO-8601, UTC)."""
        return _window_text(self.first.window_start, self.first.window_end)


def _window_text(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return "unknown window"
    return f"{start.isoformat()} .. {end.isoformat()}"


class Dispatcher(Protocol):
    """Delivers one batch and returns the provider's reference for it (or None)."""

    kind: str
    grouped: bool
    """Whether one call delivers a whole batch (Slack) or one alert (OpsGenie, console)."""

    def send(self, batch: AlertBatch) -> str | None:
        """Deliver `batch`; raise `DeliveryError` (or any exception) on failure."""
        ...


@dataclass(slots=True, frozen=True)
class RetryPolicy:
    """Attempts per delivery, the exponential back-off between them, and the call timeout.

    Timeouts, 429 and 5xx replies are retried (a 429's Retry-After is honoured up to
    `max_retry_after`; beyond it the delivery fails and the orchestrator's retry takes over);
    other 4xx replies fail at once. An alert whose deliveries failed `give_up_after` times in
    all (over every dispatch pass) is `abandoned`: no longer retried, still listed by
    `Store.open_alerts()`; None retries for ever.
    """

    attempts: int = 3
    initial_delay: float = 1.0
    max_delay: float = 30.0
    timeout: float = 10.0
    max_retry_after: float = 120.0
    give_up_after: int | None = 12

    def __post_init__(self) -> None:
        if (
            self.attempts < 1
            or self.timeout <= 0
            or self.initial_delay < 0
            or (self.give_up_after is not None and self.give_up_after < 1)
        ):
            raise ValueError(
                "RetryPolicy needs attempts >= 1, timeout > 0, initial_delay >= 0 and "
                f"give_up_after >= 1 (or None); got {self}"
            )

    def lease(self) -> timedelta:
        """How long a dispatcher holds the alerts it delivers: its worst case (every attempt
        timing out, the longest wait between them) and a minute's margin. A dispatcher that
        dies mid-delivery blocks its alerts for this long, then another may send them."""
        waits = (self.attempts - 1) * max(self.max_delay, self.max_retry_after)
        return timedelta(seconds=self.attempts * self.timeout + waits + 60)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based): jittered exponential, at
        least the provider's Retry-After."""
        backoff = min(self.max_delay, self.initial_delay * 2 ** (attempt - 1))
        backoff *= random.uniform(0.5, 1.0)  # jitter, so retries of many tasks spread out
        return float(max(backoff, retry_after or 0.0))


def deliver(
    send: Callable[[], str | None],
    policy: RetryPolicy,
    on_failure: Callable[[DeliveryError], None],
    sleep: Callable[[float], None] = time.sleep,
) -> str | None:
    """Call `send` until it succeeds or the policy gives up; report every failed attempt.

    Raises:
        DeliveryError: the last failure, when it was not retryable or attempts ran out.
    """
    for attempt in range(1, policy.attempts + 1):
        try:
            return send()
        except DeliveryError as err:
            failure = err
        except Exception as exc:  # a dispatcher bug or an unexpected SDK error: not retried
            failure = DeliveryError(f"{type(exc).__name__}: {exc}", retryable=False)
        on_failure(failure)
        if not failure.retryable or attempt == policy.attempts:
            raise failure
        wait = policy.delay(attempt, failure.retry_after)
        if wait > policy.max_retry_after:
            raise failure
        sleep(wait)
    raise AssertionError("unreachable")  # the loop returns or raises


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header in seconds (None when absent or not a number of seconds)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
