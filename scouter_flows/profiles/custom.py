"""Custom metrics: a baseline value per metric and the rule that says when the window breaches it.

Differs from Scouter on purpose: `Outside` with no delta fires on any difference only because
delta is 0 (the same rule as with a delta), the window value needs at least `sample_size`
observations, and a negative delta is rejected.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from scouter_flows import limits
from scouter_flows.profiles.alerting import AlertCondition, AlertThreshold, CustomMetricAlertConfig
from scouter_flows.profiles.base import (
    DriftProfileBase,
    ProfileIdentity,
    ScouterKind,
    ScouterLayout,
    ScouterOrigin,
)
from scouter_flows.profiles.scouter_json import (
    custom_config_from_scouter,
    custom_from_scouter,
    custom_to_scouter,
)

__all__ = [
    "AlertThreshold",
    "CustomDriftProfile",
    "CustomMetric",
    "CustomMetricAlertConfig",
    "CustomMetricDriftConfig",
]


class CustomMetric(AlertCondition):
    """A metric with its baseline value and breach rule (see `AlertCondition`).

    Example:
        >>> CustomMetric(name="accuracy", baseline_value=0.91, alert_threshold="Below", delta=0.02)
        CustomMetric(baseline_value=0.91, ..., name='accuracy')
    """

    name: str = Field(description="Metric name, as the column holding its observations.")

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("metric name must not be empty")
        return limits.check_text(value, limits.FEATURE, "metric name")


class CustomMetricDriftConfig(ProfileIdentity):
    """Identity and sample size of a custom-metric profile."""

    @classmethod
    def from_scouter_config(cls, data: dict[str, Any]) -> dict[str, Any]:
        """This package's layout of a decoded Scouter config of this kind."""
        return custom_config_from_scouter(data)

    sample_size: int = Field(
        default=25, ge=1, description="Observations a metric needs in a window to be judged."
    )
    alert_config: CustomMetricAlertConfig = Field(
        default_factory=CustomMetricAlertConfig, description="Schedule and alert destinations."
    )


class CustomDriftProfile(DriftProfileBase, ScouterKind):
    """A custom-metric profile: the metrics and their rules.

    Reads Scouter's custom-metric profile JSON as well as this package's; `to_scouter_json()`
    writes Scouter's.
    """

    scouter_layout = ScouterLayout(custom_from_scouter, custom_to_scouter)

    drift_type: Literal["custom"] = "custom"
    config: CustomMetricDriftConfig
    metrics: dict[str, CustomMetric] = Field(description="Metrics by name.")
    scouter: ScouterOrigin | None = None
