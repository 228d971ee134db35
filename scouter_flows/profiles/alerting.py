"""Alert configs: when a monitor runs, who hears about a breach, and how often.

The names follow Scouter (`PsiAlertConfig`, `SpcAlertConfig`, `CustomMetricAlertConfig`,
`AgentAlertConfig`, `AlertCondition`, `CommonCrons`, `SlackDispatchConfig`, ...). Differs from
Scouter on purpose: schedules are standard 5-field crons (a Scouter 6-field cron is accepted when
its leading seconds field is 0), several destinations can be given at once, a destination whose
SDK is not installed is refused here rather than falling back to the console, and a breach that
keeps firing is re-sent only after `cooldown`.
"""

from __future__ import annotations

import math
import re
import warnings
from datetime import datetime, timedelta
from enum import StrEnum
from importlib.util import find_spec
from typing import Annotated, Any, Literal

from croniter import croniter
from pydantic import AliasChoices, Field, FiniteFloat, field_validator, model_validator

from scouter_flows import limits
from scouter_flows.profiles.base import FrozenModel, OmitsUnset
from scouter_flows.window import ensure_utc

Severity = Literal["warning", "critical"]
OpsGeniePriority = Literal["P1", "P2", "P3", "P4", "P5"]


class AlertThreshold(StrEnum):
    """Which side of the baseline counts as a breach."""

    Above = "Above"
    Below = "Below"
    Outside = "Outside"


class CommonCrons(StrEnum):
    """Schedules most monitors use (5-field crons, UTC)."""

    Every30Minutes = "*/30 * * * *"
    EveryHour = "0 * * * *"
    Every6Hours = "0 */6 * * *"
    Every12Hours = "0 */12 * * *"
    EveryDay = "0 0 * * *"
    EveryWeek = "0 0 * * 0"

    @property
    def cron(self) -> str:
        """The cron expression (Scouter spells it `.cron`)."""
        return self.value


def normalise_cron(expression: str) -> str:
    """A validated 5-field cron; Scouter's 6- and 7-field crons (seconds first, year last) are
    read as Scouter reads them.

    In those forms the day of the week counts 1-7 from Sunday (Scouter's cron library), so a
    numeric day moves down by one: Scouter's `0 0 9 * * 2` (Monday) is `0 9 * * 1`.

    Example:
        >>> normalise_cron("0 0 0 * * SUN"), normalise_cron("0 0,30 * * * * *")
        ('0 0 * * SUN', '0,30 * * * *')
        >>> normalise_cron("0 0 9 * * 2-6")
        '0 9 * * 1-5'

    Raises:
        ValueError: not a valid cron, seconds other than 0 (orchestrators schedule in minutes)
            or a year other than `*`.
    """
    text = expression.value if isinstance(expression, CommonCrons) else str(expression).strip()
    fields = text.split()
    if len(fields) in (6, 7):
        fields = _from_seconds_cron(text, fields)
    if len(fields) != 5:
        raise ValueError(
            f"schedule {text!r} must be a 5-field cron (minute hour day month weekday), "
            f"for example {CommonCrons.EveryDay.value!r}; it has {len(fields)} fields"
        )
    cron = " ".join(fields)
    if not croniter.is_valid(cron):
        raise ValueError(f"schedule {text!r} is not a valid cron expression")
    return cron


_DAY_NUMBER = re.compile(r"(?<![/\d])\d+")
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


def _from_seconds_cron(text: str, fields: list[str]) -> list[str]:
    """The 5 fields of Scouter's `sec min hour day month weekday [year]` cron."""
    if fields[0] != "0":
        raise ValueError(
            f"schedule {text!r} has a seconds field {fields[0]!r}: orchestrators schedule "
            "in whole minutes, so a 6-field cron must start with 0"
        )
    if len(fields) == 7 and fields[6] != "*":
        raise ValueError(f"schedule {text!r} names years ({fields[6]!r}): only '*' is supported")

    def shift(match: re.Match[str]) -> str:
        day = int(match.group())
        if not 1 <= day <= 7:
            raise ValueError(
                f"schedule {text!r}: day of week {day} is outside Scouter's 1-7 (Sunday = 1)"
            )
        return str(day - 1)

    return [*fields[1:5], _DAY_NUMBER.sub(shift, fields[5])]


def to_seconds_cron(cron: str) -> str:
    """`cron` in Scouter's 6-field form (seconds first; days of the week by name).

    Example:
        >>> to_seconds_cron("0 6 * * 1-5")
        '0 0 6 * * MON,TUE,WED,THU,FRI'
    """
    fields = normalise_cron(cron).split()
    days = croniter.expand(" ".join(fields))[0][4]
    weekday = "*" if days == ["*"] else ",".join(_DAY_NAMES[int(d) % 7] for d in days)
    return " ".join(["0", *fields[:4], weekday])


def schedule_window(schedule: str, at: datetime) -> tuple[datetime, datetime]:
    """The window `[previous tick, last tick)` of `schedule` that ended at or before `at` (UTC).

    `at` may be any aware datetime (a pendulum one from Prefect included); the ticks are UTC.

    Example:
        >>> from datetime import UTC, datetime
        >>> schedule_window("0 */6 * * *", datetime(2026, 12, 3, 13, 5, tzinfo=UTC))[0]
        datetime.datetime(2026, 12, 3, 6, 0, tzinfo=datetime.timezone.utc)
    """
    cron = normalise_cron(schedule)
    ticks = croniter(cron, ensure_utc(at, field="scheduled time") + timedelta(microseconds=1))
    end: datetime = ticks.get_prev(datetime)
    start: datetime = ticks.get_prev(datetime)
    return start.replace(fold=0), end.replace(fold=0)


def _require_extra(module: str, extra: str, config: str) -> None:
    if find_spec(module) is None:
        raise ValueError(
            f"{config} needs the {module} package, which is not installed: "
            f"pip install 'scouter-flows[{extra}]'"
        )


class SlackDispatchConfig(FrozenModel):
    """Post to a Slack channel (bot token) or through an incoming webhook.

    Credentials come from `SLACK_BOT_TOKEN` or `SLACK_WEBHOOK_URL`, an Airflow connection or a
    Prefect block, never from the config.
    """

    kind: Literal["slack"] = "slack"
    channel: str = Field(description="Channel name (#ml-alerts) or id; the webhook's own if one.")

    @field_validator("channel")
    @classmethod
    def _check_channel(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Slack channel must not be empty, for example '#ml-alerts'")
        return limits.check_text(value.strip(), limits.DESTINATION - len("slack:"), "channel")

    @model_validator(mode="after")
    def _check_sdk(self) -> SlackDispatchConfig:
        _require_extra("slack_sdk", "slack", "SlackDispatchConfig")
        return self

    @property
    def destination(self) -> str:
        """The key alerts are tracked under for this destination."""
        return f"slack:{self.channel}"


class OpsGenieDispatchConfig(FrozenModel):
    """Create an OpsGenie alert for the team; `alias` is the dedup key, so OpsGenie dedups too.

    `priority` applies to warnings; critical alerts get `critical_priority` (default: one level
    above `priority`). Credentials come from `OPSGENIE_API_KEY` (and `OPSGENIE_API_URL`), an
    Airflow connection or a Prefect block.
    """

    kind: Literal["opsgenie"] = "opsgenie"
    team: str = Field(description="The responder team's name.")
    priority: OpsGeniePriority = Field(default="P3", description="Priority of warnings.")
    critical_priority: OpsGeniePriority | None = Field(
        default=None, description="Priority of critical alerts; default one above `priority`."
    )
    close_on_resolve: bool = Field(
        default=True, description="Close the OpsGenie alert (by alias) when the breach resolves."
    )
    tags: list[str] = Field(default_factory=list, description="Extra tags on every alert.")

    @field_validator("team")
    @classmethod
    def _check_team(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("OpsGenie team must not be empty")
        return limits.check_text(value.strip(), limits.DESTINATION - len("opsgenie:"), "team")

    @model_validator(mode="after")
    def _check_sdk(self) -> OpsGenieDispatchConfig:
        _require_extra("opsgenie_sdk", "opsgenie", "OpsGenieDispatchConfig")
        return self

    @property
    def destination(self) -> str:
        """The key alerts are tracked under for this destination."""
        return f"opsgenie:{self.team}"

    def priority_for(self, severity: Severity) -> OpsGeniePriority:
        """The OpsGenie priority of an alert of `severity`."""
        if severity == "warning":
            return self.priority
        if self.critical_priority is not None:
            return self.critical_priority
        level = max(1, int(self.priority[1]) - 1)
        return f"P{level}"  # type: ignore[return-value]  # P1..P5 by construction


class ConsoleDispatchConfig(FrozenModel):
    """Readable lines in the task log (and stderr): no credentials needed."""

    kind: Literal["console"] = "console"

    @property
    def destination(self) -> str:
        """The key alerts are tracked under for this destination."""
        return "console"


DispatchConfig = Annotated[
    SlackDispatchConfig | OpsGenieDispatchConfig | ConsoleDispatchConfig,
    Field(discriminator="kind"),
]


def _console() -> list[DispatchConfig]:
    return [ConsoleDispatchConfig()]


class AlertDispatch(FrozenModel):
    """What every alert config shares: the schedule, the destinations and the repeat policy."""

    schedule: str = Field(
        default=CommonCrons.EveryDay.value,
        description="5-field cron (UTC) the monitor runs on; its ticks bound the windows.",
    )
    dispatch_config: list[DispatchConfig] = Field(
        default_factory=lambda: _console(),
        description="Where alerts go; one config or a list (Slack, OpsGenie, console).",
    )
    severity: Severity = Field(default="warning", description="warning or critical.")
    cooldown: timedelta | None = Field(
        default=timedelta(days=7),
        description=(
            "A breach still firing in the next window is recorded but not re-sent until it "
            "resolves or this long has passed since it was last sent; None: only on resolution."
        ),
    )
    announce_resolution: bool = Field(
        default=False, description="Send a 'resolved' message when a sent breach stops firing."
    )
    alert_on_no_data: bool = Field(
        default=False,
        description="Raise a data-freshness alert when a window holds no rows (deduplicated "
        "like any breach; resolved when rows arrive again).",
    )

    @field_validator("schedule", mode="before")
    @classmethod
    def _check_schedule(cls, value: Any) -> str:
        return normalise_cron(value)

    @field_validator("dispatch_config", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        return value if isinstance(value, list | tuple) else [value]

    @field_validator("dispatch_config")
    @classmethod
    def _distinct(cls, configs: list[DispatchConfig]) -> list[DispatchConfig]:
        keys = [c.destination for c in configs]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"destinations given twice: {repeated}")
        return configs

    @field_validator("cooldown")
    @classmethod
    def _check_cooldown(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value < timedelta(0):
            raise ValueError(f"cooldown must not be negative, got {value}")
        return value


class PsiChiSquareThreshold(FrozenModel):
    """tau = chi2_{1-alpha}(B_eff - 1) / M, with 1/M = 1/N + 1/M0 (window and baseline rows).

    Scouter drops the 1/M0 term and so flags about half of all no-drift windows when N = M0.
    """

    kind: Literal["chi_square"] = "chi_square"
    alpha: float = Field(default=0.05, gt=0.0, lt=1.0, description="False-alarm rate per feature.")


class PsiNormalThreshold(FrozenModel):
    """tau = (B_eff - 1)/M + z_{1-alpha} * sqrt(2 (B_eff - 1)) / M, with M as for chi-square."""

    kind: Literal["normal"] = "normal"
    alpha: float = Field(default=0.05, gt=0.0, lt=1.0, description="False-alarm rate per feature.")


class PsiFixedThreshold(FrozenModel):
    """A constant threshold, whatever the sample sizes."""

    kind: Literal["fixed"] = "fixed"
    threshold: FiniteFloat = Field(
        default=0.25, gt=0.0, description="Drift iff PSI > threshold (finite)."
    )


PsiThreshold = Annotated[
    PsiChiSquareThreshold | PsiNormalThreshold | PsiFixedThreshold, Field(discriminator="kind")
]


class PsiAlertConfig(AlertDispatch, OmitsUnset):
    """Alerting of a PSI profile: one alert per drifted feature.

    `threshold=` is where Scouter keeps the drift threshold; a `PsiDriftConfig` takes it from
    its alert config (giving two different thresholds is an error).

    Example:
        >>> from scouter_flows import PsiDriftConfig
        >>> PsiDriftConfig(space="s", name="n", alert_config=PsiAlertConfig(
        ...     threshold=PsiFixedThreshold(threshold=0.2))).threshold
        PsiFixedThreshold(kind='fixed', threshold=0.2)
    """

    _omit_when_none = ("threshold",)

    features_to_monitor: list[str] = Field(
        default_factory=list, description="Features that alert; empty means every monitored one."
    )
    threshold: PsiThreshold | None = Field(
        default=None, description="Scouter's place for the profile's drift threshold."
    )


class SpcAlertConfig(AlertDispatch):
    """Alerting of an SPC profile: one alert per feature, rule kind and zone."""

    features_to_monitor: list[str] = Field(
        default_factory=list, description="Features that alert; empty means every charted one."
    )


class CustomMetricAlertConfig(AlertDispatch):
    """Alerting of a custom-metric profile: one alert per breached metric."""


class AlertCondition(FrozenModel):
    """A baseline value and the side on which a value breaches it.

    Fires when x is strictly beyond the baseline by more than `delta`: `Above`: x > baseline +
    delta; `Below`: x < baseline - delta; `Outside`: |x - baseline| > delta (delta None means 0).
    """

    baseline_value: float = Field(
        validation_alias=AliasChoices("baseline_value", "value"),
        description="The expected value (alias: value).",
    )
    alert_threshold: AlertThreshold = Field(
        validation_alias=AliasChoices("alert_threshold", "threshold"),
        description="Above, Below or Outside (alias: threshold).",
    )
    delta: float | None = Field(
        default=None,
        validation_alias=AliasChoices("delta", "alert_threshold_value"),
        description="Absolute tolerance; None means 0 (alias: alert_threshold_value).",
    )

    @model_validator(mode="before")
    @classmethod
    def _side_given_as_threshold_value(cls, data: Any) -> Any:
        # 0.1.0 read `alert_threshold_value` as the side; Scouter's guides (and
        # now this class) read it as the tolerance. A side name there keeps its old meaning.
        if isinstance(data, dict) and "alert_threshold" not in data and "threshold" not in data:
            side = data.get("alert_threshold_value")
            if isinstance(side, str | AlertThreshold) and str(side) in AlertThreshold.__members__:
                warnings.warn(
                    "alert_threshold_value= naming the side is deprecated; use "
                    "alert_threshold= (alert_threshold_value= is the tolerance, as delta=)",
                    DeprecationWarning,
                    stacklevel=2,
                )
                data = {k: v for k, v in data.items() if k != "alert_threshold_value"}
                data["alert_threshold"] = side
        return data

    @field_validator("baseline_value")
    @classmethod
    def _check_baseline(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError(f"baseline_value must be finite, got {value}")
        return value

    @field_validator("delta")
    @classmethod
    def _check_delta(cls, value: float | None) -> float | None:
        if value is not None and (value < 0 or not math.isfinite(value)):
            raise ValueError(
                f"delta must be a finite number >= 0 (an absolute offset), got {value}"
            )
        return value

    def bounds(self) -> tuple[float | None, float | None]:
        """(lower, upper): a value strictly beyond either fires; None where the rule has no side."""
        d = self.delta or 0.0
        above = self.alert_threshold is AlertThreshold.Above
        below = self.alert_threshold is AlertThreshold.Below
        return (
            None if above else self.baseline_value - d,
            None if below else self.baseline_value + d,
        )

    def breached(self, value: float) -> bool:
        """Whether `value` fires this rule (NaN never fires)."""
        lower, upper = self.bounds()
        return (lower is not None and value < lower) or (upper is not None and value > upper)


class AgentAlertConfig(AlertDispatch):
    """Alerting of a GenAI evaluation: fires when the window's pass rate breaches the condition.

    Example:
        >>> AgentAlertConfig(alert_condition=AlertCondition(
        ...     baseline_value=0.9, alert_threshold="Below", delta=0.1)).alert_condition.bounds()
        (0.8, None)
    """

    alert_condition: AlertCondition | None = Field(
        default=None, description="The pass-rate rule; None: never alert."
    )


GenAIAlertConfig = AgentAlertConfig
"""Scouter's older name of `AgentAlertConfig`."""
