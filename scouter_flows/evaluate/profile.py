"""`AgentEvalProfile`: the tasks of an online evaluation, its sample ratio and its alerting.

Differs from Scouter on purpose: sampling hashes the record id (a re-run samples the same
records), a ratio outside (0, 1] is an error rather than silently clamped, and an empty task list
or a bad graph is refused when the profile is built.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Literal

from pydantic import Field, field_validator, model_validator

from scouter_flows.evaluate.records import EvalRecord
from scouter_flows.evaluate.scouter_profile import agent_to_scouter
from scouter_flows.evaluate.task_graph import (
    TaskField,
    execution_plan,
)
from scouter_flows.profiles.alerting import AgentAlertConfig
from scouter_flows.profiles.base import (
    DriftProfileBase,
    ProfileIdentity,
    ScouterKind,
    ScouterLayout,
    ScouterOrigin,
)
from scouter_flows.profiles.scouter_json import genai_from_scouter


class AgentEvalConfig(ProfileIdentity):
    """Identity, sampling and alerting of an online evaluation."""

    sample_ratio: float = Field(
        default=1.0, description="Share of a window's records evaluated, chosen by id hash."
    )
    alert_config: AgentAlertConfig = Field(
        default_factory=AgentAlertConfig, description="Schedule, pass-rate rule, destinations."
    )

    @field_validator("sample_ratio")
    @classmethod
    def _ratio(cls, value: float) -> float:
        if not 0 < value <= 1:
            raise ValueError(f"sample_ratio must be in (0, 1], got {value}")
        return value


class AgentEvalProfile(DriftProfileBase, ScouterKind):
    """An evaluation's config and task graph, stored like a drift profile (`drift_type` genai).

    Reads Scouter's agent-evaluation profile JSON (`AgentEvalProfile`) as well as this
    package's; `to_scouter_json()` writes Scouter's (judge tasks only as read from it).
    """

    scouter_layout = ScouterLayout(genai_from_scouter, agent_to_scouter)

    drift_type: Literal["genai"] = "genai"

    @classmethod
    def default_file_name(cls) -> str:
        """Scouter's name for an evaluation profile's file."""
        return "agent_eval_profile.json"

    config: AgentEvalConfig
    tasks: list[TaskField] = Field(description="The task graph every sampled record runs.")
    scouter: ScouterOrigin | None = None

    @model_validator(mode="after")
    def _graph(self) -> AgentEvalProfile:
        if not self.tasks:
            raise ValueError("a GenAI eval profile needs at least one task")
        execution_plan(self.tasks)
        return self

    def sample(self, records: Sequence[EvalRecord]) -> list[EvalRecord]:
        """The records this profile evaluates: a stable `sample_ratio` share, by id hash."""
        return sample_records(records, self.config.sample_ratio)


def sample_records(records: Sequence[EvalRecord], ratio: float) -> list[EvalRecord]:
    """Keep a record iff the first 8 bytes of sha256(id), read as a fraction, are < `ratio`."""
    if ratio >= 1:
        return list(records)
    limit = int(ratio * 2**64)
    return [
        r
        for r in records
        if int.from_bytes(hashlib.sha256(r.id.encode()).digest()[:8], "big") < limit
    ]


# Scouter's older names.
GenAIEvalConfig = AgentEvalConfig
GenAIEvalProfile = AgentEvalProfile
