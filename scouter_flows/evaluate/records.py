"""Eval records: a JSON context, an id that is stable across runs, an optional trace."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from scouter_flows import limits
from scouter_flows.profiles.base import FrozenModel
from scouter_flows.sources.eval_records import canonical_context, stable_record_id


class EvalRecord(FrozenModel):
    """One input/output pair (or any JSON object) to evaluate.

    A record without an `id` gets a hash of its context, so re-runs match records and a
    baseline comparison compares like with like (Scouter gives each object a fresh uid).

    Example:
        >>> EvalRecord(context={"question": "2+2?", "answer": "4"}).id
        '...'
    """

    context: dict[str, Any] = Field(description="The JSON object tasks read from.")
    id: str = Field(default="", description="Record id; default: a hash of the context.")
    trace_id: str | None = Field(default=None, description="The trace whose spans it produced.")
    session_id: str | None = Field(
        default=None, description="The conversation or session the record belongs to."
    )
    created_at: datetime | None = Field(default=None, description="When it was recorded (UTC).")

    @model_validator(mode="before")
    @classmethod
    def _default_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("id") and isinstance(data.get("context"), dict):
            data = {**data, "id": stable_record_id(canonical_context(data["context"]))}
        return data

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        return limits.check_text(value, limits.RECORD_ID, "record id")

    @field_validator("trace_id", "session_id")
    @classmethod
    def _check_trace_id(cls, value: str | None, info: ValidationInfo) -> str | None:
        what = str(info.field_name).replace("_", " ")
        return None if value is None else limits.check_text(value, limits.TRACE_ID, what)
