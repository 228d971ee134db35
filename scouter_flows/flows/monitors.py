"""The Prefect `performance_flow` and `data_profile_flow`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from scouter_flows import tasks
from scouter_flows.deprecation import renamed_argument
from scouter_flows.errors import ConfigError
from scouter_flows.flows.drift import artifact_key, flow_window, monitor_window
from scouter_flows.flows.store_choice import flow_store
from scouter_flows.profiles.data_profile import DataProfile
from scouter_flows.progress import progress_log
from scouter_flows.sources.files import FileSource
from scouter_flows.tasks.partitions import Partitioning, PerformanceSpec
from scouter_flows.window import Window


@flow(name="model-performance", log_prints=True)
def performance_flow(
    profile: str,
    source_path: str,
    performance: PerformanceSpec,
    timestamp_column: str = "timestamp",
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    period_hours: float = 24.0,
    partitioning: Partitioning | None = None,
    dry_run: bool = False,
    store_url: str | None = None,
    store_block: str | None = None,
    slack_block: str | None = None,
    opsgenie_block: str | None = None,
    report_dir: str | None = None,
) -> dict[str, Any]:
    """Compute a window's model performance, judge it against a custom-metric profile whose
    metrics are performance metrics (`accuracy`, `f1`, `roc_auc`, `rmse`, ...), store it and
    dispatch the breaches.

    Args:
        profile: A custom-metric profile JSON file or stored `space/name/version`.
        source_path: Predictions (and labels, unless `performance.labels` names their files).
        performance: The task (binary, multiclass, regression) and the prediction, label and
            score columns; late labels join on `performance.id_column`.
        timestamp_column: The UTC timestamp column of the predictions.
        window_start: Start of the window (inclusive); default `window_end - period_hours`.
        window_end: End of the window (exclusive); default the run's scheduled start time.
        period_hours: Window length when `window_start` is not given.
        partitioning: Compute over mapped partitions and merge (the result equals one task's).
        dry_run: Compute and report, but store nothing and send no alert.
        store_url: The store (without a password: see `drift_monitor_flow`); default
            `$SCOUTER_DATABASE_URL` or the embedded SQLite file.
        store_block: A saved `ScouterStore` block; takes precedence over `store_url`.
        slack_block: A saved `ScouterSlack` block for Slack destinations.
        opsgenie_block: A saved `ScouterOpsGenie` block for OpsGenie destinations.
        report_dir: Where to write the run's HTML report (see `drift_monitor_flow`).

    Returns:
        The run summary: run id, window, status, breached metrics, pending alerts, dispatch.
    """
    return monitor_window(
        profile,
        FileSource(path=source_path, timestamp_column=timestamp_column),
        flow_window(window_start, window_end, period_hours),
        store=flow_store(store_block, store_url),
        partitioning=partitioning,
        performance=performance,
        dry_run=dry_run,
        drift_type="custom",
        alert_blocks=(slack_block, opsgenie_block),
        report_dir=report_dir,
    )


@task(name="monitor-batch", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def monitor_batch_task(
    predictions: Any,
    profile: str,
    store_url: str | None = None,
    timestamp_column: str = "timestamp",
    record_id_column: str | None = None,
    dispatch: bool = True,
) -> dict[str, Any]:
    """Log a scored batch and store its drift (see `scouter_flows.monitor_batch`); the batch's
    run is keyed by its time span and its rows by id, so a retry changes nothing."""
    with progress_log(get_run_logger()):
        summary = tasks.monitor_batch(
            predictions,
            profile,
            store_url=store_url,
            timestamp_column=timestamp_column,
            record_id_column=record_id_column,
            dispatch=dispatch,
        )
    get_run_logger().info(
        "Batch of %s rows logged; run %s: %s, drifted: %s",
        summary["logged"],
        summary["run_id"],
        summary["status"],
        ", ".join(summary["drifted"]) or "none",
    )
    return summary


@task(name="profile-window", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def profile_window_task(
    source: FileSource,
    window: Window,
    columns: list[str] | None = None,
    bin_size: int = 20,
    compute_correlations: bool = False,
) -> DataProfile:
    """Profile the window's rows; read-only, so retried."""
    with progress_log(get_run_logger()):
        return tasks.profile_window(
            source,
            window,
            columns=columns,
            bin_size=bin_size,
            compute_correlations=compute_correlations,
        )


@task(name="persist-data-profile", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def persist_data_profile_task(
    model: str, window: Window, profile: DataProfile, store_url: str | None = None
) -> dict[str, Any]:
    """Store the window's profile; upserted per window, so retried."""
    return tasks.persist_data_profile(model, window, profile, store_url)


@flow(name="data-profile", log_prints=True)
def data_profile_flow(
    profile: str | None = None,
    source_path: str = "",
    timestamp_column: str = "timestamp",
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    period_hours: float = 24.0,
    columns: list[str] | None = None,
    bin_size: int = 20,
    compute_correlations: bool = False,
    dry_run: bool = False,
    store_url: str | None = None,
    store_block: str | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    """Profile one window of logs (counts, missing, distinct, moments, quantiles, histograms,
    top categories, optional correlations) and store the profile under `profile`.

    Args:
        profile: `space/name/version` of the model the rows belong to (no registered drift
            profile is needed).
        source_path: Parquet, CSV or NDJSON file or glob of the rows.
        timestamp_column: The UTC timestamp column (not profiled).
        window_start: Start of the window (inclusive); default `window_end - period_hours`.
        window_end: End of the window (exclusive); default the run's scheduled start time.
        period_hours: Window length when `window_start` is not given.
        columns: The columns to profile; default all but the timestamp.
        bin_size: Histogram bins per numeric column.
        compute_correlations: Add Pearson correlations between numeric columns.
        dry_run: Profile and report, but store nothing.
        store_url: The store (without a password: see `drift_monitor_flow`); default
            `$SCOUTER_DATABASE_URL` or the embedded SQLite file.
        store_block: A saved `ScouterStore` block; takes precedence over `store_url`.
        model: Deprecated spelling of `profile`.

    Returns:
        The summary: data profile id, window, rows, features, missing values per feature.
    """
    key = renamed_argument("data_profile_flow", "model", "profile", model, profile)
    if not key or not source_path:
        missing = "profile" if not key else "source_path"
        raise ConfigError(f"data_profile_flow needs {missing!r}")
    tasks.parse_key(key)  # a bad key fails before the window is read
    window = flow_window(window_start, window_end, period_hours)
    choice = flow_store(store_block, store_url)
    store = choice.url
    source = FileSource(path=source_path, timestamp_column=timestamp_column)
    data = profile_window_task(source, window, columns, bin_size, compute_correlations)
    if dry_run:
        summary = {**tasks.profile_summary(key, window, data), "dry_run": True}
        get_run_logger().info("Dry run: the profile was not stored")
    else:
        summary = persist_data_profile_task(key, window, data, store)
    _publish_artifacts(key, window, data, summary)
    return choice.report(summary)


def _publish_artifacts(
    model: str, window: Window, profile: DataProfile, summary: dict[str, Any]
) -> None:
    key = artifact_key("profile", model, dry_run=bool(summary.get("dry_run")))
    frame = profile.to_polars().select("feature", "kind", "count", "missing", "mean", "std")
    create_table_artifact(
        key=key, table=frame.to_dicts(), description=f"Data profile of {model} in {window}"
    )
    stored = summary.get("data_profile_id")
    create_markdown_artifact(
        key=f"{key}-summary",
        markdown=(
            f"### Data profile of {model}\n\n- window: `{window}`\n- rows: {profile.rows}\n"
            f"- features: {len(profile.features)}\n"
            f"- stored: {f'id {stored}' if stored is not None else 'no (dry run)'}\n"
        ),
        description="Latest data profile",
    )
