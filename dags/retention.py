"""Daily retention of the results store: delete runs, eval runs, spans and inference logs older
than an age.

Configure with environment variables (or trigger with config from the UI):
  SCOUTER_RETENTION     the age to keep, for example 90d (default), 12w or 36h
  the store             the `scouter_default` connection, else SCOUTER_DATABASE_URL
  SCOUTER_STORE_CONN_ID an Airflow connection naming the store, instead of the URL

Safe to unpause: pruning is idempotent, and catch-up is off.

Parsing this file touches neither the store nor the data.
"""

from __future__ import annotations

import os

import pendulum
from airflow.providers.common.compat.sdk import Param, dag

from scouter_flows.operators import PruneResultsOperator


@dag(
    dag_id="scouter_retention",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    tags=["scouter-flows", "retention"],
    doc_md=__doc__,
    params={
        "older_than": Param(
            os.environ.get("SCOUTER_RETENTION", "90d"),
            type="string",
            description="Delete results older than this age (for example 90d, 12w, 36h).",
        ),
    },
)
def scouter_retention() -> None:
    PruneResultsOperator(
        task_id="prune",
        older_than="{{ params.older_than }}",
        store_conn_id=os.environ.get("SCOUTER_STORE_CONN_ID") or None,
    )


scouter_retention()
