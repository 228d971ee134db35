"""Alert configs: crons, presets, destinations and priorities, validated at config time."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from scouter_flows import PsiDriftConfig
from scouter_flows.profiles.alerting import (
    AgentAlertConfig,
    AlertCondition,
    CommonCrons,
    ConsoleDispatchConfig,
    OpsGenieDispatchConfig,
    PsiAlertConfig,
    SlackDispatchConfig,
    SpcAlertConfig,
    schedule_window,
)


def _error(call: object, **kwargs: object) -> str:
    with pytest.raises(ValidationError) as info:
        call(**kwargs)  # type: ignore[operator]
    return str(info.value)


def test_presets_and_scouter_six_field_crons_become_five_fields() -> None:
    assert PsiAlertConfig(schedule=CommonCrons.Every6Hours).schedule == "0 */6 * * *"
    assert PsiAlertConfig(schedule="0 0 0 * * *").schedule == "0 0 * * *"  # Scouter's EveryDay
    assert SpcAlertConfig(schedule=CommonCrons.EveryWeek.cron).schedule == "0 0 * * 0"
    assert PsiAlertConfig().schedule == CommonCrons.EveryDay.value


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("61 * * * *", "schedule '61 * * * *' is not a valid cron expression"),
        ("30 0 0 * * *", "has a seconds field '30'"),
        ("0 0 *", "must be a 5-field cron"),
        ("every day", "must be a 5-field cron"),
    ],
)
def test_invalid_cron_is_refused(schedule: str, message: str) -> None:
    assert message in _error(PsiAlertConfig, schedule=schedule)


def test_unknown_priority_empty_channel_and_team_are_refused() -> None:
    assert "priority" in _error(OpsGenieDispatchConfig, team="ml", priority="P9")
    assert "Slack channel must not be empty" in _error(SlackDispatchConfig, channel="  ")
    assert "OpsGenie team must not be empty" in _error(OpsGenieDispatchConfig, team="")


def test_a_destination_whose_sdk_is_missing_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "slack_sdk", None)  # as if the extra were not installed
    message = _error(SlackDispatchConfig, channel="#ml")
    assert "needs the slack_sdk package" in message
    assert "pip install 'scouter-flows[slack]'" in message
    monkeypatch.setitem(sys.modules, "opsgenie_sdk", None)
    assert "scouter-flows[opsgenie]" in _error(OpsGenieDispatchConfig, team="ml")
    assert ConsoleDispatchConfig().destination == "console"  # needs nothing


def test_several_destinations_one_or_a_list_and_no_duplicates() -> None:
    one = PsiAlertConfig(dispatch_config=SlackDispatchConfig(channel="#ml"))
    assert [d.destination for d in one.dispatch_config] == ["slack:#ml"]
    both = PsiAlertConfig(
        dispatch_config=[{"kind": "slack", "channel": "#ml"}, {"kind": "opsgenie", "team": "t"}]
    )
    assert [d.destination for d in both.dispatch_config] == ["slack:#ml", "opsgenie:t"]
    assert "destinations given twice" in _error(
        PsiAlertConfig,
        dispatch_config=[SlackDispatchConfig(channel="#ml"), SlackDispatchConfig(channel="#ml")],
    )
    assert "cooldown must not be negative" in _error(PsiAlertConfig, cooldown=timedelta(-1))


def test_severity_maps_to_opsgenie_priority() -> None:
    config = OpsGenieDispatchConfig(team="ml", priority="P4")
    assert (config.priority_for("warning"), config.priority_for("critical")) == ("P4", "P3")
    assert OpsGenieDispatchConfig(team="ml", priority="P1").priority_for("critical") == "P1"
    explicit = OpsGenieDispatchConfig(team="ml", critical_priority="P1")
    assert explicit.priority_for("critical") == "P1"


def test_genai_condition_uses_the_custom_metric_rule() -> None:
    config = AgentAlertConfig(
        alert_condition=AlertCondition(baseline_value=0.9, alert_threshold="Below", delta=0.1)
    )
    assert config.alert_condition is not None
    assert config.alert_condition.breached(0.79)
    assert not config.alert_condition.breached(0.8)  # strict
    assert "delta must be a finite number >= 0" in _error(
        AlertCondition, baseline_value=0.9, alert_threshold="Below", delta=-0.1
    )


def test_schedule_window_is_the_last_completed_tick_interval() -> None:
    at = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
    assert schedule_window("0 */6 * * *", at) == (
        datetime(2026, 12, 1, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 6, tzinfo=UTC),
    )
    on_tick = datetime(2026, 12, 1, 6, tzinfo=UTC)
    assert schedule_window("0 */6 * * *", on_tick)[1] == on_tick


def test_alert_config_round_trips_through_the_profile_json() -> None:
    config = PsiDriftConfig(
        space="s",
        name="n",
        alert_config=PsiAlertConfig(
            dispatch_config=[SlackDispatchConfig(channel="#ml"), OpsGenieDispatchConfig(team="t")],
            cooldown=timedelta(hours=12),
            severity="critical",
        ),
    )
    body = config.model_dump_json()
    assert PsiDriftConfig.model_validate_json(body) == config
