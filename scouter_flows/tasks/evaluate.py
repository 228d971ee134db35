"""Offline evaluation as a step: tasks file + records file -> results, stored, compared."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from scouter_flows.alerts.rules import alert_policy, pass_rate_alerts
from scouter_flows.errors import ConfigError, DataError, first_line
from scouter_flows.evaluate.dataset import EvalDataset
from scouter_flows.evaluate.profile import AgentEvalConfig, AgentEvalProfile
from scouter_flows.evaluate.providers import JudgeSettings
from scouter_flows.evaluate.records import EvalRecord
from scouter_flows.evaluate.results import Comparison, EvalResults, compare_statuses
from scouter_flows.evaluate.task_files import load_tasks
from scouter_flows.reports.destination import report_name, try_write_report
from scouter_flows.reports.stored import stored_eval_report
from scouter_flows.sources.eval_records import read_eval_records
from scouter_flows.sources.files import FileSource
from scouter_flows.sources.frames import DataLike
from scouter_flows.sources.sql import SqlSource
from scouter_flows.store.eval_runs import eval_run_summary
from scouter_flows.store.records import EvalRunWritten
from scouter_flows.store.store import Store
from scouter_flows.tasks.drift import ProfileRef, load_profile
from scouter_flows.window import Window

_READERS: dict[str, Callable[[Path], pl.DataFrame]] = {
    ".ndjson": pl.read_ndjson,
    ".jsonl": pl.read_ndjson,
    ".json": pl.read_json,
    ".parquet": pl.read_parquet,
    ".csv": pl.read_csv,
}


def read_records_file(path: str | Path) -> list[EvalRecord]:
    """Eval records from NDJSON, JSON, parquet or CSV (`context` column, optional `id`,
    `trace_id`, `created_at`)."""
    source = Path(path)
    reader = _READERS.get(source.suffix.lower())
    if reader is None:
        raise ConfigError(f"{source}: records must be {', '.join(sorted(_READERS))}")
    if not source.exists():
        raise ConfigError(f"records file not found: {source}")
    try:
        frame = reader(source)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise DataError(f"{source}: cannot be read as eval records ({first_line(exc)})") from None
    return _records(read_eval_records(frame))


@dataclass(slots=True)
class OfflineEval:
    """What an offline run produced."""

    results: EvalResults
    written: EvalRunWritten | None
    comparison: Comparison | None


def run_offline_eval(
    tasks_path: str | Path,
    records_path: str | Path,
    *,
    store_url: str | None = None,
    save: bool = True,
    space: str = "offline",
    name: str | None = None,
    version: str | None = None,
    baseline_run_id: int | None = None,
    threshold: float = 0.05,
) -> OfflineEval:
    """Evaluate a records file against a tasks file; store the run and compare to a baseline.

    The run is stored as an eval run of the profile `space/name/version` (name: the tasks
    file's stem; version: a hash of the tasks, so edited tasks are a new version).
    """
    tasks = load_tasks(tasks_path)
    records = read_records_file(records_path)
    started = datetime.now(UTC)
    results = EvalDataset(records, tasks).evaluate()
    digest = hashlib.sha256(
        json.dumps([t.model_dump(mode="json") for t in tasks], sort_keys=True).encode()
    ).hexdigest()[:12]
    config = AgentEvalConfig(
        space=space, name=name or Path(tasks_path).stem, version=version or digest
    )
    written = comparison = None
    if save or baseline_run_id is not None:
        with Store(store_url) as store:
            if baseline_run_id is not None:
                baseline = store.eval_results(baseline_run_id)
                if baseline.is_empty():
                    raise ConfigError(f"baseline eval run {baseline_run_id} has no results")
                gates = {t.id for t in tasks if t.condition}
                statuses = {
                    (r, t): s
                    for r, t, s in baseline.select("record_id", "task_id", "status").iter_rows()
                    if t not in gates
                }
                comparison = compare_statuses(results.statuses(), statuses, threshold)
            if save:
                profile_id = store.register_profile(AgentEvalProfile(config=config, tasks=tasks))
                written = store.write_eval_run(
                    profile_id,
                    Window(started, datetime.now(UTC)),
                    results.to_store_frame(),
                    records=len(records),
                    pass_rate=results.pass_rate,
                    started_at=started,
                )
    return OfflineEval(results, written, comparison)


def load_eval_profile(profile: str, store_url: str | None = None) -> ProfileRef:
    """Resolve `profile`, a GenAI eval profile JSON file or a stored `space/name/version`
    (registering a file first); see `load_profile`."""
    return load_profile(profile, store_url, drift_type="genai")


def evaluate_window(
    ref: ProfileRef,
    source: FileSource | SqlSource | DataLike,
    window: Window,
    store_url: str | None = None,
    *,
    spans: pl.DataFrame | None = None,
    judges: JudgeSettings | None = None,
    link: str | None = None,
    dry_run: bool = False,
    report_dir: str | None = None,
) -> dict[str, Any]:
    """Evaluate the window's eval records against the stored profile and store the run
    (with `dry_run`, evaluate and report only: nothing stored, no alert). Where `report_dir`
    (or `SCOUTER_REPORT_DIR`) is set, a stored run's HTML report, compared with the window
    before, is written there (`report` in the summary, or `report_error`).

    The profile's `sample_ratio` picks records by id hash (a re-run evaluates the same ones);
    trace tasks read `spans` or, when not given, the store's spans of the sampled records. The
    run, its per record x task results and a pass-rate alert (under the profile's
    `AgentAlertConfig`) are written in one transaction. Returns the run summary.
    """
    started = datetime.now(UTC)
    with Store(store_url) as store:
        _, profile = store.get_profile(ref.space, ref.name, ref.version, "genai")
        assert isinstance(profile, AgentEvalProfile)
        frame = read_eval_records(source, window)
        records = _records(frame)
        sampled = profile.sample(records)
        if spans is None and any(t.task_type == "TraceAssertion" for t in profile.tasks):
            spans = store.spans(sorted({r.trace_id for r in sampled if r.trace_id}))
        results = EvalDataset(sampled, profile.tasks).evaluate(judges, spans=spans)
        config = profile.config
        alerts = pass_rate_alerts(
            config.space,
            config.name,
            config.version,
            results.pass_rate,
            len(sampled),
            config.alert_config,
            records=len(records),
        )
        if dry_run:
            preview = eval_run_summary(
                None,
                ref.profile_id,
                window,
                records=len(records),
                evaluated=len(sampled),
                pass_rate=results.pass_rate,
            )
            summary: dict[str, Any] = {**preview.to_dict(), "dry_run": True}
        else:
            summary = store.write_eval_run(
                ref.profile_id,
                window,
                results.to_store_frame(),
                records=len(records),
                pass_rate=results.pass_rate,
                alerts=alerts,
                policy=alert_policy(config.alert_config, link),
                started_at=started,
            ).to_dict()
            run_id = int(summary["run_id"])
            summary |= try_write_report(
                lambda: stored_eval_report(store, run_id),
                report_name(ref.key, "eval", window.end, run_id),
                report_dir,
            )
    summary["profile"] = ref.key
    summary["sampled"] = len(sampled)
    summary["judge_calls"] = results.judge_stats.calls
    summary["tasks"] = results.task_pass_rates()
    return summary


def _records(frame: pl.DataFrame) -> list[EvalRecord]:
    return [
        EvalRecord(
            id=row["id"],
            context=json.loads(row["context"]),
            trace_id=row["trace_id"],
            created_at=row["created_at"],
        )
        for row in frame.iter_rows(named=True)
    ]
