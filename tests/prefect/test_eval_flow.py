"""`genai_eval_flow` under the Prefect test server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from scouter_flows import Store
from scouter_flows.flows import genai_eval_flow
from tests.eval_samples import DAY, write_eval_day


def _evaluate_day(profile: str, records: str, store_url: str, **options: Any) -> dict[str, Any]:
    return genai_eval_flow(
        profile=profile,
        source_path=records,
        window_start=DAY,
        window_end=DAY + timedelta(days=1),
        store_url=store_url,
        **options,
    )


def test_eval_flow_stores_the_run_and_dispatches_the_pass_rate_alert(
    tmp_path: Path, store_url: str
) -> None:
    Store(store_url, auto_upgrade=True).close()
    profile, records = write_eval_day(tmp_path)
    summary = _evaluate_day(profile, records, store_url)
    assert summary["records"] == summary["sampled"] == 100
    assert summary["pass_rate"] == 0.66
    assert summary["dispatch"]["sent"] == 1
    with Store(store_url) as store:
        (alert,) = store.alerts(eval_run_id=summary["run_id"])
        assert alert.status == "sent"
        assert "pass rate 66.00% < 90.00%" in alert.message
        assert store.eval_results(summary["run_id"]).height == 100


def test_a_healthy_window_skips_dispatch(tmp_path: Path, store_url: str) -> None:
    Store(store_url, auto_upgrade=True).close()
    profile, records = write_eval_day(tmp_path, empty_every=1000)
    summary = _evaluate_day(profile, records, store_url)
    assert summary["pass_rate"] == 0.99
    assert summary["dispatch"] is None


def test_a_dry_run_evaluates_and_stores_nothing(tmp_path: Path, store_url: str) -> None:
    from prefect.artifacts import Artifact

    Store(store_url, auto_upgrade=True).close()
    profile, records = write_eval_day(tmp_path)
    summary = _evaluate_day(profile, records, store_url, dry_run=True)
    assert summary["dry_run"] is True
    assert summary["pass_rate"] == 0.66
    assert summary["pending_alerts"] == 0
    assert summary["dispatch"] is None
    assert set(summary["tasks"]) == {"answered"}
    with Store(store_url) as store:
        assert store.eval_pass_rates(*summary["profile"].split("/")[:2]).height == 0
    table = Artifact.get("eval-" + summary["profile"].replace("/", "-").replace(".", "-"))
    assert table is not None


def test_the_eval_run_writes_its_report_and_the_artifact_links_it(tmp_path: Path) -> None:
    from prefect.artifacts import Artifact

    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    profile, records = write_eval_day(tmp_path)
    summary = _evaluate_day(profile, records, store_url, report_dir=str(tmp_path / "reports"))
    page = Path(summary["report"])
    assert page.name.startswith("eval-")
    assert page.exists()
    text = page.read_text()
    assert "Pass rate per task" in text
    assert "answered" in text
    key = "eval-" + summary["profile"].replace("/", "-").replace(".", "-") + "-summary"
    markdown = str(Artifact.get(key).data)  # type: ignore[union-attr]
    assert "![headline chart](data:image/png;base64," in markdown
    assert f"[Full report]({page.as_uri()})" in markdown


def test_the_eval_flow_runs_agent_assertion_tasks_unchanged(tmp_path: Path) -> None:
    """A profile of agent assertions over OpenAI responses: every third record never searched."""
    import json

    from scouter_flows.evaluate import (
        AgentAssertion,
        AgentAssertionTask,
        AgentEvalConfig,
        AgentEvalProfile,
    )

    url = f"sqlite:///{tmp_path / 'store.db'}"
    profile = AgentEvalProfile(
        config=AgentEvalConfig(space="support", name="agent", version="1"),
        tasks=[
            AgentAssertionTask(id="searched", operator="Equals", expected_value=True,
                               assertion=AgentAssertion.tool_called("search"),
                               context_path="response"),
            AgentAssertionTask(id="budget", operator="LessThan", expected_value=100,
                               assertion=AgentAssertion.response_total_tokens(),
                               context_path="response"),
        ],
    )  # fmt: skip
    calls = [{"id": "c", "type": "function", "function": {"name": "search", "arguments": "{}"}}]

    def response(i: int) -> dict[str, Any]:
        message = {"role": "assistant", "content": "ok", "tool_calls": calls if i % 3 else []}
        usage = {"prompt_tokens": 40, "completion_tokens": 9, "total_tokens": 49}
        return {"model": "m", "choices": [{"message": message}], "usage": usage}

    records = tmp_path / "records.ndjson"
    records.write_text(
        "".join(
            json.dumps({"id": f"r{i}", "context": {"response": response(i)},
                        "created_at": (DAY + timedelta(minutes=5 * i)).isoformat()}) + "\n"
            for i in range(30)
        )
    )  # fmt: skip
    path = str(profile.save_to_json(tmp_path / "agent.json"))
    summary = _evaluate_day(path, str(records), url)
    assert summary["records"] == 30
    assert summary["pass_rate"] == pytest.approx(50 / 60)  # 10 records never searched
    with Store(url) as store:
        stored = store.eval_results(summary["run_id"])
    failed = stored.filter(stored["status"] == "fail")
    assert sorted(failed["record_id"].to_list()) == sorted(f"r{i}" for i in range(0, 30, 3))
