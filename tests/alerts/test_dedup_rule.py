"""The dedup rule on its own: table-driven cases of `alerts.dedup.decide`, no store involved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scouter_flows.alerts.dedup import AlertHistory, LaterWindow, decide
from scouter_flows.alerts.records import AlertPolicy, AlertRecord, Destination
from scouter_flows.window import Window

DAY = timedelta(days=1)
TODAY = Window(datetime(2026, 11, 10, tzinfo=UTC), datetime(2026, 11, 11, tzinfo=UTC))
KEY = "credit/risk/1:age:psi_drift"
SLACK = Destination("slack:#ml", {"kind": "slack"}, resolutions=True)
CONSOLE = Destination("console", {"kind": "console"})
AGE = AlertRecord(KEY, "age", "psi_drift", "warning", 0.4, 0.1, "age drifted")


def _policy(cooldown: timedelta | None = 7 * DAY) -> AlertPolicy:
    return AlertPolicy(destinations=(SLACK,), cooldown=cooldown)


def _later(days_after: int, status: str) -> LaterWindow:
    return LaterWindow(TODAY.end + days_after * DAY, {(KEY, SLACK.key): status})  # type: ignore[dict-item]


PAIR = (KEY, SLACK.key)

TRIGGERS = [
    ("a new breach is sent", _policy(), AlertHistory(), "pending"),
    (
        "still firing, announced yesterday: held back",
        _policy(),
        AlertHistory(previous={PAIR: AGE}, last_announced={PAIR: TODAY.start}),
        "suppressed",
    ),
    (
        "still firing, announced 8 days ago with a 7-day cool-down: sent again",
        _policy(),
        AlertHistory(previous={PAIR: AGE}, last_announced={PAIR: TODAY.end - 8 * DAY}),
        "pending",
    ),
    (
        "announced exactly a cool-down ago: sent again",
        _policy(),
        AlertHistory(previous={PAIR: AGE}, last_announced={PAIR: TODAY.end - 7 * DAY}),
        "pending",
    ),
    (
        "still firing, never announced (its deliveries failed): sent now",
        _policy(),
        AlertHistory(previous={PAIR: AGE}),
        "pending",
    ),
    (
        "no cool-down: held back until it resolves",
        _policy(cooldown=None),
        AlertHistory(previous={PAIR: AGE}, last_announced={PAIR: TODAY.end - 300 * DAY}),
        "suppressed",
    ),
    (
        "announced in an earlier streak, quiet yesterday: a new streak is sent",
        _policy(),
        AlertHistory(last_announced={PAIR: TODAY.start - DAY}),
        "pending",
    ),
    (
        "written after a later window of the streak that announced it: held back",
        _policy(),
        AlertHistory(later=[_later(1, "sent")]),
        "suppressed",
    ),
    (
        "a later pending row counts as an announcement too",
        _policy(),
        AlertHistory(later=[_later(1, "suppressed"), _later(2, "pending")]),
        "suppressed",
    ),
    (
        "the later streak broke before its announcement: sent",
        _policy(),
        AlertHistory(later=[LaterWindow(TODAY.end + DAY, {}), _later(2, "sent")]),
        "pending",
    ),
    (
        "a later announcement beyond the cool-down does not count",
        _policy(),
        AlertHistory(later=[_later(3, "suppressed"), _later(7, "sent")]),
        "pending",
    ),
    (
        "a later failed delivery is no announcement",
        _policy(),
        AlertHistory(later=[_later(1, "failed")]),
        "pending",
    ),
]


@pytest.mark.parametrize(
    ("policy", "history", "status"), [case[1:] for case in TRIGGERS], ids=[c[0] for c in TRIGGERS]
)
def test_a_breach_is_sent_or_held_back(
    policy: AlertPolicy, history: AlertHistory, status: str
) -> None:
    (entry,) = decide([AGE], {"age"}, policy, TODAY, history)
    assert (entry.event, entry.destination, entry.status) == ("trigger", SLACK, status)
    assert entry.alert is AGE


RESOLUTIONS = [
    ("an announced breach that stopped resolves", SLACK, {"age"}, True, 1),
    ("a destination without resolutions hears nothing", CONSOLE, {"age"}, True, 0),
    ("an entity not judged this window stays open", SLACK, {"income"}, True, 0),
    ("nobody was told: no resolution either", SLACK, {"age"}, False, 0),
]


@pytest.mark.parametrize(
    ("destination", "judged", "announced", "resolutions"),
    [case[1:] for case in RESOLUTIONS],
    ids=[c[0] for c in RESOLUTIONS],
)
def test_a_breach_that_stopped_firing_resolves_where_it_was_announced(
    destination: Destination,
    judged: set[str],
    announced: bool,
    resolutions: int,
) -> None:
    pair = (KEY, destination.key)
    history = AlertHistory(
        previous={pair: AGE}, last_announced={pair: TODAY.start} if announced else {}
    )
    policy = AlertPolicy(destinations=(destination,))
    entries = decide([], judged, policy, TODAY, history)
    assert len(entries) == resolutions
    for entry in entries:
        assert (entry.event, entry.status, entry.destination) == ("resolve", "pending", destination)
        assert entry.alert.value is None
        assert entry.alert.message == "resolved (was: age drifted)"
        assert (entry.alert.entity, entry.alert.kind) == ("age", "psi_drift")


def test_a_breach_still_firing_never_resolves() -> None:
    history = AlertHistory(previous={PAIR: AGE}, last_announced={PAIR: TODAY.start})
    entries = decide([AGE], {"age"}, _policy(), TODAY, history)
    assert [e.event for e in entries] == ["trigger"]


def test_each_destination_is_judged_on_its_own_history() -> None:
    console_pair = (KEY, CONSOLE.key)
    history = AlertHistory(
        previous={PAIR: AGE, console_pair: AGE},
        last_announced={PAIR: TODAY.start},  # Slack heard of it; the console row had failed
    )
    policy = AlertPolicy(destinations=(SLACK, CONSOLE))
    statuses = {e.destination.key: e.status for e in decide([AGE], {"age"}, policy, TODAY, history)}
    assert statuses == {"slack:#ml": "suppressed", "console": "pending"}
