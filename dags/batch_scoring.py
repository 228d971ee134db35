"""Batch scoring with monitoring as its last steps: score, log and monitor, alert on drift.

Configure with environment variables (or trigger with config from the UI):
  SCOUTER_BATCH_INPUT   the rows to score: a parquet file or glob with the profile's features
  SCOUTER_PREDICTIONS   where to write the scored batch (a parquet file; `{{ ds }}` allowed)
  SCOUTER_PROFILE       profile JSON path or stored space/name/version of the scored features
  SCOUTER_DATABASE_URL  the results store (default: embedded SQLite)

`score` stands in for your model: it adds a `score` column and the scoring time. `monitor`
writes the scored rows to the store's inference logs and the batch's drift run (a re-run of
the same batch replaces its run and never logs a row twice); alerts go out only when the
batch drifted. Parsing this file touches neither the store nor the data.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import Param, dag, task

from scouter_flows.operators import (
    DriftEventOperator,
    MonitorBatchOperator,
    dispatch_on_alerts,
)


@dag(
    dag_id="scouter_batch_scoring",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    tags=["scouter-flows", "scoring"],
    doc_md=__doc__,
    params={
        "input_path": Param(
            os.environ.get("SCOUTER_BATCH_INPUT", ""),
            type="string",
            description="Rows to score: a parquet file or glob.",
        ),
        "predictions_path": Param(
            os.environ.get("SCOUTER_PREDICTIONS", ""),
            type="string",
            description="Where the scored batch is written (parquet); empty: a file per run "
            "date in the temporary directory.",
        ),
        "profile": Param(
            os.environ.get("SCOUTER_PROFILE", ""),
            type="string",
            description="Profile JSON path or stored space/name/version.",
        ),
    },
)
def scouter_batch_scoring() -> None:
    @task(task_id="score")
    def score(input_path: str, predictions_path: str, scored_at: str, run_date: str) -> str:
        """A stand-in model: a logistic score of the numeric features, stamped with the run's
        logical time (so a retry scores the same batch the same way)."""
        import tempfile
        from datetime import UTC, datetime
        from pathlib import Path

        import polars as pl

        batch = pl.read_parquet(input_path)
        numeric = [c for c, t in batch.schema.items() if t.is_numeric()]
        z = pl.sum_horizontal([(pl.col(c) - pl.col(c).mean()) / pl.col(c).std() for c in numeric])
        when = datetime.fromisoformat(scored_at) if scored_at else datetime.now(UTC)
        scored = batch.with_columns(
            score=1 / (1 + (-z / max(len(numeric), 1)).exp()), timestamp=pl.lit(when)
        )
        target = predictions_path or str(
            Path(tempfile.gettempdir()) / f"scouter-predictions-{run_date}.parquet"
        )
        scored.write_parquet(target)
        return target

    scored = score(
        "{{ params.input_path }}", "{{ params.predictions_path }}", "{{ ts }}", "{{ ds_nodash }}"
    )
    monitor = MonitorBatchOperator(
        task_id="monitor",
        predictions_path=scored,  # type: ignore[arg-type]
        profile="{{ params.profile }}",
    )

    dispatch_on_alerts(
        monitor,
        slack_conn_id=os.environ.get("SCOUTER_SLACK_CONN_ID") or None,
        opsgenie_conn_id=os.environ.get("SCOUTER_OPSGENIE_CONN_ID") or None,
    )
    DriftEventOperator(task_id="drift_event", summary=monitor.output)


scouter_batch_scoring()
