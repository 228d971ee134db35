"""Daily model health: performance against late-arriving labels, and a data profile.

`performance` joins the day's predictions to labels logged since (on `id_column`), computes
the task's metrics (accuracy, precision, recall, F1, ROC AUC, log loss for binary models) and
judges them against a custom-metric profile whose metric names are those metrics; breaches
go out as alerts. `data_profile` stores the day's data profile next to it.

Configure with environment variables (or trigger with config from the UI):
  SCOUTER_PERFORMANCE_PROFILE  custom-metric profile JSON path or stored space/name/version
  SCOUTER_PREDICTIONS_GLOB     predictions (prediction, score, id, UTC timestamp)
  SCOUTER_LABELS_GLOB          labels (id, label, UTC timestamp); empty: in the predictions
  SCOUTER_MODEL                the model's space/name/version for the data profile
  the store                    the `scouter_default` connection, else SCOUTER_DATABASE_URL

Safe to unpause: catch-up is off, and a run of a window that already has one replaces
it, for the performance run and the data profile alike.

Parsing this file touches neither the store nor the data.
"""

from __future__ import annotations

import os

import pendulum
from airflow.providers.common.compat.sdk import Param, dag
from airflow.timetables.interval import CronDataIntervalTimetable

from scouter_flows.operators import (
    DataProfileOperator,
    ModelPerformanceOperator,
    dispatch_on_alerts,
    window_params,
)


@dag(
    dag_id="scouter_model_health",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    tags=["scouter-flows", "performance"],
    doc_md=__doc__,
    params={
        "profile": Param(
            os.environ.get("SCOUTER_PERFORMANCE_PROFILE", ""),
            type="string",
            description="Custom-metric profile of performance metrics (path or key).",
        ),
        "predictions": Param(
            os.environ.get("SCOUTER_PREDICTIONS_GLOB", ""),
            type="string",
            description="Predictions: a file or glob (parquet, CSV, NDJSON).",
        ),
        "labels": Param(
            os.environ.get("SCOUTER_LABELS_GLOB", ""),
            type="string",
            description="Late labels: a file or glob; empty when the predictions carry them.",
        ),
        "model": Param(
            os.environ.get("SCOUTER_MODEL", ""),
            type="string",
            description="space/name/version the data profile is stored under.",
        ),
        **window_params(),
    },
)
def scouter_model_health() -> None:
    performance = ModelPerformanceOperator(
        task_id="performance",
        profile="{{ params.profile }}",
        source_path="{{ params.predictions }}",
        task="binary",
        score_column="score",
        labels_path="{{ params.labels }}",
        id_column="id",
        window_start="{{ params.window_start or '' }}",
        window_end="{{ params.window_end or '' }}",
        preview="{{ params.dry_run }}",
    )
    DataProfileOperator(
        task_id="data_profile",
        profile="{{ params.model }}",
        source_path="{{ params.predictions }}",
        window_start="{{ params.window_start or '' }}",
        window_end="{{ params.window_end or '' }}",
        preview="{{ params.dry_run }}",
    )

    dispatch_on_alerts(
        performance,
        slack_conn_id=os.environ.get("SCOUTER_SLACK_CONN_ID") or None,
        opsgenie_conn_id=os.environ.get("SCOUTER_OPSGENIE_CONN_ID") or None,
    )


scouter_model_health()
