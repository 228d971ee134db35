"""Custom metrics: a baseline value per metric and the rule that says when the window breaches it.

Differs from Scouter on purpose: `Outside` with no delta fires on any difference only because
delta is 0 (the same rule as with a delta), the window value needs at least `sample_size`
observations, and a negative delta is rejected.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Literal

from pydantic import AliasChoices, Field, field_validator

from scouter_flows.profiles.base import DriftProfileBase, FrozenModel, ProfileIdentity


class AlertThreshold(StrEnum):
    """Which side of the baseline counts as a breach."""

    Above = "Above"
    Below = "Below"
    Outside = "Outside"


class CustomMetric(FrozenModel):
    """A metric with its baseline value and breach rule.

    Fires when the window value x is strictly beyond the baseline by more than `delta`:
    `Above`: x > baseline + delta; `Below`: x < baseline - delta; `Outside`: |x - baseline| > delta.

    Example:
        >>> CustomMetric(name="accuracy", baseline_value=0.91, alert_threshold="Below", delta=0.02)
        CustomMetric(name='accuracy', baseline_value=0.91, ...)
    """

    name: str = Field(description="Metric name, as the column holding its observations.")
    baseline_value: float = Field(
        validation_alias=AliasChoices("baseline_value", "value"),
        description="The expected value (alias: value).",
    )
    alert_threshold: AlertThreshold = Field(
        validation_alias=AliasChoices("alert_threshold", "alert_threshold_value"),
        description="Above, Below or Outside (alias: alert_threshold_value).",
    )
    delta: float | None = Field(default=None, description="Absolute tolerance; None means 0.")

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("metric name must not be empty")
        return value

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
        """Whether `value` fires this metric's rule (NaN never fires)."""
        lower, upper = self.bounds()
        return (lower is not None and value < lower) or (upper is not None and value > upper)


class CustomMetricDriftConfig(ProfileIdentity):
    """Identity and sample size of a custom-metric profile."""

    sample_size: int = Field(
        default=25, ge=1, description="Observations a metric needs in a window to be judged."
    )


class CustomDriftProfile(DriftProfileBase):
    """A custom-metric profile: the metrics and their rules."""

    drift_type: Literal["custom"] = "custom"
    config: CustomMetricDriftConfig
    metrics: dict[str, CustomMetric] = Field(description="Metrics by name.")
