"""Never lost, never twice: concurrent dispatchers and re-runs, and a failed day's breach."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from pydantic import SecretStr

from scouter_flows import DispatchError, Store
from scouter_flows.alerts import (
    Credentials,
    OpsGenieCredentials,
    RetryPolicy,
    SlackCredentials,
    dispatch_pending,
)
from scouter_flows.alerts.delivery import AlertBatch
from scouter_flows.alerts.opsgenie import OpsGenieDispatcher
from scouter_flows.profiles.alerting import (
    OpsGenieDispatchConfig,
    PsiAlertConfig,
    SlackDispatchConfig,
)
from tests.alerts.helpers import Monitor, slack_and_opsgenie
from tests.fake_providers import OPSGENIE_KEY, SLACK_TOKEN, FakeProvider, fake_opsgenie, fake_slack

FAST = RetryPolicy(attempts=1, timeout=5.0)

DISPATCHER = """
import json, os, sys
from pydantic import SecretStr
from scouter_flows import DispatchError, Store
from scouter_flows.alerts import (
    Credentials, OpsGenieCredentials, RetryPolicy, SlackCredentials, dispatch_pending)

credentials = Credentials(
    slack=SlackCredentials(bot_token=SecretStr(os.environ["T_SLACK_TOKEN"]),
                           api_url=os.environ["T_SLACK_URL"]),
    opsgenie=OpsGenieCredentials(api_key=SecretStr(os.environ["T_GENIE_KEY"]),
                                 api_url=os.environ["T_GENIE_URL"]),
)
with Store(os.environ["T_STORE"]) as store:
    summary = dispatch_pending(store, credentials, run_id=int(os.environ["T_RUN"]),
                               retry=RetryPolicy(attempts=1, timeout=5.0))
print(json.dumps(summary.to_dict()))
"""


def credentials(slack: FakeProvider, genie: FakeProvider | None = None) -> Credentials:
    return Credentials(
        slack=SlackCredentials(bot_token=SecretStr(SLACK_TOKEN), api_url=slack.url + "/api/"),
        opsgenie=(
            OpsGenieCredentials(api_key=SecretStr(OPSGENIE_KEY), api_url=genie.url)
            if genie
            else None
        ),
    )


def test_three_dispatchers_and_a_rerun_deliver_each_alert_once_per_destination(
    store_url: str,
) -> None:
    drifted = {"a", "b"}
    with (
        Store(store_url, auto_upgrade=True) as store,
        fake_slack(then="slow") as slack,
        fake_opsgenie(then="slow") as genie,
    ):
        monitor = Monitor(store, slack_and_opsgenie())
        written = monitor.run(0, drifted)
        env = {
            **os.environ,
            "T_SLACK_TOKEN": SLACK_TOKEN,
            "T_SLACK_URL": slack.url + "/api/",
            "T_GENIE_KEY": OPSGENIE_KEY,
            "T_GENIE_URL": genie.url,
            "T_STORE": store_url,
            "T_RUN": str(written.run_id),
        }
        dispatchers = [
            subprocess.Popen(
                [sys.executable, "-c", DISPATCHER], env=env, stdout=subprocess.PIPE, text=True
            )
            for _ in range(3)
        ]
        # The monitor step runs again while the dispatchers are sending.
        deadline = time.monotonic() + 60
        while not slack.received and not genie.received and time.monotonic() < deadline:
            time.sleep(0.05)
        again = monitor.run(0, drifted)
        summaries = []
        for process in dispatchers:
            out, _ = process.communicate(timeout=120)
            assert process.returncode == 0, out
            summaries.append(json.loads(out.strip().splitlines()[-1]))
        # Whatever the re-run left pending after the dispatchers were done (rows it replaced
        # while they were sending are theirs to send too; nothing it could take from them).
        last = dispatch_pending(store, credentials(slack, genie), run_id=again.run_id, retry=FAST)
        summaries.append(last.to_dict())
        alerts = store.alerts(run_id=written.run_id)
    assert again.run_id == written.run_id
    assert {a.status for a in alerts} == {"sent"}
    assert len(slack.delivered) == len(slack.received) == 1  # one message for the run
    aliases = [r.body["alias"] for r in genie.received]
    assert sorted(aliases) == sorted(set(aliases))  # each OpsGenie alert created once
    assert len(aliases) == len(drifted)
    assert sum(s["sent"] for s in summaries) == len(alerts)
    assert sum(s["in_flight"] for s in summaries) > 0  # they did meet


class RerunWhileSending:
    """The real OpsGenie dispatcher; while its first alert is being sent, the monitor step
    runs the same window again."""

    kind = "opsgenie"
    grouped = False

    def __init__(self, real: OpsGenieDispatcher, monitor: Monitor, drifted: set[str]) -> None:
        self.real, self.monitor, self.drifted = real, monitor, drifted
        self.reruns = 0

    def send(self, batch: AlertBatch) -> str | None:
        if not self.reruns:
            self.reruns += 1
            self.monitor.run(0, self.drifted)
        return self.real.send(batch)


def test_rows_a_rerun_replaces_while_a_dispatcher_sends_are_sent_by_that_dispatcher(
    store_url: str,
) -> None:
    drifted = {"a", "b"}
    with Store(store_url, auto_upgrade=True) as store, fake_opsgenie() as genie:
        monitor = Monitor(store, PsiAlertConfig(dispatch_config=OpsGenieDispatchConfig(team="ml")))
        written = monitor.run(0, drifted)
        real = OpsGenieDispatcher(credentials(genie, genie).require_opsgenie(), 5.0)
        rerun = RerunWhileSending(real, monitor, drifted)
        summary = dispatch_pending(
            store, run_id=written.run_id, retry=FAST, dispatchers={"opsgenie": rerun}
        )
        alerts = store.alerts(run_id=written.run_id)
    assert rerun.reruns == 1
    assert {a.status for a in alerts} == {"sent"}
    assert (summary.sent, summary.in_flight) == (2, 0)
    assert sorted(r.body["alias"] for r in genie.received) == sorted(a.dedup_key for a in alerts)


def failed_first_day(store: Store, slack: FakeProvider) -> tuple[Monitor, int]:
    """A Slack monitor (announcing resolutions) whose day-0 breach of `a` failed to send."""
    config = PsiAlertConfig(
        dispatch_config=SlackDispatchConfig(channel="#ml"), announce_resolution=True
    )
    monitor = Monitor(store, config)
    first = monitor.run(0, {"a"})
    with pytest.raises(DispatchError):
        dispatch_pending(store, credentials(slack), run_id=first.run_id, retry=FAST)
    assert first.run_id is not None
    return monitor, first.run_id


def test_a_breach_whose_delivery_failed_is_delivered_with_the_next_window(
    store_url: str,
) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_slack("500") as slack:
        monitor, first = failed_first_day(store, slack)
        second = monitor.run(1, {"a"})
        assert second.pending_alerts == 1  # not suppressed: nobody was told
        dispatch_pending(store, credentials(slack), run_id=second.run_id, retry=FAST)
        assert [a.status for a in store.alerts(run_id=first)] == ["superseded"]
        assert [a.status for a in store.alerts(run_id=second.run_id)] == ["sent"]
        assert store.open_alerts().height == 0
        # The breach was announced (with the second window), so its end is announced too.
        third = monitor.run(2, set())
        assert [(a.event, a.status) for a in store.alerts(run_id=third.run_id)] == [
            ("resolve", "pending")
        ]
    assert [r.headers["x-answered"] for r in slack.received] == ["500", "ok"]


def test_a_breach_nobody_was_told_of_gets_no_resolved_message(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, fake_slack("500") as slack:
        monitor, first = failed_first_day(store, slack)
        assert monitor.run(1, set()).pending_alerts == 0
        assert [a.status for a in store.alerts(run_id=first)] == ["failed"]
