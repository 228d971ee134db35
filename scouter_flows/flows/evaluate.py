"""The Prefect `genai_eval_flow`: evaluate a window of GenAI records against a stored profile."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from scouter_flows import tasks
from scouter_flows.flows.drift import (
    artifact_key,
    chart_image,
    dispatch_alerts_task,
    flow_window,
    run_link,
)
from scouter_flows.flows.store_choice import flow_store
from scouter_flows.progress import progress_log
from scouter_flows.reports import report_link
from scouter_flows.reports.charts import pass_rate_chart
from scouter_flows.sources.files import FileSource
from scouter_flows.window import Window


@task(name="load-eval-profile", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def load_eval_profile_task(profile: str, store_url: str | None = None) -> tasks.ProfileRef:
    """Register (if a file) and resolve the GenAI eval profile; idempotent, so retried."""
    return tasks.load_eval_profile(profile, store_url)


@task(name="evaluate-window", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=30)
def evaluate_window_task(
    ref: tasks.ProfileRef,
    source: FileSource,
    window: Window,
    store_url: str | None = None,
    link: str | None = None,
    dry_run: bool = False,
    report_dir: str | None = None,
) -> dict[str, Any]:
    """Sample, evaluate and store the window (upserted, and judge answers are cached, so a
    retry costs no repeated provider calls); write its report where `report_dir` says."""
    with progress_log(get_run_logger()):
        return tasks.evaluate_window(
            ref, source, window, store_url, link=link, dry_run=dry_run, report_dir=report_dir
        )


@flow(name="genai-eval", log_prints=True)
def genai_eval_flow(
    profile: str,
    source_path: str,
    timestamp_column: str = "created_at",
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    period_hours: float = 24.0,
    schedule: str | None = None,
    dry_run: bool = False,
    store_url: str | None = None,
    store_block: str | None = None,
    slack_block: str | None = None,
    opsgenie_block: str | None = None,
    report_dir: str | None = None,
) -> dict[str, Any]:
    """Evaluate one window of eval records, store the results, and dispatch the pass-rate alert
    only when the profile's alert condition is breached.

    Args:
        profile: A `AgentEvalProfile` JSON file (registered on first use) or a stored
            `space/name/version`.
        source_path: Parquet, CSV or NDJSON file or glob of eval records (`context`, optional
            `id` and `trace_id`, and `timestamp_column`).
        timestamp_column: The UTC timestamp column of the records.
        window_start: Start of the window (inclusive); default `window_end - period_hours`.
        window_end: End of the window (exclusive); default the run's scheduled start time.
        period_hours: Window length when `window_start` is not given.
        schedule: A 5-field cron (UTC); when given (and `window_start` is not), the window is
            the period between its last two ticks up to `window_end` or the scheduled time.
        dry_run: Evaluate and report, but store nothing and send no alert.
        store_url: The store (without a password: see `drift_monitor_flow`); default
            `$SCOUTER_DATABASE_URL` or the embedded SQLite file.
        store_block: A saved `ScouterStore` block; takes precedence over `store_url`.
        slack_block: A saved `ScouterSlack` block for Slack destinations.
        opsgenie_block: A saved `ScouterOpsGenie` block for OpsGenie destinations.
        report_dir: Where to write the run's HTML report, compared with the window before
            (see `drift_monitor_flow`).

    Returns:
        The run summary: eval run id, records, sampled, pass rate, pending alerts, dispatch.
    """
    window = flow_window(window_start, window_end, period_hours, schedule)
    choice = flow_store(store_block, store_url)
    store_url = choice.url
    ref = load_eval_profile_task(profile, store_url)
    source = FileSource(path=source_path, timestamp_column=timestamp_column)
    summary = evaluate_window_task(ref, source, window, store_url, run_link(), dry_run, report_dir)
    if tasks.should_dispatch(summary):
        summary["dispatch"] = dispatch_alerts_task(
            None, store_url, slack_block, opsgenie_block, eval_run_id=summary["run_id"]
        )
    else:
        get_run_logger().info("No pending pass-rate alert: dispatch skipped")
        summary["dispatch"] = None
    _publish_artifacts(ref, window, summary)
    return choice.report(summary)


def _publish_artifacts(ref: tasks.ProfileRef, window: Window, summary: dict[str, Any]) -> None:
    key = artifact_key("eval", ref.key, dry_run=bool(summary.get("dry_run")))
    create_table_artifact(
        key=key,
        table=[
            {
                "feature": task_id,
                "value": tasks.significant(rate),
                "threshold": None,
                "status": _rated(rate),
            }
            for task_id, rate in summary["tasks"].items()
        ],
        description=f"Pass rate per task of {ref.space}/{ref.name}/{ref.version} in {window}",
    )
    rate = summary["pass_rate"]
    rates: dict[str, float | None] = summary["tasks"]
    run = "dry run (nothing stored)" if summary.get("dry_run") else f"run {summary['run_id']}"
    dispatch = summary.get("dispatch") or {}
    create_markdown_artifact(
        key=f"{key}-summary",
        markdown=(
            f"### Eval {run}: {ref.space}/{ref.name}/{ref.version}\n\n"
            f"- window: `{window}`\n- records: {summary['records']} "
            f"(sampled {summary['sampled']})\n"
            f"- pass rate: **{'n/a' if rate is None else f'{rate:.1%}'}**\n"
            f"- alerts pending: {summary['pending_alerts']}, sent: {dispatch.get('sent', 0)}\n\n"
            f"{chart_image(lambda: pass_rate_chart(list(rates), list(rates.values())))}\n\n"
            f"{report_link(summary)}\n"
        ),
        description="Latest evaluation run",
    )


def _rated(rate: float | None) -> str:
    if rate is None:
        return "insufficient_data"
    return "pass" if rate == 1.0 else "fail"
