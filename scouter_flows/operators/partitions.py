"""Scale-out in Airflow: plan partitions, compute partials in mapped tasks, merge and store.

    plan = PlanPartitionsOperator(task_id="plan", source_path=..., partition_by="file", parts=8)
    partials = PartialStatisticsOperator.partial(task_id="partial", profile=...).expand(
        partition=plan.output
    )
    merge = MergePartialsOperator(task_id="merge", profile=..., partials=partials.output)

Partitions and partials cross XComs as small JSON (bin counts, sums, confusion tables); the
merged result is what one `DriftMonitorOperator` would have stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scouter_flows.operators.compat import Context
from scouter_flows.operators.drift import DriftMonitorOperator, WindowOperator

if TYPE_CHECKING:
    from scouter_flows.tasks.partitions import PerformanceSpec


class PlanPartitionsOperator(WindowOperator):
    """Split the data interval's input into partitions; returns them as a JSON list (the
    input of a mapped `PartialStatisticsOperator`).

    Parameters: those of `WindowOperator` (`profile` is not needed), and

    :param partition_by: `file`, `hive` (one part per partition directory) or `hash`.
    :param parts: How many parts (by file and by hash).
    :param hash_column: By hash: the column to hash; default the row number.
    """

    template_fields: Sequence[str] = (*WindowOperator.template_fields, "partition_by", "parts")
    ui_color = "#e8f4fd"

    def __init__(
        self,
        *,
        partition_by: str = "file",
        parts: int | str = 8,
        hash_column: str | None = None,
        profile: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(profile=profile, **kwargs)
        self.partition_by = partition_by
        self.parts = parts
        self.hash_column = hash_column

    def execute(self, context: Context) -> list[dict[str, Any]]:
        """The partitions, JSON-able."""
        from scouter_flows.tasks.partitions import Partitioning

        window, _, source, _ = self.resolve(context)
        partitioning = Partitioning.model_validate(
            {"by": self.partition_by, "parts": int(self.parts), "hash_column": self.hash_column}
        )
        plan = partitioning.plan(source, window)
        self.log.info("%s partitions of %s by %s", len(plan), window, partitioning.by)
        return [part.model_dump(mode="json") for part in plan]


class PartialStatisticsOperator(DriftMonitorOperator):
    """One partition's partial statistics (map it over `PlanPartitionsOperator`'s output with
    `.expand(partition=...)`); returns the partial as JSON. `source_path` is not needed: the
    partition names its files.

    :param partition: One item of the plan.
    :param performance: For a model-performance run: a `PerformanceSpec` as a dict (task,
        prediction, label, score, labels, id_column).
    """

    operator_extra_links = ()  # a partial has no report: the merge writes the run's

    def __init__(
        self,
        *,
        partition: dict[str, Any],
        source_path: str = "",
        performance: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(source_path=source_path, **kwargs)
        self.partition = partition
        self.performance = performance

    def performance_spec(self) -> PerformanceSpec | None:
        """The performance columns, when this is a performance run."""
        from scouter_flows.tasks.partitions import PerformanceSpec

        return PerformanceSpec.model_validate(self.performance) if self.performance else None

    def execute(self, context: Context) -> dict[str, Any]:
        """The partial of this partition, JSON-able."""
        from scouter_flows import tasks
        from scouter_flows.progress import progress_log
        from scouter_flows.tasks.partitions import partial_to_json

        window, store_url, _, _ = self.resolve(context)
        ref = tasks.load_profile(self.profile, store_url, self.drift_type or None)
        with progress_log(self.log):
            partial = tasks.compute_partition(
                ref, self.partition, window, store_url, self.performance_spec()
            )
        self.log.info("Partition %s: %s rows", self.partition.get("index"), partial.rows)
        return partial_to_json(partial)


class MergePartialsOperator(DriftMonitorOperator):
    """Merge the mapped partials, judge the window and store the run (or, with `preview`,
    only report); returns the run summary, as `DriftMonitorOperator` does.

    :param partials: The mapped task's output (`partials_task.output`).
    """

    template_fields: Sequence[str] = (*WindowOperator.template_fields, "partials")

    def __init__(self, *, partials: Any, source_path: str = "", **kwargs: Any) -> None:
        super().__init__(source_path=source_path, **kwargs)
        self.partials = partials

    def execute(self, context: Context) -> dict[str, Any]:
        """Merge, judge, persist; return the JSON-able run summary."""
        from scouter_flows import tasks

        window, store_url, _, link = self.resolve(context)
        ref = tasks.load_profile(self.profile, store_url, self.drift_type or None)
        result = tasks.finalize_partitions(ref, list(self.partials), store_url)
        if self.is_dry_run:
            return self.with_store(tasks.preview_drift(ref, window, result))
        summary = tasks.persist_drift(
            ref, window, result, store_url, link=link, report_dir=self.report_folder
        )
        self.log.info(
            "Run %s from %s partials: %s rows, drifted: %s",
            summary["run_id"],
            len(self.partials),
            result.rows,
            ", ".join(result.drifted) or "none",
        )
        return self.with_store(summary)
