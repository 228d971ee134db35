"""Slack through the real `slack_sdk` against a fake Slack on 127.0.0.1."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from scouter_flows import DispatchError, Store
from scouter_flows.alerts import Credentials, RetryPolicy, SlackCredentials, dispatch_pending
from scouter_flows.profiles.alerting import PsiAlertConfig, SlackDispatchConfig
from tests.alerts.helpers import Monitor, dispatch, states
from tests.fake_providers import RETRY_AFTER, SLACK_TOKEN, WEBHOOK_PATH, FakeProvider, fake_slack

FAST = RetryPolicy(attempts=3, initial_delay=0.01, max_delay=0.02, timeout=1.0)
CONFIG = PsiAlertConfig(dispatch_config=SlackDispatchConfig(channel="#ml-alerts"))


def _credentials(slack: FakeProvider, webhook: bool = False) -> Credentials:
    if webhook:
        return Credentials(slack=SlackCredentials(webhook_url=SecretStr(slack.url + WEBHOOK_PATH)))
    return Credentials(
        slack=SlackCredentials(bot_token=SecretStr(SLACK_TOKEN), api_url=slack.url + "/api/")
    )


def _dispatch(
    store: Store, slack: FakeProvider, run_id: int, *, webhook: bool = False
) -> tuple[object, list[float]]:
    return dispatch(store, _credentials(slack, webhook), run_id, FAST)


def test_one_block_kit_message_per_run_with_header_lines_window_and_link(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_slack() as slack:
        run = Monitor(store, CONFIG).run(0, {"a", "b"}, link="https://prefect.example/runs/42")
        outcome, _ = _dispatch(store, slack, run.run_id)
        assert slack.violations == []
        assert getattr(outcome, "sent", None) == 2
        (request,) = slack.received
        body = request.body
        assert body["channel"] == "#ml-alerts"
        header = body["blocks"][0]["text"]["text"]
        assert header == "Drift detected: risk/scorer/1.0"
        text = "\n".join(b.get("text", {}).get("text", "") for b in body["blocks"][1:3])
        assert "2026-11-20T00:00:00+00:00 .. 2026-11-21T00:00:00+00:00" in text
        assert "• feature 'a': PSI" in text
        assert "• feature 'b': PSI" in text
        assert body["blocks"][-1]["elements"][0]["text"] == (
            "<https://prefect.example/runs/42|Open the run report>"
        )
        alerts = store.alerts(run_id=run.run_id)
        assert {(a.status, a.attempts, a.provider_ref) for a in alerts} == {
            ("sent", 1, f"C0123:1764547200.{len(body['blocks']):06d}")
        }
        # Re-dispatching a sent run is a no-op.
        again, _ = _dispatch(store, slack, run.run_id)
        assert getattr(again, "already_sent", None) == 2
        assert len(slack.received) == 1


def test_rate_limit_is_retried_after_retry_after(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_slack("429") as slack:
        run = Monitor(store, CONFIG).run(0, {"a"})
        outcome, waits = _dispatch(store, slack, run.run_id)
        assert getattr(outcome, "sent", None) == 1
        assert waits == [float(RETRY_AFTER)]
        assert states(store, run.run_id) == {("sent", 2)}
        assert len(slack.received) == 2


def test_server_errors_exhaust_the_retries_and_raise(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_slack("500", "500", "500") as slack:
        run = Monitor(store, CONFIG).run(0, {"a"})
        outcome, waits = _dispatch(store, slack, run.run_id)
        assert isinstance(outcome, DispatchError)
        assert "Slack answered 500: fatal_error" in str(outcome)
        assert len(waits) == 2
        (alert,) = store.alerts(run_id=run.run_id)
        assert (alert.status, alert.attempts) == ("failed", 3)
        assert alert.last_error == "Slack answered 500: fatal_error"


def test_a_hung_server_times_out_and_is_retried(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_slack("hang", "hang") as slack:
        run = Monitor(store, CONFIG).run(0, {"a"})
        outcome, _ = _dispatch(store, slack, run.run_id)
        assert getattr(outcome, "sent", None) == 1
        (alert,) = store.alerts(run_id=run.run_id)
        assert (alert.status, alert.attempts) == ("sent", 3)


def test_timeouts_on_every_attempt_fail_with_a_clear_error(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_slack("hang", "hang", "hang") as slack:
        run = Monitor(store, CONFIG).run(0, {"a"})
        outcome, _ = _dispatch(store, slack, run.run_id)
        assert isinstance(outcome, DispatchError)
        assert "Slack did not answer" in str(outcome)
        assert states(store, run.run_id) == {("failed", 3)}


@pytest.mark.parametrize(
    ("mode", "error"), [("401", "invalid_auth"), ("not_ok", "channel_not_found")]
)
def test_client_errors_fail_at_once_with_slacks_message(
    store_url: str, mode: str, error: str
) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_slack(mode) as slack:
        run = Monitor(store, CONFIG).run(0, {"a"})
        outcome, waits = _dispatch(store, slack, run.run_id)
        assert isinstance(outcome, DispatchError)
        assert error in str(outcome)
        assert waits == []
        assert len(slack.received) == 1
        assert states(store, run.run_id) == {("failed", 1)}


def test_provider_down_twice_then_up_sends_once_with_three_attempts(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_slack("500", "hang") as slack:
        run = Monitor(store, CONFIG).run(0, {"a", "b"})
        outcome, _ = _dispatch(store, slack, run.run_id)
        assert getattr(outcome, "sent", None) == 2
        assert len(slack.delivered) == 1
        assert states(store, run.run_id) == {("sent", 3)}
        again, _ = _dispatch(store, slack, run.run_id)
        assert getattr(again, "sent", None) == 0
        assert len(slack.delivered) == 1


def test_failures_left_by_one_dispatch_are_sent_by_the_next(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_slack("500", "500", "500") as slack:
        run = Monitor(store, CONFIG).run(0, {"a"})
        first, _ = _dispatch(store, slack, run.run_id)
        assert isinstance(first, DispatchError)
        second, _ = _dispatch(store, slack, run.run_id)  # the orchestrator's retry
        assert getattr(second, "sent", None) == 1
        assert states(store, run.run_id) == {("sent", 4)}
        assert len(slack.delivered) == 1


def test_an_alert_that_keeps_failing_is_abandoned_and_stays_listed(store_url: str) -> None:
    policy = RetryPolicy(attempts=2, initial_delay=0.0, timeout=1.0, give_up_after=3)
    with Store(store_url, auto_upgrade=True) as store, fake_slack(*["500"] * 6) as slack:
        run = Monitor(store, CONFIG).run(0, {"a"})
        first, _ = dispatch(store, _credentials(slack), run.run_id, policy)
        assert isinstance(first, DispatchError)
        assert states(store, run.run_id) == {("failed", 2)}
        second, _ = dispatch(store, _credentials(slack), run.run_id, policy)
        assert isinstance(second, DispatchError)
        assert states(store, run.run_id) == {("abandoned", 4)}
        # Given up on: not retried, not an error any more, still in the open alerts.
        third, _ = dispatch(store, _credentials(slack), run.run_id, policy)
        assert getattr(third, "abandoned", None) == 1
        assert getattr(third, "failed", None) == 0
        assert len(slack.received) == 4
        assert store.open_alerts()["status"].to_list() == ["abandoned"]
    with pytest.raises(ValueError, match="give_up_after >= 1"):
        RetryPolicy(give_up_after=0)


def test_incoming_webhook_posts_blocks_and_honours_rate_limits(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_slack("429") as slack:
        run = Monitor(store, CONFIG).run(0, {"a"})
        outcome, waits = _dispatch(store, slack, run.run_id, webhook=True)
        assert getattr(outcome, "sent", None) == 1
        assert waits == [float(RETRY_AFTER)]
        assert slack.violations == []
        assert [r.path for r in slack.received] == [WEBHOOK_PATH, WEBHOOK_PATH]
        (alert,) = store.alerts(run_id=run.run_id)
        assert (alert.status, alert.attempts, alert.provider_ref) == ("sent", 2, None)


def test_a_webhook_answer_other_than_ok_is_not_a_delivery(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_slack("not_ok") as slack:
        run = Monitor(store, CONFIG).run(0, {"a"})
        outcome, waits = _dispatch(store, slack, run.run_id, webhook=True)
        assert isinstance(outcome, DispatchError)
        assert "Slack answered 200" in str(outcome)
        assert "channel_not_found" in str(outcome)
        assert waits == []
        assert states(store, run.run_id) == {("failed", 1)}


def test_missing_credentials_fail_the_slack_alerts_but_not_the_others(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    config = PsiAlertConfig(
        dispatch_config=[SlackDispatchConfig(channel="#ml-alerts"), {"kind": "console"}]
    )
    with Store(store_url, auto_upgrade=True) as store:
        run = Monitor(store, config).run(0, {"a"})
        with pytest.raises(DispatchError, match="no Slack credentials: set SLACK_BOT_TOKEN"):
            dispatch_pending(store, run_id=run.run_id)
        states = {a.destination: a.status for a in store.alerts(run_id=run.run_id)}
        assert states == {"slack:#ml-alerts": "failed", "console": "sent"}
