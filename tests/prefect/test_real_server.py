"""A real `prefect server start` with its scheduler, and `scouter-flows serve` against it.

`prefect_test_harness()` runs no scheduler services, so only a real server shows whether a
served profile's cron turns into runs, and what a run created without parameters (a scheduled
tick, the UI's Quick run, `prefect deployment run`) receives as its scheduled time.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from scouter_flows import Drifter, PsiAlertConfig, PsiDriftConfig, Store
from scouter_flows.sources.sample import generate_sample_data
from tests.real_prefect import (
    BIN,
    TIMEOUT,
    deployment,
    flow_runs,
    post,
    prefect_server,
    serving,
    wait_for,
)

pytestmark = pytest.mark.real_server
DEPLOYMENT = "drift-monitor/credit-minutely-1.0"
QUIET = "drift-monitor/credit-quiet-1.0"


@dataclass(frozen=True)
class Served:
    api: str
    store_url: str
    env: dict[str, str]
    server_log: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("real-prefect")
    # `minutely` has logs up to the end of today; `quiet` stopped receiving any a week ago.
    store_url = f"sqlite:///{root / 'store.db'}"
    for name, start in (
        ("minutely", datetime.now(UTC) - timedelta(days=1)),
        ("quiet", datetime.now(UTC) - timedelta(days=9)),
    ):
        data = generate_sample_data(
            root / name, start=start, days=2, rows_per_day=200_000, drift_last_day=False
        )
        config = PsiDriftConfig(
            space="credit",
            name=name,
            version="1.0",
            alert_config=PsiAlertConfig(schedule="* * * * *"),
        )
        with Store(store_url, auto_upgrade=True) as store:
            store.register_profile(Drifter().create_drift_profile(data.baseline, config))
    source = str(root / "{name}" / "logs" / "*" / "*.parquet")
    with (
        prefect_server(root) as server,
        serving(server, root / "serve.log", "--source", source, "--url", store_url) as process,
    ):
        for name in (DEPLOYMENT, QUIET):
            found = partial(deployment, server.api, name)
            wait_for(f"the deployment {name}", found, 120, process)
        yield Served(server.api, store_url, server.env, server.log)


def _flow_run(api: str, run_id: str) -> dict[str, Any]:
    response = httpx.get(f"{api}/flow_runs/{run_id}", timeout=TIMEOUT)
    response.raise_for_status()
    return dict(response.json())


def _finished(api: str, run_id: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = _flow_run(api, run_id)
        if run["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        time.sleep(1)
    raise AssertionError(f"flow run {run_id} did not finish within {timeout} s")


def _stored_run(store_url: str, run: dict[str, Any], name: str = "minutely") -> dict[str, Any]:
    """The stored run of profile `name` for the minute that ended at the run's scheduled time."""
    expected = datetime.fromisoformat(run["expected_start_time"]).astimezone(UTC)
    tick = expected.replace(second=0, microsecond=0)
    with Store(store_url) as store:
        runs = store.runs(name=name)
    stored = [r for r in runs.iter_rows(named=True) if r["window_end"] == tick]
    assert stored, f"no stored run of {name} ends at {tick} (stored: {runs['window_end']})"
    return stored[0]


def test_runs_without_window_parameters_complete_on_a_real_server(served: Served) -> None:
    found = deployment(served.api, DEPLOYMENT)
    assert found is not None
    # The UI's Quick run: a flow run of the deployment with no parameters of its own.
    quick = post(f"{served.api}/deployments/{found['id']}/create_flow_run", {})
    # `prefect deployment run` without -p.
    cli = subprocess.run(
        [str(BIN / "prefect"), "deployment", "run", DEPLOYMENT],
        env=served.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    match = re.search(r"UUID:\s*([0-9a-f-]{36})", cli.stdout)
    assert match, cli.stdout
    for run_id in (quick.json()["id"], match.group(1)):
        run = _finished(served.api, run_id)
        assert run["state_type"] == "COMPLETED", run["state"]
        _stored_run(served.store_url, run)
    artifacts = httpx.post(
        f"{served.api}/artifacts/filter",
        json={"artifacts": {"flow_run_id": {"any_": [quick.json()["id"]]}}},
        timeout=TIMEOUT,
    ).json()
    assert {a["type"] for a in artifacts} == {"table", "markdown"}
    assert any("psi" in (a.get("key") or "") or "drift" in (a.get("key") or "") for a in artifacts)


def test_the_scheduler_creates_runs_from_the_profiles_cron_and_they_complete(
    served: Served,
) -> None:
    found = deployment(served.api, DEPLOYMENT)
    assert found is not None
    served_id = found["id"]

    deadline = time.monotonic() + 240
    run = None
    while run is None and time.monotonic() < deadline:
        done = [r for r in flow_runs(served.api, served_id, "COMPLETED") if r["auto_scheduled"]]
        run = done[0] if done else None
        time.sleep(2)
    log = served.server_log.read_text(errors="replace")
    assert "Can't evaluate bulk DML statement" not in log
    assert run is not None, "no scheduled run completed within 240 s"
    _stored_run(served.store_url, run)


def test_a_profile_whose_data_stopped_completes_its_runs_as_no_data(served: Served) -> None:
    found = deployment(served.api, QUIET)
    assert found is not None
    quick = post(f"{served.api}/deployments/{found['id']}/create_flow_run", {})
    run = _finished(served.api, quick.json()["id"])
    assert run["state_type"] == "COMPLETED", run["state"]
    stored = _stored_run(served.store_url, run, "quiet")
    assert (stored["status"], stored["rows_observed"]) == ("no_data", 0)


def test_a_custom_run_through_the_rest_api_takes_its_parameters_and_publishes_artifacts(
    served: Served,
) -> None:
    """The UI's "Custom run": parameters sent as JSON strings; the run uses exactly that window,
    stores it, and its artifacts are read back through the API."""
    found = deployment(served.api, DEPLOYMENT)
    assert found is not None
    start = (datetime.now(UTC) - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(minutes=90)
    parameters = {"window_start": start.isoformat(), "window_end": end.isoformat()}
    created = post(
        f"{served.api}/deployments/{found['id']}/create_flow_run", {"parameters": parameters}
    ).json()
    run = _finished(served.api, created["id"])
    assert run["state_type"] == "COMPLETED", run["state"]
    # The deployment's own parameters (profile, source, store) with the custom ones over them.
    assert run["parameters"] | parameters == run["parameters"]
    assert run["parameters"]["profile"] == "credit/minutely/1.0"

    with Store(served.store_url) as store:
        runs = store.runs(name="minutely")
    rows = runs.iter_rows(named=True)
    stored = [r for r in rows if (r["window_start"], r["window_end"]) == (start, end)]
    assert len(stored) == 1, runs.select("window_start", "window_end")
    assert stored[0]["rows_observed"] > 0

    artifacts = httpx.post(
        f"{served.api}/artifacts/filter",
        json={"artifacts": {"flow_run_id": {"any_": [created["id"]]}}},
        timeout=TIMEOUT,
    ).json()
    by_type: dict[str, list[dict[str, Any]]] = {}
    for artifact in artifacts:
        by_type.setdefault(artifact["type"], []).append(artifact)
    (table,) = by_type["table"]
    table_rows = table["data"] if isinstance(table["data"], list) else json.loads(table["data"])
    assert {row["feature"] for row in table_rows} >= {"age", "income"}, table_rows
    summaries = [a["data"] for a in by_type["markdown"] if a["key"].endswith("-summary")]
    assert len(summaries) == 1
    assert f"run {stored[0]['run_id']}" in summaries[0]
    assert f"[{start.isoformat()}, {end.isoformat()})" in summaries[0], summaries[0]
