"""`ModelPerformanceOperator` and `DataProfileOperator` (install the `airflow` extra)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scouter_flows.operators.compat import Context
from scouter_flows.operators.drift import DriftMonitorOperator, WindowOperator

if TYPE_CHECKING:
    from scouter_flows.tasks.partitions import PerformanceSpec


class ModelPerformanceOperator(DriftMonitorOperator):
    """Compute the data interval's model performance and judge it against a custom-metric
    profile whose metrics are performance metrics (`accuracy`, `f1`, `roc_auc`, `rmse`, ...).

    Returns the run summary as the XCom. Parameters: those of `WindowOperator`, and

    :param task: `binary`, `multiclass` or `regression`.
    :param prediction_column: Column of predictions.
    :param label_column: Column of true labels or values.
    :param score_column: Binary only: predicted probability of class 1 (ROC AUC, log loss).
    :param labels_path: Late-arriving labels in files of their own (joined on `id_column`;
        rows logged from the window's start on are read).
    :param labels_timestamp_column: The timestamp column of the label files.
    :param id_column: Join key between predictions and labels.
    """

    template_fields: Sequence[str] = (
        *WindowOperator.template_fields,
        "prediction_column",
        "label_column",
        "score_column",
        "labels_path",
        "id_column",
    )
    ui_color = "#f3ecfd"

    def __init__(
        self,
        *,
        task: str,
        prediction_column: str = "prediction",
        label_column: str = "label",
        score_column: str | None = None,
        labels_path: str | None = None,
        labels_timestamp_column: str = "timestamp",
        id_column: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.task = task
        self.prediction_column = prediction_column
        self.label_column = label_column
        self.score_column = score_column
        self.labels_path = labels_path
        self.labels_timestamp_column = labels_timestamp_column
        self.id_column = id_column

    def performance_spec(self) -> PerformanceSpec:
        """The columns and late labels, as rendered."""
        from scouter_flows.sources.files import FileSource
        from scouter_flows.tasks.partitions import PerformanceSpec

        labels = (
            FileSource(path=self.labels_path, timestamp_column=self.labels_timestamp_column)
            if self.labels_path
            else None
        )
        return PerformanceSpec.model_validate(
            {
                "task": self.task,
                "prediction": self.prediction_column,
                "label": self.label_column,
                "score": self.score_column or None,
                "labels": labels,
                "id_column": self.id_column or None,
            }
        )


class DataProfileOperator(WindowOperator):
    """Profile the data interval's rows and store the profile under a model key.

    Returns the summary (data profile id, rows, features, missing values) as the XCom.
    `profile` is the model's `space/name/version` (no registered profile is needed).
    Parameters: those of `WindowOperator`, and

    :param columns: The columns to profile; default all but the timestamp.
    :param bin_size: Histogram bins per numeric column.
    :param compute_correlations: Add Pearson correlations between numeric columns.
    """

    ui_color = "#fdf6e3"

    def __init__(
        self,
        *,
        columns: list[str] | None = None,
        bin_size: int = 20,
        compute_correlations: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.columns = columns
        self.bin_size = bin_size
        self.compute_correlations = compute_correlations

    def execute(self, context: Context) -> dict[str, Any]:
        """Profile the window and store the profile; return the JSON-able summary."""
        from scouter_flows import tasks
        from scouter_flows.progress import progress_log

        tasks.parse_key(self.profile)
        window, store_url, source, _ = self.resolve(context)
        with progress_log(self.log):
            profile = tasks.profile_window(
                source,
                window,
                columns=self.columns,
                bin_size=self.bin_size,
                compute_correlations=self.compute_correlations,
            )
        if self.is_dry_run:
            return self.with_store(
                {**tasks.profile_summary(self.profile, window, profile), "dry_run": True}
            )
        summary = tasks.persist_data_profile(self.profile, window, profile, store_url)
        self.log.info(
            "Data profile %s of %s in %s: %s rows, %s features",
            summary["data_profile_id"],
            self.profile,
            window,
            profile.rows,
            len(profile.features),
        )
        return self.with_store(summary)
