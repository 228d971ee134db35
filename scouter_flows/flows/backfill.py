"""The Prefect `backfill_flow`: one idempotent monitoring run per window of a past period."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import State

from scouter_flows.errors import ConfigError
from scouter_flows.flows.drift import (
    DriftType,
    drift_monitor_flow,
    load_profile_task,
)
from scouter_flows.flows.evaluate import genai_eval_flow
from scouter_flows.flows.monitors import performance_flow
from scouter_flows.flows.store_choice import flow_store
from scouter_flows.tasks.partitions import Partitioning, PerformanceSpec
from scouter_flows.window import Window


def backfill_windows(start: datetime, end: datetime, every: timedelta) -> list[Window]:
    """The consecutive windows `[start + k * every, start + (k + 1) * every)` that tile
    `[start, end)`.

    Raises:
        ConfigError: `every` is not positive or does not divide the period (a shorter last
            window would never match a scheduled run's window, so re-runs would not replace it).
    """
    period = Window.parse(start, end)
    if every <= timedelta(0):
        raise ConfigError(f"every must be positive, got {every}")
    span = period.end - period.start
    if span % every:
        raise ConfigError(
            f"{every} does not divide the period {period} ({span}): choose start and end a "
            "whole number of windows apart"
        )
    return [
        Window(period.start + k * every, period.start + (k + 1) * every)
        for k in range(span // every)
    ]


@flow(name="backfill", log_prints=True)
def backfill_flow(
    profile: str,
    source_path: str,
    start: datetime,
    end: datetime,
    every_hours: float = 24.0,
    timestamp_column: str | None = None,
    performance: PerformanceSpec | None = None,
    partitioning: Partitioning | None = None,
    drift_type: DriftType | None = None,
    store_url: str | None = None,
    store_block: str | None = None,
    slack_block: str | None = None,
    opsgenie_block: str | None = None,
) -> list[dict[str, Any]]:
    """Run the profile's monitor once per window from `start` to `end`, each as a subflow run.

    A window's run replaces that window's earlier run (and its sent alerts are not sent again),
    so a backfill can be repeated. A failed window does not stop the others; the flow fails at
    the end, naming every failed window.

    Args:
        profile: A drift, custom-metric or GenAI eval profile (JSON file or `space/name/version`).
        source_path: The logs or eval records (file or glob).
        start: Start of the first window (timezone-aware).
        end: End of the last window; `end - start` must be a whole number of windows.
        every_hours: Window length.
        timestamp_column: Default `timestamp` for logs, `created_at` for eval records.
        performance: Run model performance (the profile is then custom-metric).
        partitioning: Compute each window over mapped partitions.
        drift_type: Which profile to load when one `space/name/version` holds several.
        store_url: The store (without a password: see `drift_monitor_flow`); default
            `$SCOUTER_DATABASE_URL` or the embedded SQLite file.
        store_block: A saved `ScouterStore` block; takes precedence over `store_url`.
        slack_block: A saved `ScouterSlack` block for Slack destinations.
        opsgenie_block: A saved `ScouterOpsGenie` block for OpsGenie destinations.

    Returns:
        One summary per window, in order.
    """
    windows = backfill_windows(start, end, timedelta(hours=every_hours))
    # Each window's subflow resolves the store itself: its parameters never hold a secret.
    ref = load_profile_task(profile, flow_store(store_block, store_url).url, drift_type)
    common: dict[str, Any] = {
        "profile": profile,
        "source_path": source_path,
        "store_url": store_url,
        "store_block": store_block,
        "slack_block": slack_block,
        "opsgenie_block": opsgenie_block,
    }
    logger = get_run_logger()
    summaries: list[dict[str, Any]] = []
    failed: list[str] = []
    for window in windows:
        bounds = {"window_start": window.start, "window_end": window.end}
        state: State[Any]
        if ref.drift_type == "genai":
            state = genai_eval_flow(
                **common,
                **bounds,
                timestamp_column=timestamp_column or "created_at",
                return_state=True,
            )
        elif performance is not None:
            state = performance_flow(
                **common,
                **bounds,
                performance=performance,
                timestamp_column=timestamp_column or "timestamp",
                partitioning=partitioning,
                return_state=True,
            )
        else:
            state = drift_monitor_flow(
                **common,
                **bounds,
                timestamp_column=timestamp_column or "timestamp",
                partitioning=partitioning,
                drift_type=drift_type,
                return_state=True,
            )
        if state.is_completed():
            summaries.append(state.result())
        else:
            failed.append(str(window))
            summaries.append({"window_start": window.start.isoformat(), "error": state.message})
            logger.error("Window %s failed: %s", window, state.message)
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(windows)} windows failed: {', '.join(failed)}")
    return summaries
