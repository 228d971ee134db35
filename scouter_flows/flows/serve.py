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
from typing import Any

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from scouter_flows.flows.drift import drift_monitor_flow
from scouter_flows.flows.evaluate import genai_eval_flow
from scouter_flows.profiles.alerting import normalise_cron
from scouter_flows.profiles.monitors import MonitorSpec, Sources
from scouter_flows.store.store import Store

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
        store_url: The store to list profiles from and write runs to (in the parameters).
        store_block: Or a saved `ScouterStore` block (the runs read it, the URL stays secret).
        slack_block: A saved `ScouterSlack` block for Slack destinations.
        opsgenie_block: A saved `ScouterOpsGenie` block for OpsGenie destinations.
        paused: Create the schedules paused (start them from the UI).
    """
    url = store_url
    if store_block:
        from scouter_flows.flows.drift import block_store_url

        url = block_store_url(store_block, None)
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
            ("store_url", None if store_block else store_url),
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
    subprocesses as their schedules fire or as they are started by hand)."""
    deployments = monitor_deployments(**kwargs)
    if not deployments:
        raise SystemExit("no active profile in the store has a source: nothing to serve")
    serve(*deployments)
