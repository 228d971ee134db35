"""Online evaluation: a stored profile, a window of records, hashed sampling, stored results and
a pass-rate alert through the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from scouter_flows import AgentAlertConfig, AlertCondition, Store, Window
from scouter_flows.evaluate import (
    AgentEvalConfig,
    AgentEvalProfile,
    AssertionTask,
    TraceAssertion,
    TraceAssertionTask,
)
from scouter_flows.tasks import dispatch_alerts, evaluate_window, load_eval_profile
from scouter_flows.traces.spans import read_otlp_json
from tests.traces.test_spans import _record_traces

START = datetime(2026, 11, 30, tzinfo=UTC)
WINDOW = Window(START, START + timedelta(days=1))


def _profile(tmp_path: Path) -> str:
    profile = AgentEvalProfile(
        config=AgentEvalConfig(
            space="support",
            name="bot",
            version="1",
            sample_ratio=0.5,
            alert_config=AgentAlertConfig(
                alert_condition=AlertCondition(
                    baseline_value=0.9, alert_threshold="Below", delta=0.05
                )
            ),
        ),
        tasks=[
            AssertionTask(id="answered", context_path="answer", operator="IsNotEmpty"),
            TraceAssertionTask(
                id="few_spans",
                operator="LessThanOrEqual",
                expected_value=3,
                assertion=TraceAssertion.trace_span_count(),
            ),
        ],
    )
    return str(profile.save_to_json(tmp_path / "eval.json"))


def test_a_window_is_sampled_evaluated_stored_and_alerted(tmp_path: Path, store_url: str) -> None:
    path = tmp_path / "spans.jsonl"
    path.write_text("\n".join(_record_traces(2)) + "\n")
    spans = read_otlp_json(path)
    traces = spans["trace_id"].unique().sort().to_list()
    records = pl.DataFrame(
        {
            "id": [f"r{i}" for i in range(200)],
            "context": [f'{{"answer": "{"yes" if i % 3 else ""}"}}' for i in range(200)],
            "trace_id": [traces[i % 2] for i in range(200)],
            "created_at": [START + timedelta(minutes=i) for i in range(200)],
        }
    )
    with Store(store_url, auto_upgrade=True) as store:
        store.write_spans(spans)
    ref = load_eval_profile(_profile(tmp_path), store_url)
    first = evaluate_window(ref, records, WINDOW, store_url)
    again = evaluate_window(ref, records, WINDOW, store_url)
    assert first["run_id"] == again["run_id"]
    assert first["sampled"] == again["sampled"]
    assert 70 < first["sampled"] < 130  # half, by id hash
    assert first["records"] == 200
    # A third of the answers are empty: the pass rate sits far below 0.85 and alerts.
    assert first["pass_rate"] < 0.85
    assert first["pending_alerts"] == 1
    with Store(store_url) as store:
        results = store.eval_results(first["run_id"])
        assert results.height == 2 * first["sampled"]
        assert set(results["task_id"]) == {"answered", "few_spans"}
        assert results.filter(task_id="few_spans")["status"].unique().to_list() == ["pass"]
        (alert,) = store.alerts(eval_run_id=first["run_id"])
        assert alert.dedup_key == "support/bot/1:pass_rate:genai_pass_rate"
    sent = dispatch_alerts(eval_run_id=first["run_id"], store_url=store_url)
    assert sent["sent"] == 1
    assert load_eval_profile("support/bot/1", store_url).profile_id == ref.profile_id


def test_a_window_without_records_is_no_data_and_alerts_only_when_asked(
    tmp_path: Path, store_url: str
) -> None:
    records = pl.DataFrame(
        {
            "id": ["r0"],
            "context": ['{"answer": "yes"}'],
            "trace_id": [None],
            "created_at": [START - timedelta(days=3)],  # outside the window
        },
        schema_overrides={"trace_id": pl.String},
    )
    Store(store_url, auto_upgrade=True).close()
    ref = load_eval_profile(_profile(tmp_path), store_url)
    summary = evaluate_window(ref, records, WINDOW, store_url)
    assert (summary["status"], summary["records"], summary["pending_alerts"]) == ("no_data", 0, 0)
    asked = AgentEvalProfile(
        config=AgentEvalConfig(
            space="support",
            name="quiet",
            version="1",
            alert_config=AgentAlertConfig(alert_on_no_data=True),
        ),
        tasks=[AssertionTask(id="answered", context_path="answer", operator="IsNotEmpty")],
    )
    quiet = load_eval_profile(str(asked.save_to_json(tmp_path / "quiet.json")), store_url)
    alerted = evaluate_window(quiet, records, WINDOW, store_url)
    assert (alerted["status"], alerted["pending_alerts"]) == ("no_data", 1)
    with Store(store_url) as store:
        (alert,) = store.alerts(eval_run_id=alerted["run_id"])
        assert alert.dedup_key == "support/quiet/1:(window):no_data"
