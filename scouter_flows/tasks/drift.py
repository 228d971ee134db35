"""The steps of a drift run, as plain functions with small JSON-able inputs and outputs.

Prefect flows and Airflow operators call these; nothing here knows either orchestrator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import polars as pl

from scouter_flows.alerts.credentials import Credentials
from scouter_flows.alerts.delivery import RetryPolicy
from scouter_flows.alerts.dispatch import dispatch_pending
from scouter_flows.alerts.rules import alert_policy, drift_alerts
from scouter_flows.drift.engine import values_to_show
from scouter_flows.drift.kinds import PROFILE_TYPES, AnyProfile, kind_of
from scouter_flows.errors import ConfigError
from scouter_flows.profiles.base import profile_kind, read_json_object
from scouter_flows.profiles.monitors import parse_key
from scouter_flows.profiles.results import AnyResult
from scouter_flows.progress import may_show, progress
from scouter_flows.reports.destination import report_name, try_write_report
from scouter_flows.reports.drift import drift_report
from scouter_flows.sources.files import FileSource
from scouter_flows.store.drift_runs import run_summary
from scouter_flows.store.store import StorableProfile, Store, profile_model
from scouter_flows.tasks.partitions import (
    Partial,
    Partition,
    PerformanceSpec,
    finalize,
    merge_partials,
    partial_from_json,
    partial_statistics,
    plan_partitions,
)
from scouter_flows.window import Window

FILE_GROUPS = 20
"""Groups a window's files are read in when progress is shown."""


@dataclass(slots=True, frozen=True)
class ProfileRef:
    """A registered profile: its store id and `space/name/version`."""

    profile_id: int
    space: str
    name: str
    version: str
    drift_type: str = "psi"

    @property
    def key(self) -> str:
        """`space/name/version`."""
        return f"{self.space}/{self.name}/{self.version}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return asdict(self)


def load_profile(
    profile: str, store_url: str | None = None, drift_type: str | None = None
) -> ProfileRef:
    """Resolve `profile`, a JSON file path or a stored `space/name/version`, to a stored profile
    (of `drift_type`, when given: a file or stored profile of another type is an error).

    A file is registered first (a no-op when the same content is already stored).
    """
    path = Path(profile)
    with Store(store_url) as store:
        if path.suffix == ".json" or path.is_file():
            loaded = read_profile_file(path, drift_type)
            profile_id = store.register_profile(loaded)
            config = loaded.config
            return ProfileRef(
                profile_id, config.space, config.name, config.version, loaded.drift_type
            )
        space, name, version = parse_key(profile, "profile", "neither a JSON file nor")
        profile_id, stored = store.get_profile(space, name, version, drift_type)
        return ProfileRef(profile_id, space, name, version, stored.drift_type)


def read_profile_file(path: str | Path, drift_type: str | None = None) -> StorableProfile:
    """A profile from its JSON file, of the type its `drift_type` field names (or, when
    given, of `drift_type`, which the file must then be)."""
    data = read_json_object(path)
    found = profile_kind(data)
    kind = drift_type or str(found)
    model = profile_model(kind)
    if model is None:
        raise ConfigError(
            f"{path}: drift_type {found!r} is not one of {sorted([*PROFILE_TYPES, 'genai'])}"
        )
    return cast(StorableProfile, model.model_validate_profile(data, source=str(path)))


def stored_profile(ref: ProfileRef, store_url: str | None = None) -> AnyProfile:
    """The drift profile `ref` names, from the store."""
    with Store(store_url) as store:
        profile: AnyProfile = store.get_profile(ref.space, ref.name, ref.version, ref.drift_type)[1]
    return profile


def compute_window_drift(
    ref: ProfileRef,
    source: FileSource,
    window: Window,
    store_url: str | None = None,
    performance: PerformanceSpec | None = None,
) -> AnyResult:
    """Scan `source` for `window` and compute drift against the stored profile (or, with
    `performance`, the window's model performance against a custom-metric profile).

    Where progress is shown and the window spans several local files, they are read in groups
    (one step each) and the groups' partials merged: the same result as one pass.
    """
    profile = stored_profile(ref, store_url)
    parts = _file_groups(profile, source, window, performance)
    if len(parts) <= 1:
        with source.reading(window):
            return drift_of(profile, source.scan(window), window, performance)
    with source.reading(window):
        work = values_to_show(source.scan(window), _columns(profile))
    title = "Model performance" if performance else _TITLES.get(profile.drift_type, "Drift")
    partials = []
    with progress(title, len(parts), unit="file groups", work=work) as bar:
        for part in parts:
            with part.source.reading(window):
                partials.append(partial_statistics(profile, part.scan(window), window, performance))
            bar.advance(doing=f"{len(part.source.window_files(window))} files")
    return finalize(profile, merge_partials(partials))


def _file_groups(
    profile: AnyProfile, source: FileSource, window: Window, performance: PerformanceSpec | None
) -> list[Partition]:
    """The file groups a run with progress shown reads one by one; [] for a single pass."""
    if not may_show() or (performance is None and not kind_of(profile).partitioned):
        return []
    try:
        return plan_partitions(source, window, by="file", parts=FILE_GROUPS)
    except ConfigError:  # object storage: no by-file plan, one pass
        return []


_TITLES = {"psi": "PSI drift", "custom": "Custom metrics"}


def _columns(profile: AnyProfile) -> int:
    features = getattr(profile, "features", None) or getattr(profile, "metrics", None) or {}
    return max(len(features), 1)


def drift_of(
    profile: AnyProfile,
    lf: pl.LazyFrame,
    window: Window,
    performance: PerformanceSpec | None = None,
) -> AnyResult:
    """Drift (or model performance) of the rows `lf` of `window` against `profile`; a window
    without rows is a result with `rows == 0`, stored as a `no_data` run, not an error."""
    kind = kind_of(profile)
    if performance is None and not kind.partitioned:
        return kind.compute(lf, profile, None)
    # One partial of the whole window: the same code path as a partitioned run.
    return finalize(profile, partial_statistics(profile, lf, window, performance))


def compute_partition(
    ref: ProfileRef,
    partition: Partition | dict[str, Any],
    window: Window,
    store_url: str | None = None,
    performance: PerformanceSpec | None = None,
) -> Partial:
    """The partial statistics of one partition of the window (a mapped task's work)."""
    part = Partition.model_validate(partition)
    profile = stored_profile(ref, store_url)
    with part.source.reading(window):
        return partial_statistics(profile, part.scan(window), window, performance)


def finalize_partitions(
    ref: ProfileRef,
    partials: Sequence[Partial | dict[str, Any]],
    store_url: str | None = None,
) -> AnyResult:
    """Merge the partitions' partials (Python objects or their JSON) and judge the window."""
    merged = merge_partials([partial_from_json(p) for p in partials])
    return finalize(stored_profile(ref, store_url), merged)


def persist_drift(
    ref: ProfileRef,
    window: Window,
    result: AnyResult,
    store_url: str | None = None,
    *,
    started_at: datetime | None = None,
    link: str | None = None,
    report_dir: str | None = None,
) -> dict[str, Any]:
    """Write the run, its results and its alerts (under the profile's alert config) in one
    transaction; return the summary. `link` points at the run's page (a flow-run or task
    URL) and travels with every alert. Where `report_dir` (or `SCOUTER_REPORT_DIR`) names a
    folder or URL, the run's HTML report is written there and the summary's `report` says
    where (or `report_error` why not: the run is stored either way)."""
    with Store(store_url) as store:
        _, profile = store.get_profile(ref.space, ref.name, ref.version, ref.drift_type)
        config = profile.config.alert_config
        written = store.write_drift_run(
            ref.profile_id,
            window,
            result,
            drift_alerts(result, config),
            policy=alert_policy(config, link),
            started_at=started_at,
        )
    report = try_write_report(
        lambda: drift_report(profile, result, window=window, run_id=written.run_id),
        report_name(ref.key, profile.drift_type, window.end, written.run_id),
        report_dir,
    )
    return {**written.to_dict(), "profile": ref.key, **report}


def preview_drift(ref: ProfileRef, window: Window, result: AnyResult) -> dict[str, Any]:
    """The summary a run would store, with nothing written and no alert raised (a dry run)."""
    summary = run_summary(None, ref.profile_id, window, result).to_dict()
    return {**summary, "profile": ref.key, "dry_run": True}


def should_dispatch(summary: dict[str, Any]) -> bool:
    """Whether the run left alerts waiting in the outbox."""
    return int(summary.get("pending_alerts", 0)) > 0


def dispatch_alerts(
    run_id: int | None = None,
    store_url: str | None = None,
    *,
    eval_run_id: int | None = None,
    credentials: Credentials | None = None,
    retry: RetryPolicy | None = None,
) -> dict[str, Any]:
    """Send a drift (or eval) run's unsent alerts to their destinations and record each
    outcome; credentials default to the environment's."""
    with Store(store_url) as store:
        return dispatch_pending(
            store, credentials, run_id=run_id, eval_run_id=eval_run_id, retry=retry
        ).to_dict()
