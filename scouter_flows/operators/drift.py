"""Airflow operators over the orchestrator-neutral drift steps (install the `airflow` extra)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scouter_flows.errors import ConfigError
from scouter_flows.operators.compat import BaseOperator, BaseOperatorLink, Context
from scouter_flows.operators.hooks import StoreTaskMixin, alert_credentials
from scouter_flows.operators.links import DriftReportLink, EvalReportLink
from scouter_flows.window import Window

if TYPE_CHECKING:
    from scouter_flows.sources.files import FileSource
    from scouter_flows.tasks.partitions import PerformanceSpec


class WindowOperator(StoreTaskMixin, BaseOperator):
    """What the monitoring operators share: a profile, a file source, a window and the store.

    The window is the DAG run's data interval unless `window_start`/`window_end` are given (both
    templated, so `{{ params.window_start }}` works for runs triggered from the UI).

    :param profile: Profile JSON path (registered on first use) or stored `space/name/version`.
    :param source_path: Parquet, CSV or NDJSON file or glob holding the rows to monitor.
    :param timestamp_column: The UTC timestamp column of those rows.
    :param window_start: Inclusive window start (ISO-8601 with zone); default: data interval start.
    :param window_end: Exclusive window end (ISO-8601 with zone); default: data interval end.
    :param store_url: SQLAlchemy URL of the store.
    :param store_conn_id: An Airflow connection naming the store (see `ScouterStoreHook`);
        takes precedence over `store_url`. With neither, the `scouter_default` connection when
        it exists, else `$SCOUTER_DATABASE_URL`, else the embedded SQLite file (with a warning
        in the task log and the summary). The task log names the store it used.
    :param drift_type: Which profile to load when one `space/name/version` holds several
        (`psi`, `spc` or `custom`).
    :param preview: A dry run: compute and report, but store nothing and raise no alert
        (templated, so `{{ params.dry_run }}` works; "true"/"false" text is read as a flag).
        Not `dry_run`, which is `BaseOperator`'s template-rendering method.
    :param report_dir: A folder or object-storage URL for the run's HTML report (templated;
        default `$SCOUTER_REPORT_DIR`, none when neither is set). The summary's `report` says
        where it went; a report that cannot be written is logged and the run still stored.
    """

    template_fields: Sequence[str] = (
        "profile",
        "source_path",
        "timestamp_column",
        "window_start",
        "window_end",
        "store_url",
        "store_conn_id",
        "drift_type",
        "preview",
        "report_dir",
    )
    default_timestamp_column = "timestamp"

    def __init__(
        self,
        *,
        profile: str,
        source_path: str,
        timestamp_column: str | None = None,
        window_start: str | None = None,
        window_end: str | None = None,
        store_url: str | None = None,
        store_conn_id: str | None = None,
        preview: bool | str = False,
        drift_type: str | None = None,
        report_dir: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.report_dir = report_dir
        self.profile = profile
        self.source_path = source_path
        self.timestamp_column = timestamp_column or self.default_timestamp_column
        self.window_start = window_start
        self.window_end = window_end
        self.store_url = store_url
        self.store_conn_id = store_conn_id
        self.preview = preview
        self.drift_type = drift_type

    @property
    def report_folder(self) -> str | None:
        """`report_dir` as rendered (an empty template renders "" or "None": no folder)."""
        return None if self.report_dir in (None, "", "None") else self.report_dir

    @property
    def is_dry_run(self) -> bool:
        """`preview` as rendered: a bool, or text such as "true", "False", "" or "None"."""
        return as_flag("preview", self.preview)

    def resolve(self, context: Context) -> tuple[Window, str, FileSource, str | None]:
        """The window, the store URL, the source and the link to this task's log."""
        from scouter_flows.sources.files import FileSource

        window = window_from_context(context, self.window_start, self.window_end)
        store_url = self.task_store_url()
        source = FileSource(path=self.source_path, timestamp_column=self.timestamp_column)
        ti = context.get("ti")
        link = getattr(ti, "log_url", None) if ti is not None else None
        return window, store_url, source, link


class DriftMonitorOperator(WindowOperator):
    """Compute drift of one profile over the run's data interval and store the result.

    Returns the run summary (run id, status, drifted features, pending alerts) as the XCom.
    Parameters: see `WindowOperator` (`timestamp_column` defaults to `timestamp`).
    """

    ui_color = "#e8f4fd"
    operator_extra_links: tuple[BaseOperatorLink, ...] = (DriftReportLink(),)

    def performance_spec(self) -> PerformanceSpec | None:
        """What a model-performance run reads; None for drift."""
        return None

    def execute(self, context: Context) -> dict[str, Any]:
        """Load the profile, compute, persist; return the JSON-able run summary."""
        from scouter_flows import tasks
        from scouter_flows.progress import progress_log

        window, store_url, source, link = self.resolve(context)
        ref = tasks.load_profile(self.profile, store_url, self.drift_type or None)
        with progress_log(self.log):
            result = tasks.compute_window_drift(
                ref, source, window, store_url, self.performance_spec()
            )
        if self.is_dry_run:
            summary = tasks.preview_drift(ref, window, result)
        else:
            summary = tasks.persist_drift(
                ref, window, result, store_url, link=link, report_dir=self.report_folder
            )
        self.log.info(
            "%s %s for %s/%s/%s in %s: %s rows, drifted: %s, pending alerts: %s",
            "Dry run" if self.is_dry_run else "Run",
            summary["run_id"],
            ref.space,
            ref.name,
            ref.version,
            window,
            result.rows,
            ", ".join(result.drifted) or "none",
            summary["pending_alerts"],
        )
        return self.with_store(summary)


class DispatchAlertsOperator(StoreTaskMixin, BaseOperator):
    """Send a run's pending alerts and record each outcome; fails (so Airflow retries) if any
    delivery failed. Alerts already sent are never sent again.

    Each alert goes where its profile's alert config says (Slack, OpsGenie, console).
    Credentials come from the connections given, else from `SLACK_BOT_TOKEN` /
    `SLACK_WEBHOOK_URL` / `OPSGENIE_API_KEY`; a destination without them fails the task.

    :param run_id: The drift run whose alerts to send (templated, e.g. from the monitor's XCom).
    :param eval_run_id: Or the eval run whose alerts to send (from `GenAIEvalOperator`).
    :param store_url: SQLAlchemy URL of the store.
    :param store_conn_id: An Airflow connection naming the store; takes precedence (with
        neither, the store is resolved as `WindowOperator` describes).
    :param slack_conn_id: A `slack` (bot token) or `slackwebhook` connection.
    :param opsgenie_conn_id: An `opsgenie` connection (password = API key, host = API URL).
    """

    template_fields: Sequence[str] = (
        "run_id",
        "eval_run_id",
        "store_url",
        "store_conn_id",
        "slack_conn_id",
        "opsgenie_conn_id",
    )
    ui_color = "#fdecea"

    def __init__(
        self,
        *,
        run_id: int | str | None = None,
        eval_run_id: int | str | None = None,
        store_url: str | None = None,
        store_conn_id: str | None = None,
        slack_conn_id: str | None = None,
        opsgenie_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.run_id = run_id
        self.eval_run_id = eval_run_id
        self.store_url = store_url
        self.store_conn_id = store_conn_id
        self.slack_conn_id = slack_conn_id
        self.opsgenie_conn_id = opsgenie_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        """Dispatch; return counts of sent, failed and already-sent alerts."""
        from scouter_flows import tasks

        run_id, eval_run_id = (
            _run_id("run_id", self.run_id),
            _run_id("eval_run_id", self.eval_run_id),
        )
        if (run_id is None) == (eval_run_id is None):
            raise ConfigError("give exactly one of run_id (a drift run) or eval_run_id")
        summary = tasks.dispatch_alerts(
            run_id,
            self.task_store_url(),
            eval_run_id=eval_run_id,
            credentials=alert_credentials(self.slack_conn_id, self.opsgenie_conn_id),
        )
        return self.with_store(summary)


def _run_id(name: str, value: int | str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be an integer, got {value!r}") from None


class GenAIEvalOperator(WindowOperator):
    """Evaluate the data interval's GenAI eval records against a stored eval profile and store
    the run; returns the summary (eval run id, pass rate, pending alerts) as the XCom.
    Parameters: see `WindowOperator` (`profile` is a `AgentEvalProfile`; `timestamp_column`
    defaults to `created_at`).
    """

    ui_color = "#eef7e8"
    default_timestamp_column = "created_at"
    operator_extra_links = (EvalReportLink(),)

    def execute(self, context: Context) -> dict[str, Any]:
        """Sample, evaluate and store the window; return the JSON-able run summary."""
        from scouter_flows import tasks
        from scouter_flows.progress import progress_log

        window, store_url, source, link = self.resolve(context)
        ref = tasks.load_eval_profile(self.profile, store_url)
        with progress_log(self.log):
            summary = tasks.evaluate_window(
                ref,
                source,
                window,
                store_url,
                link=link,
                dry_run=self.is_dry_run,
                report_dir=self.report_folder,
            )
        self.log.info(
            "Eval run %s for %s in %s: %s of %s records evaluated, pass rate %s, pending alerts %s",
            summary["run_id"],
            f"{ref.space}/{ref.name}/{ref.version}",
            window,
            summary["sampled"],
            summary["records"],
            summary["pass_rate"],
            summary["pending_alerts"],
        )
        return self.with_store(summary)


def choose_dispatch_branch(
    summary: dict[str, Any] | None, dispatch_task_id: str, skip_task_id: str
) -> str:
    """The task id to follow after a monitor: dispatch only when the run left pending alerts."""
    from scouter_flows.tasks import should_dispatch

    return dispatch_task_id if summary and should_dispatch(summary) else skip_task_id


def as_flag(name: str, value: bool | str | None) -> bool:
    """A rendered template as a flag: True/False, or text "true"/"false"/"1"/"0"/""/"None".

    Raises:
        ConfigError: any other text.
    """
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no", "", "none"):
        return False
    raise ConfigError(f"{name} must be true or false, got {value!r}")


def window_from_context(context: Context, start: str | None, end: str | None) -> Window:
    """The window from explicit bounds, else from the DAG run's data interval."""
    if start and end:
        return Window.parse(start, end)
    interval_start: datetime | None = context.get("data_interval_start")
    interval_end: datetime | None = context.get("data_interval_end")
    if interval_start is None or interval_end is None or interval_start == interval_end:
        raise ConfigError(
            f"this run has no data interval to monitor ({interval_start} to {interval_end}): "
            "schedule the DAG with a data-interval timetable (CronDataIntervalTimetable, or "
            "CronTriggerTimetable with an interval), or pass window_start and window_end, for "
            "example through the DAG's params"
        )
    return Window.parse(start or interval_start, end or interval_end)
