"""Send the alerts waiting in the outbox and record each outcome."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from scouter_flows.errors import DispatchError
from scouter_flows.store.records import StoredAlert
from scouter_flows.store.store import Store


class Dispatcher(Protocol):
    """Delivers one alert and returns the provider's reference for it (or None)."""

    name: str

    def send(self, alert: StoredAlert) -> str | None:
        """Deliver `alert`; raise on failure."""
        ...


@dataclass(slots=True, frozen=True)
class DispatchSummary:
    """How one dispatch pass went."""

    sent: int
    failed: int
    already_sent: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return asdict(self)


def dispatch_pending(
    store: Store, dispatcher: Dispatcher, *, run_id: int | None = None
) -> DispatchSummary:
    """Send every unsent alert (of `run_id`, or all) and record `sent` or `failed` for each.

    Alerts already `sent` are left alone, so calling this twice never notifies twice.

    Raises:
        DispatchError: at least one alert failed; the failures stay in the outbox for a retry.
    """
    sent = failed = 0
    errors: list[str] = []
    for alert in store.alerts(run_id=run_id):
        if alert.status == "sent":
            continue
        try:
            reference = dispatcher.send(alert)
        except Exception as exc:  # every failure is recorded, then re-raised as one error
            store.mark_alert_failed(alert.id, f"{type(exc).__name__}: {exc}")
            errors.append(f"alert {alert.id} ({alert.dedup_key}): {exc}")
            failed += 1
            continue
        store.mark_alert_sent(alert.id, reference)
        sent += 1
    already = len(store.alerts(run_id=run_id, status="sent")) - sent
    if errors:
        raise DispatchError(
            f"{failed} of {failed + sent} alerts could not be sent through {dispatcher.name}: "
            + "; ".join(errors)
        )
    return DispatchSummary(sent=sent, failed=failed, already_sent=already)
