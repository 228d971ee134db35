"""One Prefect deployment per active profile, on the profile's cron, served from one process.

    scouter-flows serve --source '/data/{space}/{name}/*.parquet' --records '/evals/{name}/*.ndjson'

A drift profile's deployment runs `drift_monitor_flow`, a GenAI eval profile's runs
`genai_eval_flow`; each window is the period between the two ticks of the profile's cron that
end at the run's scheduled time (any cron: hourly, weekdays only, monthly). Start a run by hand
from the deployment's page ("Run" > "Custom run", which shows the flow's parameter form) or with
`prefect deployment run 'drift-monitor/credit-scorer-1.0' -p window_start=... -p window_end=...`.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from scouter_flows.errors import ConfigError
from scouter_flows.flows.drift import drift_monitor_flow
from scouter_flows.flows.evaluate import genai_eval_flow
from scouter_flows.profiles.alerting import normalise_cron
from scouter_flows.profiles.monitors import MonitorSpec, Sources
from scouter_flows.store.store import Store
from scouter_flows.store.url import ENV_VAR, has_password

log = logging.getLogger(__name__)


def deployment_name(spec: MonitorSpec, *, shared: bool = False) -> str:
    """`space-name-version`, the deployment's name under its flow; `-<drift_type>` is added
    when the key is `shared` by drift profiles of several types."""
    name = f"{spec.space}-{spec.name}-{spec.version}"
    return f"{name}-{spec.drift_type}" if shared else name


def monitor_deployments(
    *,
    sources: Sources,
    records: Sources | None = None,
    store_url: str | None = None,
    store_block: str | None = None,
    slack_block: str | None = None,
    opsgenie_block: str | None = None,
    paused: bool = False,
) -> list[RunnerDeployment]:
    """A deployment per active profile of the store, scheduled on the profile's cron.

    Args:
        sources: Where each drift profile's logs are (template, mapping or function).
        records: Where each GenAI eval profile's records are; default `sources`.
        store_url: The store to list profiles from and write runs to. A URL without a
            password goes into the deployments' parameters; one with a password never does:
            the runs read it from `$SCOUTER_DATABASE_URL`, which must then hold it (as
            `serve_monitors` arranges).
        store_block: Or a saved `ScouterStore` block (the runs read it, the URL stays secret).
        slack_block: A saved `ScouterSlack` block for Slack destinations.
        opsgenie_block: A saved `ScouterOpsGenie` block for OpsGenie destinations.
        paused: Create the schedules paused (start them from the UI).
    """
    url = store_url
    secret = has_password(store_url) and not store_block
    if secret and os.environ.get(ENV_VAR) != store_url:
        raise ConfigError(
            "store_url holds a password, which deployment parameters would show in clear: save "
            "it in a ScouterStore block and pass store_block, or set $SCOUTER_DATABASE_URL to it "
            "in the serving process"
        )
    if store_block:
        from scouter_flows.flows.store_choice import resolve_flow_store

        url = resolve_flow_store(store_block, None).url
    with Store(url) as store:
        monitors = [MonitorSpec(**row) for row in store.monitors()]
    keys = [m.key for m in monitors if m.drift_type != "genai"]
    deployments = []
    for spec in monitors:
        genai = spec.drift_type == "genai"
        path = spec.source(records if genai and records is not None else sources)
        if not path:
            log.warning("No source for %s: no deployment", spec.key)
            continue
        parameters: dict[str, Any] = {
            "profile": spec.key,
            "source_path": path,
            "schedule": spec.schedule,
        }
        if not genai:
            parameters["drift_type"] = spec.drift_type
        for name, value in (
            ("store_url", None if store_block or secret else store_url),
            ("store_block", store_block),
            ("slack_block", slack_block),
            ("opsgenie_block", opsgenie_block),
        ):
            if value:
                parameters[name] = value
        flow = genai_eval_flow if genai else drift_monitor_flow
        deployment = flow.to_deployment(
            name=deployment_name(spec, shared=keys.count(spec.key) > 1 and not genai),
            schedule=Cron(normalise_cron(spec.schedule), timezone="UTC", active=not paused),
            parameters=parameters,
            tags=["scouter-flows", spec.drift_type, spec.space],
            description=f"Monitors {spec.key} ({spec.drift_type}) every {spec.schedule} UTC.",
        )
        assert isinstance(deployment, RunnerDeployment)  # called outside an event loop
        deployments.append(deployment)
    return deployments


def serve_monitors(**kwargs: Any) -> None:
    """Serve `monitor_deployments(**kwargs)` until interrupted (runs execute in this process's
    subprocesses as their schedules fire or as they are started by hand). A `store_url` with
    a password reaches the runs through this process's `$SCOUTER_DATABASE_URL`, never through
    their parameters."""
    url = kwargs.get("store_url")
    if url and has_password(url) and not kwargs.get("store_block"):
        os.environ[ENV_VAR] = url  # the runs are this process's children: they inherit it
    deployments = monitor_deployments(**kwargs)
    if not deployments:
        raise SystemExit("no active profile in the store has a source: nothing to serve")
    serve(*deployments)
