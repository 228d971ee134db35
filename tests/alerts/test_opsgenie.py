"""OpsGenie through the real `opsgenie-sdk` against a fake OpsGenie on 127.0.0.1."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from scouter_flows import DispatchError, Store
from scouter_flows.alerts import Credentials, OpsGenieCredentials, RetryPolicy, dispatch_pending
from scouter_flows.profiles.alerting import OpsGenieDispatchConfig, PsiAlertConfig
from tests.alerts.helpers import Monitor, dispatch, states
from tests.fake_providers import OPSGENIE_KEY, RETRY_AFTER, FakeProvider, fake_opsgenie

FAST = RetryPolicy(attempts=3, initial_delay=0.01, max_delay=0.02, timeout=1.0)
CONFIG = PsiAlertConfig(
    dispatch_config=OpsGenieDispatchConfig(team="ml-oncall", priority="P3", tags=["credit"]),
    severity="critical",
)


def _dispatch(store: Store, genie: FakeProvider, run_id: int) -> tuple[object, list[float]]:
    credentials = Credentials(
        opsgenie=OpsGenieCredentials(api_key=SecretStr(OPSGENIE_KEY), api_url=genie.url)
    )
    return dispatch(store, credentials, run_id, FAST)


def test_one_alert_per_breach_aliased_by_dedup_key(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_opsgenie() as genie:
        run = Monitor(store, CONFIG).run(0, {"a", "b"}, link="https://airflow.example/log")
        outcome, _ = _dispatch(store, genie, run.run_id)
        assert genie.violations == []
        assert getattr(outcome, "sent", None) == 2
        bodies = sorted((r.body for r in genie.received), key=lambda b: b["alias"])
        assert [b["alias"] for b in bodies] == [
            "risk/scorer/1.0:a:psi_drift",
            "risk/scorer/1.0:b:psi_drift",
        ]
        first = bodies[0]
        assert first["message"] == "risk/scorer/1.0: a psi drift"
        assert first["responders"] == [{"name": "ml-oncall", "type": "team"}]
        assert first["priority"] == "P2"  # critical: one level above the configured P3
        assert first["tags"] == ["scouter-flows", "psi_drift", "critical", "credit"]
        assert first["details"]["window"].startswith("2026-11-20T00:00:00+00:00 ..")
        assert first["details"]["link"] == "https://airflow.example/log"
        assert float(first["details"]["value"]) > float(first["details"]["threshold"])
        assert "feature 'a': PSI" in first["description"]
        refs = {a.provider_ref for a in store.alerts(run_id=run.run_id)}
        assert len(refs) == 2
        assert all(ref and ref.startswith("req-") for ref in refs)


def test_rate_limit_waits_for_retry_after(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_opsgenie("429") as genie:
        run = Monitor(store, CONFIG).run(0, {"a"})
        outcome, waits = _dispatch(store, genie, run.run_id)
        assert getattr(outcome, "sent", None) == 1
        assert waits == [float(RETRY_AFTER)]
        assert states(store, run.run_id) == {("sent", 2)}


def test_server_errors_exhaust_the_retries_and_raise(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_opsgenie("500", "500", "500") as genie:
        run = Monitor(store, CONFIG).run(0, {"a"})
        outcome, waits = _dispatch(store, genie, run.run_id)
        assert isinstance(outcome, DispatchError)
        assert "OpsGenie answered 500: Internal Server Error" in str(outcome)
        assert len(waits) == 2
        assert states(store, run.run_id) == {("failed", 3)}


def test_a_hung_server_times_out(store_url: str) -> None:
    with (
        Store(store_url, auto_upgrade=True) as store,
        fake_opsgenie("hang", "hang", "hang") as genie,
    ):
        run = Monitor(store, CONFIG).run(0, {"a"})
        outcome, _ = _dispatch(store, genie, run.run_id)
        assert isinstance(outcome, DispatchError)
        assert "OpsGenie did not answer: ReadTimeoutError" in str(outcome)
        assert states(store, run.run_id) == {("failed", 3)}


def test_unauthorised_fails_at_once_with_the_providers_message(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_opsgenie("401") as genie:
        run = Monitor(store, CONFIG).run(0, {"a"})
        outcome, waits = _dispatch(store, genie, run.run_id)
        assert isinstance(outcome, DispatchError)
        assert "OpsGenie answered 401: Key format is not valid!" in str(outcome)
        assert waits == []
        assert len(genie.received) == 1
        assert states(store, run.run_id) == {("failed", 1)}


def test_provider_down_twice_then_up_sends_once_with_three_attempts(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_opsgenie("500", "500") as genie:
        run = Monitor(store, CONFIG).run(0, {"a"})
        outcome, _ = _dispatch(store, genie, run.run_id)
        assert getattr(outcome, "sent", None) == 1
        assert len(genie.delivered) == 1
        assert states(store, run.run_id) == {("sent", 3)}
        _dispatch(store, genie, run.run_id)
        assert len(genie.delivered) == 1


def test_resolution_closes_the_alert_by_alias(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_opsgenie() as genie:
        monitor = Monitor(store, CONFIG)
        _dispatch(store, genie, monitor.run(0, {"a"}).run_id)
        resolved = monitor.run(1, set())
        assert resolved.pending_alerts == 1
        outcome, _ = _dispatch(store, genie, resolved.run_id)
        assert getattr(outcome, "sent", None) == 1
        assert genie.violations == []
        close = genie.received[-1]
        assert close.path == "/v2/alerts/risk%2Fscorer%2F1.0%3Aa%3Apsi_drift/close"
        assert close.body["note"].startswith("resolved (was: feature 'a': PSI")
        assert close.query["identifierType"] == ["alias"]
        (row,) = store.alerts(run_id=resolved.run_id)
        assert (row.event, row.status) == ("resolve", "sent")


@pytest.mark.parametrize("host", ["{url}", "{url}/", "{url}/v2/alerts"])
def test_api_url_may_be_given_with_scouters_alerts_path(store_url: str, host: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_opsgenie() as genie:
        run = Monitor(store, CONFIG).run(0, {"a"})
        credentials = Credentials(
            opsgenie=OpsGenieCredentials(
                api_key=SecretStr(OPSGENIE_KEY), api_url=host.format(url=genie.url)
            )
        )
        dispatch_pending(store, credentials, run_id=run.run_id, retry=FAST)
        assert [r.path for r in genie.received] == ["/v2/alerts"]
