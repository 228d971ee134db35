"""Drift over partitions: plan, compute each partition in a mapped task, merge, store, alert.

For windows too large for one worker. `plan` splits the data interval's input by file, by
hive partition directory or by row hash; each mapped `partial` task counts its part into the
profile's bins (small JSON partials cross the XComs); `merge` adds them up, judges the window
and stores the run, which equals what one `DriftMonitorOperator` would have stored.

Configure with SCOUTER_PARTITIONED_PROFILE and SCOUTER_PARTITIONED_LOGS (this DAG's own
variables, so it never monitors the drift DAG's profile twice) and the store as in
drift_monitor.py, or trigger with config. Safe to unpause: catch-up is off, and a run of a
window that already has one replaces it (an alert already sent is not sent again). Parsing
this file touches neither the store nor the data.
"""

from __future__ import annotations

import os

import pendulum
from airflow.providers.common.compat.sdk import Param, dag
from airflow.timetables.interval import CronDataIntervalTimetable

from scouter_flows.operators import (
    DriftEventOperator,
    MergePartialsOperator,
    PartialStatisticsOperator,
    PlanPartitionsOperator,
    dispatch_on_alerts,
    drift_type_param,
    window_params,
)


@dag(
    dag_id="scouter_partitioned_drift",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    tags=["scouter-flows", "monitoring", "scale-out"],
    doc_md=__doc__,
    params={
        "profile": Param(
            os.environ.get("SCOUTER_PARTITIONED_PROFILE", ""),
            type="string",
            description="Profile JSON path or stored space/name/version (PSI or custom).",
        ),
        "source_path": Param(
            os.environ.get("SCOUTER_PARTITIONED_LOGS", ""),
            type="string",
            description="Inference logs: a file or glob (parquet, CSV, NDJSON).",
        ),
        "partition_by": Param(
            "file",
            enum=["file", "hive", "hash"],
            description="Split by file, by partition directory, or by row hash.",
        ),
        "parts": Param(8, type="integer", minimum=1, description="Partitions (file, hash)."),
        **window_params(),
        **drift_type_param("psi", "custom"),
    },
)
def scouter_partitioned_drift() -> None:
    plan = PlanPartitionsOperator(
        task_id="plan",
        source_path="{{ params.source_path }}",
        partition_by="{{ params.partition_by }}",
        parts="{{ params.parts }}",
        window_start="{{ params.window_start or '' }}",
        window_end="{{ params.window_end or '' }}",
    )
    partials = PartialStatisticsOperator.partial(
        task_id="partial",
        profile="{{ params.profile }}",
        drift_type="{{ params.drift_type or '' }}",
        window_start="{{ params.window_start or '' }}",
        window_end="{{ params.window_end or '' }}",
    ).expand(partition=plan.output)
    merge = MergePartialsOperator(
        task_id="merge",
        profile="{{ params.profile }}",
        drift_type="{{ params.drift_type or '' }}",
        partials=partials.output,
        window_start="{{ params.window_start or '' }}",
        window_end="{{ params.window_end or '' }}",
        preview="{{ params.dry_run }}",
    )

    dispatch_on_alerts(
        merge,
        slack_conn_id=os.environ.get("SCOUTER_SLACK_CONN_ID") or None,
        opsgenie_conn_id=os.environ.get("SCOUTER_OPSGENIE_CONN_ID") or None,
    )
    DriftEventOperator(task_id="drift_event", summary=merge.output)


scouter_partitioned_drift()
