"""Send the alerts waiting in the outbox and record each attempt's outcome."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from typing import Any, Protocol

from scouter_flows.alerts.console import ConsoleDispatcher
from scouter_flows.alerts.credentials import Credentials
from scouter_flows.alerts.delivery import (
    AlertBatch,
    DeliveryError,
    Dispatcher,
    RetryPolicy,
    deliver,
)
from scouter_flows.alerts.opsgenie import OpsGenieDispatcher
from scouter_flows.alerts.records import UNSENT, StoredAlert
from scouter_flows.alerts.slack import SlackDispatcher
from scouter_flows.errors import ConfigError, DispatchError


class AlertOutbox(Protocol):
    """What dispatch needs of the store: its outbox rows, leases and outcomes (`Store` is one)."""

    def alerts(
        self,
        run_id: int | None = None,
        status: str | Sequence[str] | None = None,
        *,
        eval_run_id: int | None = None,
    ) -> list[StoredAlert]: ...

    def claim_alerts(self, alert_ids: Sequence[int], owner: str, lease: timedelta) -> set[int]: ...

    def release_alerts(self, alert_ids: Sequence[int], owner: str) -> None: ...

    def mark_alert_sent(self, alert_id: int | Sequence[int], provider_ref: str | None) -> None: ...

    def mark_alert_failed(
        self, alert_id: int | Sequence[int], error: str, *, give_up_after: int | None = None
    ) -> set[int]: ...


@dataclass(slots=True, frozen=True)
class DispatchSummary:
    """How one dispatch pass went (counts of outbox rows)."""

    sent: int
    failed: int
    already_sent: int
    suppressed: int = 0
    abandoned: int = 0
    in_flight: int = 0
    """Unsent alerts another dispatcher was delivering (it holds their lease): not sent here."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return asdict(self)


def dispatch_pending(
    store: AlertOutbox,
    credentials: Credentials | None = None,
    *,
    run_id: int | None = None,
    eval_run_id: int | None = None,
    retry: RetryPolicy | None = None,
    dispatchers: Mapping[str, Dispatcher] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DispatchSummary:
    """Send every unsent alert (of one drift or eval run, or all) and record each attempt.

    Each destination is delivered apart: a Slack message per run, an OpsGenie alert per breach,
    a console line per alert. Timeouts, 429 and 5xx are retried with back-off (`retry`); every
    failed attempt is recorded (`failed`, attempts + 1, the provider's message), a success
    records `sent` and the provider's reference. Alerts already sent, and suppressed ones, are
    never sent, so calling this again never notifies twice. Each batch is leased to this call
    before it is sent (`Store.claim_alerts`): concurrent dispatchers (an orchestrator retry
    racing a slow first try, two backfill workers) deliver each alert once.

    Args:
        store: The results store holding the outbox.
        credentials: Provider credentials; default: from the environment.
        run_id: Only this drift run's alerts.
        eval_run_id: Only this eval run's alerts.
        retry: Attempts, back-off and timeout per call (default `RetryPolicy()`).
        dispatchers: Dispatchers by kind (`slack`, `opsgenie`, `console`) to use instead of
            building them from `credentials`.

    Raises:
        DispatchError: at least one alert could not be delivered; it stays in the outbox and a
            retry of this step sends only what is still unsent.
    """
    policy = retry or RetryPolicy()
    scope: dict[str, Any] = {"run_id": run_id, "eval_run_id": eval_run_id}
    everything = store.alerts(**scope)
    factory = _DispatcherFactory(credentials, policy, dispatchers or {})
    owner = uuid.uuid4().hex
    sent = failed = 0
    errors: list[str] = []
    abandoned = {a.id for a in everything if a.status == "abandoned"}
    seen: set[int] = set()
    missed: set[int] = set()
    current = everything
    # A re-run of the monitor step replaces the unsent rows nobody holds while this pass
    # sends: their replacements are read again and sent here too.
    for _ in range(_PASSES):
        unsent = [a for a in current if a.status in UNSENT and a.id not in seen]
        if not unsent:
            break
        for kind, whole in _batches(unsent, factory):
            seen.update(whole.ids)
            claimed = store.claim_alerts(whole.ids, owner, policy.lease())
            missed.update(set(whole.ids) - claimed)
            if not claimed:
                continue
            batch = replace(whole, alerts=tuple(a for a in whole.alerts if a.id in claimed))
            try:
                dispatcher = factory.get(kind)
                reference = _deliver(store, dispatcher, batch, policy, sleep, abandoned)
            except (ConfigError, DeliveryError) as exc:
                if isinstance(exc, ConfigError):
                    abandoned |= store.mark_alert_failed(
                        batch.ids, str(exc), give_up_after=policy.give_up_after
                    )
                store.release_alerts(batch.ids, owner)
                failed += len(batch.alerts)
                errors.append(f"{batch.first.destination} ({batch.first.dedup_key}): {exc}")
                continue
            store.mark_alert_sent(batch.ids, reference)
            sent += len(batch.alerts)
        current = store.alerts(**scope)
    # Missed claims on rows that still exist: another dispatcher held (or sent) them.
    in_flight = len(missed & {a.id for a in current})
    already = sum(a.status == "sent" for a in everything)  # as read, before this pass
    suppressed = sum(a.status == "suppressed" for a in everything)
    if errors:
        raise DispatchError(
            f"{failed} of {failed + sent} alerts could not be sent: " + "; ".join(errors)
        )
    return DispatchSummary(
        sent=sent,
        failed=failed,
        already_sent=already,
        suppressed=suppressed,
        abandoned=len(abandoned),  # as left by this pass
        in_flight=in_flight,
    )


def _deliver(
    store: AlertOutbox,
    dispatcher: Dispatcher,
    batch: AlertBatch,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    abandoned: set[int],
) -> str | None:
    def record(err: DeliveryError) -> None:
        abandoned.update(
            store.mark_alert_failed(batch.ids, str(err), give_up_after=policy.give_up_after)
        )

    return deliver(lambda: dispatcher.send(batch), policy, record, sleep)


def _batches(
    alerts: list[StoredAlert], factory: _DispatcherFactory
) -> list[tuple[str, AlertBatch]]:
    """Group alerts by run, destination and event; split where the provider takes one each."""
    groups: dict[tuple[Any, ...], list[StoredAlert]] = {}
    for alert in alerts:
        key = (alert.run_id, alert.eval_run_id, alert.destination, alert.event)
        groups.setdefault(key, []).append(alert)
    batches: list[tuple[str, AlertBatch]] = []
    for members in groups.values():
        kind = str((members[0].dispatch or {}).get("kind", "console"))
        if factory.grouped(kind):
            batches.append((kind, AlertBatch(tuple(members))))
        else:
            batches += [(kind, AlertBatch((alert,))) for alert in members]
    return batches


class _DispatcherFactory:
    """Builds each provider's dispatcher once, on first use, from the credentials."""

    def __init__(
        self,
        credentials: Credentials | None,
        policy: RetryPolicy,
        given: Mapping[str, Dispatcher],
    ) -> None:
        self._credentials = credentials
        self._policy = policy
        self._built: dict[str, Dispatcher] = dict(given)

    def grouped(self, kind: str) -> bool:
        given = self._built.get(kind)
        if given is not None:
            return given.grouped
        cls = _CLASSES.get(kind)
        return bool(cls and cls.grouped)

    def get(self, kind: str) -> Dispatcher:
        if kind not in self._built:
            self._built[kind] = self._build(kind)
        return self._built[kind]

    def _build(self, kind: str) -> Dispatcher:
        if kind == "console":
            return ConsoleDispatcher()
        if self._credentials is None:
            self._credentials = Credentials.from_env()
        timeout = self._policy.timeout
        if kind == "slack":
            return SlackDispatcher(self._credentials.require_slack(), timeout)
        if kind == "opsgenie":
            return OpsGenieDispatcher(self._credentials.require_opsgenie(), timeout)
        raise ConfigError(f"unknown alert destination kind {kind!r}")


_PASSES = 3
"""Reads of the outbox per dispatch pass (the first, and re-reads for replaced rows)."""

# The SDKs themselves are imported only when a dispatcher is built.
_CLASSES: dict[str, type[ConsoleDispatcher | SlackDispatcher | OpsGenieDispatcher]] = {
    "console": ConsoleDispatcher,
    "slack": SlackDispatcher,
    "opsgenie": OpsGenieDispatcher,
}
