"""Prefect tasks and the `drift_monitor_flow` over the orchestrator-neutral drift steps."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from scouter_flows import tasks
from scouter_flows.alerts.credentials import Credentials
from scouter_flows.errors import ConfigError
from scouter_flows.flows.blocks import ScouterOpsGenie, ScouterSlack
from scouter_flows.flows.store_choice import flow_store
from scouter_flows.profiles.alerting import schedule_window
from scouter_flows.profiles.results import AnyResult
from scouter_flows.progress import progress_log
from scouter_flows.reports import drift_headline, report_link
from scouter_flows.reports.charts import png_data_uri
from scouter_flows.sources.files import FileSource
from scouter_flows.store.url import StoreChoice
from scouter_flows.tasks.partitions import Partial, Partition, Partitioning, PerformanceSpec
from scouter_flows.window import Window, ensure_utc

DriftType = Literal["psi", "spc", "custom"]


@task(name="load-profile", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def load_profile_task(
    profile: str, store_url: str | None = None, drift_type: DriftType | None = None
) -> tasks.ProfileRef:
    """Register (if a file) and resolve the profile; idempotent, so retried."""
    return tasks.load_profile(profile, store_url, drift_type)


@task(name="compute-drift", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def compute_drift_task(
    ref: tasks.ProfileRef,
    source: FileSource,
    window: Window,
    store_url: str | None = None,
    performance: PerformanceSpec | None = None,
) -> AnyResult:
    """Scan the window and compute drift (or model performance); read-only, so retried."""
    with progress_log(get_run_logger()):
        result = tasks.compute_window_drift(ref, source, window, store_url, performance)
    get_run_logger().info(
        "%s rows in %s; drifted: %s", result.rows, window, ", ".join(result.drifted) or "none"
    )
    return result


@task(name="plan-partitions", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def plan_partitions_task(
    source: FileSource, window: Window, partitioning: Partitioning
) -> list[Partition]:
    """Split the window's input into partitions; read-only, so retried."""
    plan = partitioning.plan(source, window)
    get_run_logger().info("%s partitions of %s by %s", len(plan), window, partitioning.by)
    return plan


@task(name="partial-statistics", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def partial_statistics_task(
    ref: tasks.ProfileRef,
    partition: Partition,
    window: Window,
    store_url: str | None = None,
    performance: PerformanceSpec | None = None,
) -> Partial:
    """One partition's partial statistics (a mapped task); read-only, so retried."""
    with progress_log(get_run_logger()):
        return tasks.compute_partition(ref, partition, window, store_url, performance)


@task(name="merge-partials", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def merge_partials_task(
    ref: tasks.ProfileRef, partials: list[Partial], store_url: str | None = None
) -> AnyResult:
    """Merge the partitions' partials and judge the window; pure, so retried."""
    return tasks.finalize_partitions(ref, partials, store_url)


@task(name="persist-drift", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def persist_drift_task(
    ref: tasks.ProfileRef,
    window: Window,
    result: AnyResult,
    store_url: str | None = None,
    link: str | None = None,
    report_dir: str | None = None,
) -> dict[str, Any]:
    """Write the run, results and pending alerts in one transaction; upserted, so retried.
    The run's report is written where `report_dir` (or SCOUTER_REPORT_DIR) says."""
    summary = tasks.persist_drift(ref, window, result, store_url, link=link, report_dir=report_dir)
    if summary.get("report"):
        get_run_logger().info("Report of run %s: %s", summary["run_id"], summary["report"])
    return summary


@task(name="dispatch-alerts", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[10, 30, 90])
def dispatch_alerts_task(
    run_id: int | None,
    store_url: str | None = None,
    slack_block: str | None = None,
    opsgenie_block: str | None = None,
    eval_run_id: int | None = None,
) -> dict[str, Any]:
    """Send a drift run's (or an eval run's) pending alerts; already-sent alerts are skipped,
    so retries are safe. Credentials come from the named blocks, else from the environment.
    """
    return tasks.dispatch_alerts(
        run_id,
        store_url,
        eval_run_id=eval_run_id,
        credentials=block_credentials(slack_block, opsgenie_block),
    )


def block_credentials(slack_block: str | None, opsgenie_block: str | None) -> Credentials:
    """Credentials from saved `ScouterSlack` / `ScouterOpsGenie` blocks, the rest from the
    environment."""
    slack = ScouterSlack.load(slack_block) if slack_block else None
    genie = ScouterOpsGenie.load(opsgenie_block) if opsgenie_block else None
    given = Credentials(
        slack=slack.credentials() if isinstance(slack, ScouterSlack) else None,
        opsgenie=genie.credentials() if isinstance(genie, ScouterOpsGenie) else None,
    )
    return given.merged(Credentials.from_env())


@flow(name="drift-monitor", log_prints=True)
def drift_monitor_flow(
    profile: str,
    source_path: str,
    timestamp_column: str = "timestamp",
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    period_hours: float = 24.0,
    schedule: str | None = None,
    partitioning: Partitioning | None = None,
    dry_run: bool = False,
    drift_type: DriftType | None = None,
    store_url: str | None = None,
    store_block: str | None = None,
    slack_block: str | None = None,
    opsgenie_block: str | None = None,
    report_dir: str | None = None,
) -> dict[str, Any]:
    """Compute drift for one window, store it, and dispatch alerts only when something drifted.

    Args:
        profile: A profile JSON file (registered on first use) or a stored `space/name/version`.
        source_path: Parquet, CSV or NDJSON file or glob holding the inference logs.
        timestamp_column: The UTC timestamp column of the logs.
        window_start: Start of the window (inclusive, timezone-aware). Default: `window_end`
            minus `period_hours`.
        window_end: End of the window (exclusive). Default: the run's scheduled start time.
        period_hours: Window length when `window_start` is not given.
        schedule: A 5-field cron (UTC); when given (and `window_start` is not), the window is
            the period between its last two ticks up to `window_end` or the scheduled time.
        partitioning: Split the window (by file, hive partition or row hash) into partitions
            computed in mapped tasks and merged; the result equals a single task's. Runs on
            the flow's task runner (a `DaskTaskRunner` spreads them over a cluster).
        dry_run: Compute and report, but store nothing and send no alert.
        drift_type: Which profile to load when one `space/name/version` holds several.
        store_url: SQLAlchemy URL of the store, without a password (Prefect shows parameters
            in clear; a URL with one is refused). Default `$SCOUTER_DATABASE_URL`, else the
            embedded SQLite file (with a warning in the log and the summary).
        store_block: Name of a saved `ScouterStore` block; takes precedence over `store_url`.
        slack_block: Name of a saved `ScouterSlack` block (else `SLACK_BOT_TOKEN` or
            `SLACK_WEBHOOK_URL`), used when the profile's alert config sends to Slack.
        opsgenie_block: Name of a saved `ScouterOpsGenie` block (else `OPSGENIE_API_KEY`).
        report_dir: A folder or object-storage URL to write the run's HTML report to (default
            `$SCOUTER_REPORT_DIR`; none when neither is set). A report that cannot be written
            is logged; the run is stored either way.

    Returns:
        The run summary: run id, window, status, drifted features, pending alerts, dispatch,
        and `report` (where its report is) when one was written.

    Example:
        >>> drift_monitor_flow(  # doctest: +SKIP
        ...     profile="profile.json", source_path="logs/*.parquet",
        ...     window_start="2026-11-21T00:00:00Z", window_end="2026-11-22T00:00:00Z")
    """
    return monitor_window(
        profile,
        FileSource(path=source_path, timestamp_column=timestamp_column),
        flow_window(window_start, window_end, period_hours, schedule),
        store=flow_store(store_block, store_url),
        partitioning=partitioning,
        dry_run=dry_run,
        drift_type=drift_type,
        alert_blocks=(slack_block, opsgenie_block),
        report_dir=report_dir,
    )


def monitor_window(
    profile: str,
    source: FileSource,
    window: Window,
    *,
    store: StoreChoice,
    partitioning: Partitioning | None = None,
    performance: PerformanceSpec | None = None,
    dry_run: bool = False,
    drift_type: DriftType | None = None,
    alert_blocks: tuple[str | None, str | None] = (None, None),
    report_dir: str | None = None,
) -> dict[str, Any]:
    """The steps of a drift or performance flow run: compute (in one task or over mapped
    partitions), store, dispatch when alerts are pending, publish the artifacts."""
    url = store.url
    ref = load_profile_task(profile, url, drift_type)
    if partitioning is None:
        result = compute_drift_task(ref, source, window, url, performance)
    else:
        plan = plan_partitions_task(source, window, partitioning)
        partials = partial_statistics_task.map(
            unmapped(ref), plan, unmapped(window), unmapped(url), unmapped(performance)
        )
        result = merge_partials_task(ref, partials, url)  # type: ignore[arg-type]
    logger = get_run_logger()
    if dry_run:
        summary = tasks.preview_drift(ref, window, result)
        logger.info("Dry run: nothing stored, no alert raised")
    else:
        summary = persist_drift_task(ref, window, result, url, run_link(), report_dir)
    if tasks.should_dispatch(summary):
        summary["dispatch"] = dispatch_alerts_task(summary["run_id"], url, *alert_blocks)
    else:
        logger.info("No pending alerts for run %s: dispatch skipped", summary["run_id"])
        summary["dispatch"] = None
    publish_drift_artifacts(
        ref, window, result, summary, kind="performance" if performance else "drift", store=url
    )
    return store.report(summary)


def block_store_url(store_block: str | None, store_url: str | None) -> str | None:
    """The URL of a saved `ScouterStore` block, else `store_url` (see `flow_store`, which also
    reads the environment and says in the run's log which store it chose)."""
    from scouter_flows.flows.store_choice import resolve_flow_store

    return resolve_flow_store(store_block, None).url if store_block else store_url


def run_link() -> str | None:
    """The flow run's page in the Prefect UI, when the UI's address is known."""
    from prefect.settings import PREFECT_UI_URL

    return str(flow_run.ui_url) if PREFECT_UI_URL.value() else None


def flow_window(
    start: datetime | None,
    end: datetime | None,
    period_hours: float,
    schedule: str | None = None,
) -> Window:
    """The window from explicit bounds; else, up to `end` or the scheduled start time, the
    period between the last two ticks of `schedule` or the last `period_hours`."""
    if period_hours <= 0:
        raise ConfigError(f"period_hours must be positive, got {period_hours}")
    stop: datetime | None = end or flow_run.scheduled_start_time
    if stop is None:
        raise ConfigError("window_end is required when the run has no scheduled start time")
    if start is None and schedule:
        try:
            return Window.parse(*schedule_window(schedule, ensure_utc(stop, field="window_end")))
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    if start is None:
        return Window.ending_at(stop, timedelta(hours=period_hours))
    return Window.parse(start, stop)


HISTORY = 10
"""Windows listed in a profile's history artifact."""


def artifact_key(
    kind: str, key: str, drift_type: str | None = None, *, dry_run: bool = False
) -> str:
    """The stable artifact key of the `kind` runs of `space/name/version` `key` (lower-case
    letters, digits, dashes): one per drift type, and dry runs under a key of their own.

    Example:
        >>> artifact_key("drift", "credit/default-risk/1.0.0", "spc")
        'drift-spc-credit-default-risk-1-0-0'
        >>> artifact_key("drift", "credit/default-risk/1.0.0", "psi", dry_run=True)
        'dry-run-drift-psi-credit-default-risk-1-0-0'
    """
    parts = ["dry-run"] if dry_run else []
    parts += [kind, drift_type or "", key]
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(p for p in parts if p).lower()).strip("-")


def publish_drift_artifacts(
    ref: tasks.ProfileRef,
    window: Window,
    result: AnyResult,
    summary: dict[str, Any],
    *,
    kind: str = "drift",
    store: str | None = None,
) -> None:
    """The run's table (feature, value, threshold, status), its markdown summary and, for a
    stored run, the profile's history (the last windows with status and drifted features),
    under keys stable per profile and drift type so the UI shows the latest next to the
    earlier ones. A dry run's table and summary go under their own keys."""
    dry_run = bool(summary.get("dry_run"))
    drift_type = None if kind == "performance" else ref.drift_type
    key = artifact_key(kind, ref.key, drift_type, dry_run=dry_run)
    label = f"{kind.capitalize()} ({ref.drift_type})" if drift_type else kind.capitalize()
    create_table_artifact(
        key=key,
        table=result_table(result),
        description=f"{label} of {ref.key} in {window}",
    )
    dispatch = summary.get("dispatch") or {}
    run = "dry run (nothing stored)" if dry_run else f"run {summary['run_id']}"
    create_markdown_artifact(
        key=f"{key}-summary",
        markdown=(
            f"### {label} {run}: {ref.key}\n\n"
            f"- window: `{window}`\n- rows: {result.rows}\n- status: **{summary['status']}**\n"
            f"- drifted: {', '.join(result.drifted) or 'none'}\n"
            f"- alerts pending: {summary['pending_alerts']}, sent: {dispatch.get('sent', 0)}\n\n"
            f"{chart_image(lambda: drift_headline(result))}\n\n{report_link(summary)}\n"
        ),
        description=f"Latest {label.lower()} run summary",
    )
    if not dry_run:
        from scouter_flows.store.store import Store

        with Store(store) as opened:
            history = opened.run_history(ref.profile_id, HISTORY)
        create_markdown_artifact(
            key=f"{key}-history",
            markdown=history_markdown(f"{label} history of {ref.key}", history),
            description=f"The last {HISTORY} windows of {ref.key}",
        )


def chart_image(build: Callable[[], Any]) -> str:
    """A run's headline chart as a markdown image (a PNG data URI: the artifact needs no file
    anywhere), or a note when it cannot be drawn (the artifact is still published)."""
    try:
        return f"![headline chart]({png_data_uri(build())})"
    except Exception as exc:  # a chart is a convenience: the run's result is what matters
        get_run_logger().warning("The headline chart was not drawn: %s", exc)
        return "_(headline chart not drawn)_"


def history_markdown(title: str, history: list[dict[str, Any]]) -> str:
    """A markdown table of runs, newest first: window, status, rows, drifted, run id.

    Example:
        >>> from datetime import datetime, UTC
        >>> row = {"run_id": 7, "window_start": datetime(2026, 11, 21, tzinfo=UTC),
        ...        "window_end": datetime(2026, 11, 22, tzinfo=UTC), "status": "drift",
        ...        "rows": 1200, "drifted": ["age"]}
        >>> print(history_markdown("History", [row]).splitlines()[-1])
        | 2026-11-21 00:00 to 2026-11-22 00:00 | **drift** | 1200 | age | 7 |
    """
    lines = [
        f"### {title}",
        "",
        "| window (UTC) | status | rows | drifted | run |",
        "|---|---|---:|---|---:|",
    ]
    for row in history:
        status = row["status"] if row["status"] == "ok" else f"**{row['status']}**"
        lines.append(
            f"| {row['window_start']:%Y-%m-%d %H:%M} to {row['window_end']:%Y-%m-%d %H:%M} "
            f"| {status} | {row['rows']} | {', '.join(row['drifted']) or '-'} "
            f"| {row['run_id']} |"
        )
    return "\n".join(lines)


def result_table(result: AnyResult) -> list[dict[str, Any]]:
    """One row per feature or metric: feature, value, threshold, status, numbers to 4
    significant digits (the store keeps them whole)."""
    return [
        {
            **row,
            "value": tasks.significant(row["value"]),
            "threshold": (
                tasks.significant(row["threshold"])
                if isinstance(row["threshold"], float)
                else row["threshold"]
            ),
        }
        for row in result.table_rows()
    ]
