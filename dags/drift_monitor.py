"""Daily PSI drift monitor: compute, store, and alert only when something drifted.

Configure with environment variables (or trigger with config from the UI):
  SCOUTER_PROFILE   profile JSON path or stored space/name/version
  SCOUTER_LOGS      parquet/CSV/NDJSON file or glob of inference logs with a UTC `timestamp`
  the store         the `scouter_default` connection, else SCOUTER_DATABASE_URL
  SCOUTER_SLACK_CONN_ID     a `slack` or `slackwebhook` connection, if the profile alerts Slack
  SCOUTER_OPSGENIE_CONN_ID  an `opsgenie` connection, if the profile alerts OpsGenie

Where alerts go is the profile's alert config; without a connection, the dispatch step reads
SLACK_BOT_TOKEN / SLACK_WEBHOOK_URL / OPSGENIE_API_KEY, and fails if a destination has none.
When drift is found, `drift_event` emits an event on the profile's Asset
(`scouter://space/name/version`), so a retraining DAG can be scheduled on it. A dry run
(the `dry_run` param) computes and logs the result but stores nothing and sends nothing.

Safe to unpause: catch-up is off, and a run of a window that already has one replaces
it (an alert already sent is not sent again), so a manual run beside a scheduled one is
harmless.

Parsing this file touches neither the store nor the data.
"""

from __future__ import annotations

import os

import pendulum
from airflow.providers.common.compat.sdk import Param, dag
from airflow.timetables.interval import CronDataIntervalTimetable

from scouter_flows.operators import (
    DriftEventOperator,
    DriftMonitorOperator,
    dispatch_on_alerts,
    drift_type_param,
    window_params,
)


@dag(
    dag_id="scouter_drift_monitor",
    # A data-interval timetable: each run monitors the day that just ended, [start, end).
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    tags=["scouter-flows", "monitoring"],
    doc_md=__doc__,
    params={
        "profile": Param(
            os.environ.get("SCOUTER_PROFILE", ""),
            type="string",
            description="Profile JSON path or stored space/name/version.",
        ),
        "source_path": Param(
            os.environ.get("SCOUTER_LOGS", ""),
            type="string",
            description="Inference logs: a file or glob (parquet, CSV, NDJSON).",
        ),
        **window_params(),
        **drift_type_param(),
    },
)
def scouter_drift_monitor() -> None:
    monitor = DriftMonitorOperator(
        task_id="monitor_drift",
        profile="{{ params.profile }}",
        source_path="{{ params.source_path }}",
        window_start="{{ params.window_start or '' }}",
        window_end="{{ params.window_end or '' }}",
        drift_type="{{ params.drift_type or '' }}",
        preview="{{ params.dry_run }}",
    )

    dispatch_on_alerts(
        monitor,
        slack_conn_id=os.environ.get("SCOUTER_SLACK_CONN_ID") or None,
        opsgenie_conn_id=os.environ.get("SCOUTER_OPSGENIE_CONN_ID") or None,
    )
    DriftEventOperator(task_id="drift_event", summary=monitor.output)


scouter_drift_monitor()
