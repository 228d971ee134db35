"""Daily GenAI evaluation: sample the day's eval records, run the profile's tasks, store the
results, and alert only when the pass rate breaches the profile's alert condition.

Configure with environment variables (or trigger with config from the UI):
  SCOUTER_EVAL_PROFILE  GenAI eval profile JSON path or stored space/name/version
  SCOUTER_EVAL_RECORDS  parquet/CSV/NDJSON file or glob of eval records with a UTC `created_at`
  the store             the `scouter_default` connection, else SCOUTER_DATABASE_URL
  SCOUTER_SLACK_CONN_ID / SCOUTER_OPSGENIE_CONN_ID  alert connections, if the profile uses them

Safe to unpause: catch-up is off, and a run of a window that already has one replaces
it (the same records are sampled again; an alert already sent is not sent again).

Parsing this file touches neither the store nor the data.
"""

from __future__ import annotations

import os

import pendulum
from airflow.providers.common.compat.sdk import Param, dag
from airflow.timetables.interval import CronDataIntervalTimetable

from scouter_flows.operators import (
    GenAIEvalOperator,
    dispatch_on_alerts,
    window_params,
)


@dag(
    dag_id="scouter_eval_monitor",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    tags=["scouter-flows", "evaluation"],
    doc_md=__doc__,
    params={
        "profile": Param(
            os.environ.get("SCOUTER_EVAL_PROFILE", ""),
            type="string",
            description="GenAI eval profile JSON path or stored space/name/version.",
        ),
        "source_path": Param(
            os.environ.get("SCOUTER_EVAL_RECORDS", ""),
            type="string",
            description="Eval records: a file or glob (parquet, CSV, NDJSON).",
        ),
        **window_params(),
    },
)
def scouter_eval_monitor() -> None:
    evaluate = GenAIEvalOperator(
        task_id="evaluate",
        profile="{{ params.profile }}",
        source_path="{{ params.source_path }}",
        window_start="{{ params.window_start or '' }}",
        window_end="{{ params.window_end or '' }}",
        preview="{{ params.dry_run }}",
    )

    dispatch_on_alerts(
        evaluate,
        eval_run=True,
        slack_conn_id=os.environ.get("SCOUTER_SLACK_CONN_ID") or None,
        opsgenie_conn_id=os.environ.get("SCOUTER_OPSGENIE_CONN_ID") or None,
    )


scouter_eval_monitor()
