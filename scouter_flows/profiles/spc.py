"""SPC (X-bar chart) configuration and profile models.

Differs from Scouter on purpose: the subgroup size is `sample_size` for both the profile and
monitoring, only full subgroups count, and the limits are standard errors of the subgroup mean
(sigma / sqrt(n)), not of individual values, so real mean shifts are caught.
"""

from __future__ import annotations

import math
from enum import IntEnum, StrEnum
from typing import Any, Literal

from pydantic import Field, FiniteFloat, field_validator, model_validator

from scouter_flows import limits
from scouter_flows.profiles.alerting import SpcAlertConfig
from scouter_flows.profiles.base import (
    DriftProfileBase,
    FrozenModel,
    ProfileIdentity,
    ScouterKind,
    ScouterLayout,
    ScouterOrigin,
)
from scouter_flows.profiles.scouter_json import (
    spc_config_from_scouter,
    spc_from_scouter,
    spc_to_scouter,
)

DEFAULT_RULE = "8 16 4 8 2 4 1 1"
TREND_LENGTH = 7


class AlertZone(IntEnum):
    """Zones of an SPC chart, as Scouter names them: zone k lies between k - 1 and k standard
    errors from the centre (zone 4: beyond 3). `zones_to_monitor` takes these or 1-4."""

    NotApplicable = 0
    Zone1 = 1
    Zone2 = 2
    Zone3 = 3
    Zone4 = 4


class SpcAlertType(StrEnum):
    """Scouter's kinds of SPC rule alert (`method="rules"`): the rule that broke."""

    OutOfBounds = "OutOfBounds"
    Consecutive = "Consecutive"
    Alternating = "Alternating"
    AllGood = "AllGood"
    Trend = "Trend"


class SpcRule(FrozenModel):
    """Which patterns of subgroup means raise an alert.

    `rule` holds eight non-negative integers: pairs (consecutive c_k, alternating a_k) for zones
    k = 1..4; 0 disables a check. Consecutive: the last c_k means are all in zone >= k on one
    side. Alternating: the last a_k means are all in zone >= k and change side at every step.
    Zone 4 is beyond 3 standard errors (out of bounds). A 7-mean trend check is always on.
    """

    rule: str = Field(default=DEFAULT_RULE, description="Eight integers: (c_k, a_k), k = 1..4.")
    zones_to_monitor: list[int] = Field(
        default_factory=lambda: [1, 2, 3, 4],
        description="Zones whose checks are active (1-4, or AlertZone.Zone1 ... Zone4).",
    )

    @field_validator("rule")
    @classmethod
    def _check_rule(cls, value: str) -> str:
        parts = value.split()
        if len(parts) != 8 or not all(p.isdigit() for p in parts):
            raise ValueError(
                f"rule {value!r} must be exactly eight non-negative integers separated by spaces, "
                f"for example {DEFAULT_RULE!r}"
            )
        return " ".join(parts)

    @field_validator("zones_to_monitor")
    @classmethod
    def _check_zones(cls, zones: list[int]) -> list[int]:
        bad = [z for z in zones if z not in (1, 2, 3, 4)]
        if bad:
            raise ValueError(f"zones_to_monitor must be among 1, 2, 3, 4; got {bad}")
        return sorted({int(z) for z in zones})

    def counts(self) -> list[tuple[int, int]]:
        """(consecutive, alternating) per zone 1..4."""
        values = [int(p) for p in self.rule.split()]
        return [(values[2 * k], values[2 * k + 1]) for k in range(4)]

    def lookback(self) -> int:
        """How many past means a pattern can span: max(c_k, a_k, 7)."""
        return max(TREND_LENGTH, *(max(pair) for pair in self.counts()))


SpcMethod = Literal["calibrated", "rules"]


SpcAlertRule = SpcRule
"""Scouter's name of `SpcRule` (`SpcAlertRule().rule` is the default rule string)."""


class SpcDriftConfig(ProfileIdentity):
    """How an SPC profile is built and monitored.

    By default (`method="calibrated"`) a window alerts on a CUSUM of its subgroup means or on a
    single extreme mean, with limits chosen for the window's number of subgroups so that a window
    without drift alerts with probability `alpha` per feature (see `scouter_flows.drift.cusum`).
    Passing `rule=` (Scouter's rule string) selects `method="rules"`: the Western Electric style
    patterns, whose false-alarm rate is per subgroup and so grows with the window's length.

    Example:
        >>> SpcDriftConfig(space="fraud", name="scorer", sample_size=50).method
        'calibrated'
        >>> SpcDriftConfig(space="fraud", name="scorer", rule=SpcRule()).method
        'rules'
    """

    @classmethod
    def from_scouter_config(cls, data: dict[str, Any]) -> dict[str, Any]:
        """This package's layout of a decoded Scouter config of this kind."""
        return spc_config_from_scouter(data)

    @model_validator(mode="before")
    @classmethod
    def _rule_means_rules(cls, data: Any) -> Any:
        # An explicit rule string (and every profile stored before `method` existed) keeps
        # the meaning it had: the patterns of that string.
        if isinstance(data, dict) and "rule" in data and "method" not in data:
            return {**data, "method": "rules"}
        return data

    sample_size: int = Field(
        default=25, ge=2, description="Rows per subgroup, the same for profile and monitoring."
    )
    features_to_monitor: list[str] = Field(
        default_factory=list, description="Numeric features to chart; empty means every column."
    )
    timestamp_column: str | None = Field(
        default=None, description="Orders rows before they are cut into subgroups (else row order)."
    )
    method: SpcMethod = Field(
        default="calibrated",
        description="calibrated: a stated false-alarm rate per window; rules: the rule string.",
    )
    alpha: float = Field(
        default=0.05,
        gt=0.0,
        lt=0.5,
        description="False-alarm probability per feature and window (calibrated method).",
    )
    rule: SpcRule = Field(
        default_factory=SpcRule, description="Alerting patterns (used with method='rules')."
    )
    alert_config: SpcAlertConfig = Field(
        default_factory=SpcAlertConfig, description="Schedule and alert destinations."
    )


class SpcFeatureProfile(FrozenModel):
    """Centre and process sigma of one feature's X-bar chart."""

    center: FiniteFloat = Field(description="Mean of the subgroup means.")
    sigma: FiniteFloat = Field(
        ge=0.0, description="Process sigma: mean subgroup std (ddof 1) / c4(n)."
    )
    sample_size: int = Field(description="Rows per subgroup.")
    subgroups: int | None = Field(
        description="Full subgroups in the baseline; None when unknown (a profile from Scouter)."
    )

    @property
    def standard_error(self) -> float:
        """Standard error of a subgroup mean: sigma / sqrt(n)."""
        return self.sigma / math.sqrt(self.sample_size)

    def limits(self) -> dict[str, float]:
        """The 1, 2 and 3 standard-error limits on both sides of the centre."""
        se = self.standard_error
        return {
            **{f"{k}_ucl": self.center + k * se for k in (1, 2, 3)},
            **{f"{k}_lcl": self.center - k * se for k in (1, 2, 3)},
        }


class SpcDriftProfile(DriftProfileBase, ScouterKind):
    """An SPC drift profile: config plus chart parameters per monitored feature.

    Reads Scouter's SPC profile JSON as well as this package's; `to_scouter_json()` writes
    Scouter's (limits at 1, 2 and 3 process sigmas, as Scouter draws them).
    """

    _built_from = frozenset({"features_to_monitor", "sample_size", "timestamp_column"})

    scouter_layout = ScouterLayout(spc_from_scouter, spc_to_scouter)

    drift_type: Literal["spc"] = "spc"
    config: SpcDriftConfig
    features: dict[str, SpcFeatureProfile] = Field(description="Chart parameters per feature.")
    baseline_rows: int | None = Field(
        gt=0, description="Rows in the baseline; None when unknown (a profile from Scouter)."
    )
    leftover_rows: int = Field(ge=0, description="Trailing rows that did not fill a subgroup.")
    scouter: ScouterOrigin | None = None

    @field_validator("features")
    @classmethod
    def _check_features_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        limits.check_texts(value, limits.FEATURE, "feature")
        return value
