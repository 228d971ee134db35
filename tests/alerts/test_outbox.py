"""The outbox: alerts are stored before they are sent, failures are kept and raised."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime

import polars as pl
import pytest

from scouter_flows import (
    ConsoleDispatcher,
    DispatchError,
    Drifter,
    PsiDriftConfig,
    Store,
    Window,
    dispatch_pending,
)
from scouter_flows.alerts import AlertBatch, DeliveryError, RetryPolicy
from scouter_flows.alerts.rules import drift_alerts

WINDOW = Window(datetime(2026, 11, 21, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC))


def _run_with_two_alerts(store: Store) -> int:
    baseline = pl.DataFrame(
        {"a": [float(i) for i in range(1000)], "b": [float(i) for i in range(1000)]}
    )
    profile = Drifter().create_drift_profile(baseline, PsiDriftConfig(space="s", name="n"))
    shifted = baseline.with_columns(pl.col("a") + 500, pl.col("b") * 2)
    result = Drifter().compute_drift(shifted, profile)
    pid = store.register_profile(profile)
    return store.write_drift_run(pid, WINDOW, result, drift_alerts(result)).run_id


class FlakyDispatcher:
    """Stands in for the console destination; fails for some entities."""

    kind = "console"
    grouped = False

    def __init__(self, fail_for: set[str]) -> None:
        self.fail_for = fail_for
        self.sent: list[str] = []

    def send(self, batch: AlertBatch) -> str | None:
        alert = batch.first
        if alert.entity in self.fail_for:
            raise DeliveryError(f"provider down for {alert.entity}", retryable=False)
        self.sent.append(alert.entity)
        return f"ref-{alert.entity}"


def test_console_dispatch_records_sent_and_is_a_noop_the_second_time(
    store_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    stream = io.StringIO()
    with Store(store_url, auto_upgrade=True) as store:
        run_id = _run_with_two_alerts(store)
        assert {a.status for a in store.alerts(run_id=run_id)} == {"pending"}
        with caplog.at_level(logging.WARNING, logger="scouter_flows.alerts"):
            summary = dispatch_pending(
                store, dispatchers={"console": ConsoleDispatcher(stream)}, run_id=run_id
            )
        assert (summary.sent, summary.failed, summary.already_sent) == (2, 0, 0)
        assert stream.getvalue().count("[WARNING] s/n/0.1.0 in 2026-11-21T00:00:00+00:00") == 2
        assert "feature 'a': PSI" in caplog.text
        again = dispatch_pending(
            store, dispatchers={"console": ConsoleDispatcher(stream)}, run_id=run_id
        )
        assert (again.sent, again.already_sent) == (0, 2)
        assert stream.getvalue().count("[WARNING]") == 2


def test_failed_delivery_is_recorded_raised_and_retried(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store:
        run_id = _run_with_two_alerts(store)
        flaky = FlakyDispatcher(fail_for={"b"})
        with pytest.raises(DispatchError, match=r"1 of 2 alerts could not be sent: console .*down"):
            dispatch_pending(store, dispatchers={"console": flaky}, run_id=run_id)
        states = {a.entity: (a.status, a.attempts) for a in store.alerts(run_id=run_id)}
        assert states == {"a": ("sent", 1), "b": ("failed", 1)}
        flaky.fail_for.clear()
        summary = dispatch_pending(
            store, dispatchers={"console": flaky}, run_id=run_id, retry=RetryPolicy(attempts=1)
        )
        assert (summary.sent, summary.already_sent) == (1, 1)
        assert flaky.sent == ["a", "b"]
        (b,) = [a for a in store.alerts(run_id=run_id) if a.entity == "b"]
        assert (b.status, b.attempts, b.provider_ref) == ("sent", 2, "ref-b")
