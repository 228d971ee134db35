"""Batch scoring with monitoring as its last steps: score, log and monitor, alert on drift.

Configure with environment variables (or trigger with config from the UI):
  SCOUTER_BATCH_INPUT    the rows to score: a parquet file or glob with the profile's features
  SCOUTER_PREDICTIONS    where to write the scored batch: a parquet path, templated (for
                         example `/data/scored/{{ ds }}.parquet`); default a file per run in
                         the temporary directory
  SCOUTER_BATCH_PROFILE  profile JSON path or stored space/name/version of the scored
                         features (this DAG's own variable: the drift DAGs read others)
  the store             the `scouter_default` connection, else SCOUTER_DATABASE_URL

Safe to unpause: one run at a time (`max_active_runs=1`), so a catch-up run and a manual one
never share a predictions file; each run scores under its own logical date, and a re-run of a
date replaces that batch's run and never logs a row twice. A run with no input or profile
configured is skipped, saying what to set.

`score` stands in for your model: it adds a `score` column and the scoring time. `monitor`
writes the scored rows to the store's inference logs and the batch's drift run; alerts go out
only when the batch drifted. Parsing this file touches neither the store nor the data.
"""

from __future__ import annotations

import os

import pendulum
from airflow.providers.common.compat.sdk import Param, dag, task

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
    max_active_runs=1,
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
            description="Where the scored batch is written (parquet, templated: {{ ds }} "
            "works); empty: a file per run in the temporary directory.",
        ),
        "profile": Param(
            os.environ.get("SCOUTER_BATCH_PROFILE", ""),
            type="string",
            description="Profile JSON path or stored space/name/version.",
        ),
    },
)
def scouter_batch_scoring() -> None:
    @task(task_id="score")
    def score(input_path: str, predictions_path: str, profile: str, scored_at: str) -> str:
        """A stand-in model: a logistic score of the numeric features, stamped with the run's
        logical time (so a retry scores the same batch the same way)."""
        import re
        import tempfile
        from datetime import UTC, datetime
        from pathlib import Path

        import polars as pl
        from airflow.providers.common.compat.sdk import AirflowSkipException, get_current_context

        if not input_path or not profile:
            raise AirflowSkipException(
                "nothing to score: set SCOUTER_BATCH_INPUT and SCOUTER_BATCH_PROFILE, or "
                "trigger with input_path and profile"
            )
        context = get_current_context()
        # A param's value is not itself rendered: render a templated path such as {{ ds }}.
        predictions_path = context["task"].render_template(predictions_path, context)

        batch = pl.read_parquet(input_path)
        numeric = [c for c, t in batch.schema.items() if t.is_numeric()]
        z = pl.sum_horizontal([(pl.col(c) - pl.col(c).mean()) / pl.col(c).std() for c in numeric])
        when = datetime.fromisoformat(scored_at) if scored_at else datetime.now(UTC)
        scored = batch.with_columns(
            score=1 / (1 + (-z / max(len(numeric), 1)).exp()), timestamp=pl.lit(when)
        )
        run = re.sub(r"[^A-Za-z0-9_.-]+", "_", context["run_id"])
        target = predictions_path or str(
            Path(tempfile.gettempdir()) / f"scouter-predictions-{run}.parquet"
        )
        scored.write_parquet(target)
        return target

    scored = score(
        "{{ params.input_path }}",
        "{{ params.predictions_path }}",
        "{{ params.profile }}",
        "{{ ts }}",
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
