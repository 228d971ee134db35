"""Dedup and cool-down: a breach that keeps firing is notified once; a new episode again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr

from scouter_flows import Store
from scouter_flows.alerts import Credentials, RetryPolicy, SlackCredentials, dispatch_pending
from scouter_flows.profiles.alerting import PsiAlertConfig, SlackDispatchConfig
from tests.alerts.helpers import Monitor
from tests.fake_providers import SLACK_TOKEN, FakeProvider, fake_slack

FAST = RetryPolicy(attempts=1, timeout=2.0)


def _run_and_dispatch(
    monitor: Monitor, slack: FakeProvider, n: int, drifted: set[str]
) -> list[str]:
    """Run day `n`, dispatch, and return the statuses of its alerts."""
    written = monitor.run(n, drifted)
    credentials = Credentials(
        slack=SlackCredentials(bot_token=SecretStr(SLACK_TOKEN), api_url=slack.url + "/api/")
    )
    dispatch_pending(monitor.store, credentials, run_id=written.run_id, retry=FAST)
    return [f"{a.event}:{a.status}" for a in monitor.store.alerts(run_id=written.run_id)]


def _headers(slack: FakeProvider) -> list[str]:
    return [r.body["blocks"][0]["text"]["text"].split(":")[0] for r in slack.delivered]


def test_same_breach_three_windows_one_notification_then_a_new_episode(store_url: str) -> None:
    config = PsiAlertConfig(
        dispatch_config=SlackDispatchConfig(channel="#ml"), announce_resolution=True
    )
    with Store(store_url, auto_upgrade=True) as store, fake_slack() as slack:
        monitor = Monitor(store, config)
        statuses = [_run_and_dispatch(monitor, slack, n, {"a"}) for n in range(3)]
        assert statuses == [["trigger:sent"], ["trigger:suppressed"], ["trigger:suppressed"]]
        assert _headers(slack) == ["Drift detected"]
        assert _run_and_dispatch(monitor, slack, 3, set()) == ["resolve:sent"]
        assert _run_and_dispatch(monitor, slack, 4, {"a"}) == ["trigger:sent"]
        assert _headers(slack) == ["Drift detected", "Resolved", "Drift detected"]
        assert slack.violations == []


def test_a_second_feature_breaching_is_notified_while_the_first_is_suppressed(
    store_url: str,
) -> None:
    config = PsiAlertConfig(dispatch_config=SlackDispatchConfig(channel="#ml"))
    with Store(store_url, auto_upgrade=True) as store, fake_slack() as slack:
        monitor = Monitor(store, config)
        _run_and_dispatch(monitor, slack, 0, {"a"})
        statuses = _run_and_dispatch(monitor, slack, 1, {"a", "b"})
        assert sorted(statuses) == ["trigger:sent", "trigger:suppressed"]
        last = slack.delivered[-1].body["blocks"]
        lines = "\n".join(b.get("text", {}).get("text", "") for b in last)
        assert "feature 'b'" in lines
        assert "feature 'a'" not in lines


def test_cooldown_resends_a_breach_that_keeps_firing(store_url: str) -> None:
    config = PsiAlertConfig(
        dispatch_config=SlackDispatchConfig(channel="#ml"), cooldown=timedelta(days=2)
    )
    with Store(store_url, auto_upgrade=True) as store, fake_slack() as slack:
        monitor = Monitor(store, config)
        statuses = [_run_and_dispatch(monitor, slack, n, {"a"})[0] for n in range(5)]
        # Sent on day 0; day 2 ends two days after day 0 ended, so it is sent again; and day 4.
        assert statuses == [
            "trigger:sent",
            "trigger:suppressed",
            "trigger:sent",
            "trigger:suppressed",
            "trigger:sent",
        ]
        assert len(slack.delivered) == 3


def test_no_resolution_is_announced_unless_asked(store_url: str) -> None:
    config = PsiAlertConfig(dispatch_config=SlackDispatchConfig(channel="#ml"))
    with Store(store_url, auto_upgrade=True) as store, fake_slack() as slack:
        monitor = Monitor(store, config)
        _run_and_dispatch(monitor, slack, 0, {"a"})
        assert _run_and_dispatch(monitor, slack, 1, set()) == []
        assert _run_and_dispatch(monitor, slack, 2, {"a"}) == ["trigger:sent"]
        assert len(slack.delivered) == 2


def test_rerunning_a_window_never_renotifies_and_backfills_are_judged_by_both_sides(
    store_url: str,
) -> None:
    config = PsiAlertConfig(dispatch_config=SlackDispatchConfig(channel="#ml"))
    with Store(store_url, auto_upgrade=True) as store, fake_slack() as slack:
        monitor = Monitor(store, config)
        _run_and_dispatch(monitor, slack, 5, {"a"})
        assert _run_and_dispatch(monitor, slack, 5, {"a"}) == ["trigger:sent"]  # re-run
        # A backfilled earlier day of the same streak was announced three days later.
        assert _run_and_dispatch(monitor, slack, 2, {"a"}) == ["trigger:suppressed"]
        assert _run_and_dispatch(monitor, slack, 3, {"a"}) == ["trigger:suppressed"]
        # Past the cool-down before the announcement, an older breach is its own news.
        assert _run_and_dispatch(monitor, slack, -5, {"a"}) == ["trigger:sent"]
        assert len(slack.delivered) == 2


@pytest.mark.parametrize("order", ["oldest first", "newest first"])
def test_a_streak_is_announced_alike_in_either_write_order(store_url: str, order: str) -> None:
    """Ten breaching days and a seven-day cool-down: day 0 and day 7 are announced when the
    days are written oldest first; written newest first, day 9 and day 2: twice either way."""
    config = PsiAlertConfig(dispatch_config=SlackDispatchConfig(channel="#ml"))
    days = range(10) if order == "oldest first" else range(9, -1, -1)
    with Store(store_url, auto_upgrade=True) as store, fake_slack() as slack:
        monitor = Monitor(store, config)
        sent = [n for n in days if _run_and_dispatch(monitor, slack, n, {"a"}) == ["trigger:sent"]]
    assert sent == ([0, 7] if order == "oldest first" else [9, 2])
    assert len(slack.delivered) == 2
