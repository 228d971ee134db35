"""`MonitorBatchOperator`: log a scored batch and monitor it, as a scoring DAG's last step."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from scouter_flows.operators.compat import BaseOperator, Context
from scouter_flows.operators.hooks import StoreTaskMixin
from scouter_flows.operators.links import DriftReportLink


class MonitorBatchOperator(StoreTaskMixin, BaseOperator):
    """Write the scored batch to the inference logs and store its drift against a profile
    (see `scouter_flows.monitor_batch`); returns the run summary (run id, status, drifted
    features, pending alerts, rows logged) as the XCom.

    :param predictions_path: The scored batch: a parquet, CSV or NDJSON file or glob.
    :param profile: Profile JSON path (registered on first use) or stored `space/name/version`.
    :param timestamp_column: When each row was scored (zoned); without it, the rows are
        stamped with the task's start time.
    :param record_id_column: A column that identifies each row (default: a hash of the row).
    :param store_url: SQLAlchemy URL of the store.
    :param store_conn_id: An Airflow connection naming the store; takes precedence (with
        neither, the store is resolved as `WindowOperator` describes).
    """

    template_fields: Sequence[str] = (
        "predictions_path",
        "profile",
        "timestamp_column",
        "record_id_column",
        "store_url",
        "store_conn_id",
    )
    ui_color = "#e8f4fd"
    operator_extra_links = (DriftReportLink(),)

    def __init__(
        self,
        *,
        predictions_path: str,
        profile: str,
        timestamp_column: str | None = "timestamp",
        record_id_column: str | None = None,
        store_url: str | None = None,
        store_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.predictions_path = predictions_path
        self.profile = profile
        self.timestamp_column = timestamp_column
        self.record_id_column = record_id_column
        self.store_url = store_url
        self.store_conn_id = store_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        """Log and monitor the batch; return the JSON-able run summary."""
        from scouter_flows.progress import progress_log
        from scouter_flows.tasks.batch import monitor_batch

        ti = context.get("ti")
        # Rows without times get the run's logical date: a retry stamps them the same way.
        stamp: datetime | None = None
        if not self.timestamp_column:
            run_time = context.get("logical_date") or context.get("data_interval_end")
            stamp = run_time or datetime.now(UTC)
        with progress_log(self.log):
            summary = monitor_batch(
                self.predictions_path,
                self.profile,
                store_url=self.task_store_url(),
                timestamp_column=self.timestamp_column or "timestamp",
                record_id_column=self.record_id_column or None,
                logged_at=stamp,
                link=getattr(ti, "log_url", None) if ti is not None else None,
            )
        self.log.info(
            "Batch of %s rows logged; run %s: %s, drifted: %s, pending alerts: %s",
            summary["logged"],
            summary["run_id"],
            summary["status"],
            ", ".join(summary["drifted"]) or "none",
            summary["pending_alerts"],
        )
        return self.with_store(summary)
