"""Drift runs with alert configs, for the dispatch tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from scouter_flows import DispatchError, Drifter, PsiDriftConfig, Store, Window
from scouter_flows.alerts import (
    Credentials,
    DispatchSummary,
    RetryPolicy,
    alert_policy,
    dispatch_pending,
    drift_alerts,
)
from scouter_flows.profiles.alerting import (
    OpsGenieDispatchConfig,
    PsiAlertConfig,
    SlackDispatchConfig,
)
from scouter_flows.store.records import RunWritten

DAY0 = datetime(2026, 11, 20, tzinfo=UTC)
BASELINE = pl.DataFrame(
    {"a": [float(i % 997) for i in range(4000)], "b": [float(i % 89) for i in range(4000)]}
)


def day(n: int) -> Window:
    """The n-th daily window after DAY0."""
    return Window(DAY0 + timedelta(days=n), DAY0 + timedelta(days=n + 1))


def window_data(drifted: set[str]) -> pl.DataFrame:
    """A window in which the named features are shifted far from the baseline."""
    return BASELINE.with_columns(
        *(pl.col(name) + 5000.0 for name in sorted(drifted)),
    )


class Monitor:
    """One PSI profile under `alert_config`, registered in `store`, run window by window."""

    def __init__(self, store: Store, alert_config: PsiAlertConfig, name: str = "scorer") -> None:
        config = PsiDriftConfig(space="risk", name=name, version="1.0", alert_config=alert_config)
        self.profile = Drifter().create_drift_profile(BASELINE, config)
        self.store = store
        self.profile_id = store.register_profile(self.profile)

    def run(self, n: int, drifted: set[str], link: str | None = None) -> RunWritten:
        """Compute and write day `n` with `drifted` features shifted."""
        result = Drifter().compute_drift(window_data(drifted), self.profile)
        config = self.profile.config.alert_config
        return self.store.write_drift_run(
            self.profile_id,
            day(n),
            result,
            drift_alerts(result, config),
            policy=alert_policy(config, link),
        )


def slack_and_opsgenie(channel: str = "#credit", team: str = "credit-oncall") -> PsiAlertConfig:
    """An alert config that sends to one Slack channel and one OpsGenie team."""
    return PsiAlertConfig(
        dispatch_config=[SlackDispatchConfig(channel=channel), OpsGenieDispatchConfig(team=team)]
    )


def dispatch(
    store: Store, credentials: Credentials, run_id: int, retry: RetryPolicy
) -> tuple[DispatchSummary | DispatchError, list[float]]:
    """Dispatch a run's alerts; the summary or the error, and the back-off waits asked for."""
    waits: list[float] = []
    try:
        return (
            dispatch_pending(store, credentials, run_id=run_id, retry=retry, sleep=waits.append),
            waits,
        )
    except DispatchError as exc:
        return exc, waits


def states(store: Store, run_id: int) -> set[tuple[str, int]]:
    """(status, attempts) of a run's alerts."""
    return {(a.status, a.attempts) for a in store.alerts(run_id=run_id)}
