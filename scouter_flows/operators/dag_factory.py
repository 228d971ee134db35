"""Scheduled monitors from profiles: one DAG per registered profile, on its alert schedule.

`build_monitor_dag` turns one profile (its key, type and cron) into a DAG; `build_monitor_dags`
builds one per active profile in the store, reading the store at most once per `ttl_seconds`
(the list is cached in a JSON file) and never failing a parse: when the store is unreachable
the last cached list is used, or no DAG is built, and a warning is logged.

Parsing imports neither Polars nor the store unless the cache must be refreshed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pendulum
from airflow.timetables.interval import CronDataIntervalTimetable

from scouter_flows.operators.assets import DriftEventOperator
from scouter_flows.operators.compat import DAG, Param
from scouter_flows.operators.dag_parts import dispatch_on_alerts, window_params
from scouter_flows.operators.drift import DriftMonitorOperator, GenAIEvalOperator
from scouter_flows.profiles.monitors import MonitorSpec, Sources

log = logging.getLogger(__name__)

DEFAULT_START = pendulum.datetime(2026, 1, 1, tz="UTC")
_CACHE_ENV = "SCOUTER_MONITOR_CACHE"


def build_monitor_dag(
    monitor: MonitorSpec | Mapping[str, str],
    *,
    source_path: str,
    timestamp_column: str | None = None,
    dag_id: str | None = None,
    store_url: str | None = None,
    store_conn_id: str | None = None,
    slack_conn_id: str | None = None,
    opsgenie_conn_id: str | None = None,
    start_date: datetime | None = None,
    tags: Sequence[str] = (),
    default_args: dict[str, Any] | None = None,
) -> DAG:
    """A DAG that monitors one profile on its schedule.

    Each run monitors its data interval (the window between two ticks of the profile's cron),
    branches into alert dispatch only when the run left pending alerts and, for drift
    profiles, emits an event on the profile's Asset when drift was found. "Trigger DAG w/
    config" shows a form with the profile, the window and a dry-run switch.

    Args:
        monitor: The profile and its schedule (a `MonitorSpec` or a dict of its fields).
        source_path: The logs (or, for a `genai` profile, the eval records): file or glob.
        timestamp_column: Default `timestamp` for logs, `created_at` for eval records.
        dag_id: Default `MonitorSpec.dag_id`.
        store_url: The store's SQLAlchemy URL; default `$SCOUTER_DATABASE_URL`.
        store_conn_id: Or an Airflow connection naming the store (read when a task runs).
        slack_conn_id: A `slack` or `slackwebhook` connection for Slack destinations.
        opsgenie_conn_id: An `opsgenie` connection for OpsGenie destinations.
        start_date: First data interval start; default 2026-01-01 UTC (no catch-up).
        tags: Extra DAG tags.
        default_args: Passed to the DAG (retries, owner, ...).
    """
    from scouter_flows.profiles.alerting import normalise_cron

    spec = monitor if isinstance(monitor, MonitorSpec) else MonitorSpec(**monitor)
    genai = spec.drift_type == "genai"
    store = {"store_url": store_url, "store_conn_id": store_conn_id}
    dag = DAG(
        dag_id=dag_id or spec.dag_id,
        schedule=CronDataIntervalTimetable(normalise_cron(spec.schedule), timezone="UTC"),
        start_date=start_date or DEFAULT_START,
        catchup=False,
        tags=["scouter-flows", spec.drift_type, *tags],
        default_args=default_args or {},
        doc_md=(
            f"Monitors `{spec.key}` ({spec.drift_type}) every `{spec.schedule}` (UTC) over "
            f"`{source_path}`; built from the profile by `build_monitor_dag`. Trigger with "
            "config to monitor another window, or to dry-run (nothing stored, no alert)."
        ),
        params=monitor_params(spec.key),
    )
    with dag:
        operator = GenAIEvalOperator if genai else DriftMonitorOperator
        monitor_task = operator(
            task_id="monitor",
            profile="{{ params.profile }}",
            source_path=source_path,
            timestamp_column=timestamp_column,
            window_start="{{ params.window_start or '' }}",
            window_end="{{ params.window_end or '' }}",
            preview="{{ params.dry_run }}",
            **({} if genai else {"drift_type": spec.drift_type}),
            **store,
        )
        dispatch_on_alerts(
            monitor_task,
            eval_run=genai,
            slack_conn_id=slack_conn_id,
            opsgenie_conn_id=opsgenie_conn_id,
            **store,
        )
        if not genai:
            DriftEventOperator(
                task_id="drift_event", profile_key=spec.key, summary=monitor_task.output
            )
    return dag


def monitor_params(profile: str) -> dict[str, Param]:
    """The form of "Trigger DAG w/ config": profile, window start and end, dry run."""
    return {
        "profile": Param(
            profile, type="string", description="Profile JSON path or stored space/name/version."
        ),
        **window_params(),
    }


def build_monitor_dags(
    *,
    sources: Sources,
    store_url: str | None = None,
    cache_path: str | Path | None = None,
    ttl_seconds: float = 300.0,
    **dag_kwargs: Any,
) -> dict[str, DAG]:
    """One monitor DAG per active profile of the store, keyed by DAG id (put them in the DAG
    file's globals).

    Args:
        sources: Where each profile's rows are: a template with `{space}`, `{name}`,
            `{version}` and `{drift_type}`, a mapping from `space/name/version` to a path
            (profiles missing from it get no DAG), or a function of the `MonitorSpec`.
        store_url: The store to list and write to. Default: the `store_conn_id` connection
            (in `dag_kwargs`), else the `scouter_default` connection, else
            `$SCOUTER_DATABASE_URL` (each task resolves the store the same way when it runs,
            so no URL is written into the DAG).
        cache_path: The cached list; default `$SCOUTER_MONITOR_CACHE`, else a file per store
            in the temporary directory.
        ttl_seconds: How long the cached list is used before the store is read again.
        dag_kwargs: Passed to `build_monitor_dag` (connections, start date, tags, ...).
    """
    url = _listing_url(store_url, dag_kwargs.get("store_conn_id"))
    dags: dict[str, DAG] = {}
    for spec in active_monitors(url, cache_path=cache_path, ttl_seconds=ttl_seconds):
        path = spec.source(sources)
        if not path:
            continue
        try:
            dag = build_monitor_dag(spec, source_path=path, store_url=store_url, **dag_kwargs)
        except ValueError as exc:  # a profile whose schedule is not a cron: skip it, say why
            log.warning("No monitor DAG for %s: %s", spec.key, exc)
            continue
        dags[dag.dag_id] = dag
    return dags


def active_monitors(
    store_url: str | None, *, cache_path: str | Path | None = None, ttl_seconds: float = 300.0
) -> list[MonitorSpec]:
    """The active profiles and their schedules, from a cache younger than `ttl_seconds`, else
    from the store (then cached). Never raises: when the store cannot be read, the cached list
    (however old) is used, or none, and a warning is logged."""
    cache = Path(cache_path or os.environ.get(_CACHE_ENV) or _default_cache(store_url))
    cached = _read_cache(cache)
    if cached is not None and time.time() - cached[0] < ttl_seconds:
        return cached[1]
    try:
        from scouter_flows.store.store import Store
        from scouter_flows.store.url import resolve_url

        url = resolve_url(_quick(store_url))
        if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
            raise FileNotFoundError(f"no SQLite store at {url.database}")
        # Never migrate (or create) a store while parsing, and give up on a silent host soon.
        with Store(url, auto_upgrade=False) as store:
            listed = [MonitorSpec(**row) for row in store.monitors()]
    except Exception as exc:  # a parse must never fail because the store is down
        log.warning(
            "Could not list the profiles of the scouter store (%s); using %s",
            str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
            f"the list cached at {cache}" if cached else "no profile",
        )
        return cached[1] if cached else []
    _write_cache(cache, listed)
    return listed


def _listing_url(store_url: str | None, store_conn_id: str | None) -> str | None:
    """The store to list profiles from, resolved as the tasks will resolve it (None: the
    embedded file, said in a warning); a connection that cannot be read is a warning too."""
    from scouter_flows.operators.hooks import resolve_store

    try:
        choice = resolve_store(store_url, store_conn_id)
    except Exception as exc:  # a parse must never fail because of a connection
        log.warning("Could not resolve the scouter store: %s", exc)
        return store_url
    if choice.embedded:
        log.warning("Listing profiles: %s", choice.warning())
        return None
    return choice.url


def _quick(store_url: str | None) -> str | None:
    """`store_url` with a 5 s connect timeout when it is a Postgres URL that sets none."""
    if not store_url or not store_url.startswith("postgres"):
        return store_url
    from scouter_flows.sqla import make_url

    url = make_url(store_url)
    if "connect_timeout" in url.query:
        return store_url
    return url.update_query_dict({"connect_timeout": "5"}).render_as_string(hide_password=False)


def _default_cache(store_url: str | None) -> Path:
    digest = hashlib.sha256((store_url or "default").encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"scouter-monitors-{digest}.json"


def _read_cache(path: Path) -> tuple[float, list[MonitorSpec]] | None:
    try:
        data = json.loads(path.read_text())
        return float(data["fetched_at"]), [MonitorSpec(**m) for m in data["monitors"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(path: Path, monitors: list[MonitorSpec]) -> None:
    body = json.dumps({"fetched_at": time.time(), "monitors": [asdict(m) for m in monitors]})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(body)
        partial.replace(path)  # readers see the old list or the new one, never half of one
    except OSError as exc:
        log.warning("Could not cache the monitor list at %s: %s", path, exc)
