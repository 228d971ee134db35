"""A GenAI eval profile and a day of eval records, for the orchestrator tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scouter_flows import AgentAlertConfig, AlertCondition
from scouter_flows.evaluate import AgentEvalConfig, AgentEvalProfile, AssertionTask

DAY = datetime(2026, 11, 30, tzinfo=UTC)


def write_eval_day(folder: Path, empty_every: int = 3) -> tuple[str, str]:
    """(profile JSON path, NDJSON records path): one answer in `empty_every` is empty."""
    profile = AgentEvalProfile(
        config=AgentEvalConfig(
            space="support",
            name="bot",
            version="1",
            alert_config=AgentAlertConfig(
                alert_condition=AlertCondition(
                    baseline_value=0.95, alert_threshold="Below", delta=0.05
                )
            ),
        ),
        tasks=[AssertionTask(id="answered", context_path="answer", operator="IsNotEmpty")],
    )
    records = folder / "records.ndjson"
    records.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"r{i}",
                    "context": {"answer": "" if i % empty_every == 0 else "yes"},
                    "created_at": (DAY + timedelta(minutes=5 * i)).isoformat(),
                }
            )
            + "\n"
            for i in range(100)
        )
    )
    return str(profile.save_to_json(folder / "eval.json")), str(records)
