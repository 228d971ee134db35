"""`PruneResultsOperator`: the store's retention as a task (install the `airflow` extra)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scouter_flows.operators.compat import BaseOperator, Context
from scouter_flows.operators.hooks import StoreTaskMixin


class PruneResultsOperator(StoreTaskMixin, BaseOperator):
    """Delete runs (with their results and alerts), eval runs, spans and inference logs older
    than an age; returns the counts deleted per kind.

    :param older_than: An age such as `90d`, `12h` or `2w` (templated).
    :param store_url: SQLAlchemy URL of the store.
    :param store_conn_id: An Airflow connection naming the store; takes precedence (with
        neither, the store is resolved as `WindowOperator` describes).
    """

    template_fields: Sequence[str] = ("older_than", "store_url", "store_conn_id")
    ui_color = "#f3efe6"

    def __init__(
        self,
        *,
        older_than: str,
        store_url: str | None = None,
        store_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.older_than = older_than
        self.store_url = store_url
        self.store_conn_id = store_conn_id

    def execute(self, context: Context) -> dict[str, int]:
        """Prune and return the counts."""
        from scouter_flows.tasks.retention import prune_results

        deleted = prune_results(self.older_than, self.task_store_url())
        self.log.info("Pruned results older than %s: %s", self.older_than, deleted)
        return deleted
