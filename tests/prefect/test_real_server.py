"""A real `prefect server start` with its scheduler, and `scouter-flows serve` against it.

`prefect_test_harness()` runs no scheduler services, so only a real server shows whether a
served profile's cron turns into runs, and what a run created without parameters (a scheduled
tick, the UI's Quick run, `prefect deployment run`) receives as its scheduled time.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from scouter_flows import Drifter, PsiAlertConfig, PsiDriftConfig, Store
from scouter_flows.sources.sample import generate_sample_data

pytestmark = pytest.mark.real_server
DEPLOYMENT = "drift-monitor/credit-minutely-1.0"
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Served:
    api: str
    store_url: str
    env: dict[str, str]
    server_log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _wait(what: str, probe: Any, timeout: float, process: subprocess.Popen[bytes]) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{what}: the process exited with {process.returncode}"
        try:
            found = probe()
        except httpx.HTTPError:
            found = None
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"{what}: not within {timeout} s")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("real-prefect")
    data = generate_sample_data(
        root / "data",
        start=datetime.now(UTC) - timedelta(days=1),
        days=2,
        rows_per_day=200_000,
        drift_last_day=False,
    )
    store_url = f"sqlite:///{root / 'store.db'}"
    config = PsiDriftConfig(
        space="credit",
        name="minutely",
        version="1.0",
        alert_config=PsiAlertConfig(schedule="* * * * *"),
    )
    with Store(store_url, auto_upgrade=True) as store:
        store.register_profile(Drifter().create_drift_profile(data.baseline, config))
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    server_env = {
        **base,
        "PREFECT_HOME": str(root / "server-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    server_log = root / "server.log"
    with server_log.open("wb") as log:
        server = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    env = {
        **base,
        "PREFECT_HOME": str(root / "client-home"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    serving: subprocess.Popen[bytes] | None = None
    try:
        _wait("server health", lambda: httpx.get(f"{api}/health").json() is True, 180, server)
        with (root / "serve.log").open("wb") as log:
            serving = subprocess.Popen(
                [
                    str(BIN / "scouter-flows"),
                    *("serve", "--source", data.logs_glob, "--url", store_url),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait("the served deployment", lambda: _deployment(api), 120, serving)
        yield Served(api, store_url, env, server_log)
    finally:
        if serving is not None:
            _stop(serving)
        _stop(server)


def _deployment(api: str) -> dict[str, Any] | None:
    response = httpx.get(f"{api}/deployments/name/{DEPLOYMENT}")
    return response.json() if response.status_code == 200 else None


def _flow_run(api: str, run_id: str) -> dict[str, Any]:
    response = httpx.get(f"{api}/flow_runs/{run_id}")
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


def _stored_window_end(store_url: str, run: dict[str, Any]) -> datetime:
    """The run's window must be the minute that ended at its scheduled time."""
    expected = datetime.fromisoformat(run["expected_start_time"]).astimezone(UTC)
    tick = expected.replace(second=0, microsecond=0)
    with Store(store_url) as store:
        ends = store.runs()["window_end"].to_list()
    assert tick in ends, f"no stored run ends at {tick} (stored: {ends})"
    return tick


def test_runs_without_window_parameters_complete_on_a_real_server(served: Served) -> None:
    deployment = _deployment(served.api)
    assert deployment is not None
    # The UI's Quick run: a flow run of the deployment with no parameters of its own.
    quick = httpx.post(f"{served.api}/deployments/{deployment['id']}/create_flow_run", json={})
    quick.raise_for_status()
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
        _stored_window_end(served.store_url, run)
    artifacts = httpx.post(
        f"{served.api}/artifacts/filter",
        json={"artifacts": {"flow_run_id": {"any_": [quick.json()["id"]]}}},
    ).json()
    assert {a["type"] for a in artifacts} == {"table", "markdown"}
    assert any("psi" in (a.get("key") or "") or "drift" in (a.get("key") or "") for a in artifacts)


def test_the_scheduler_creates_runs_from_the_profiles_cron_and_they_complete(
    served: Served,
) -> None:
    deployment = _deployment(served.api)
    assert deployment is not None

    def scheduled_and_done() -> dict[str, Any] | None:
        runs = httpx.post(
            f"{served.api}/flow_runs/filter",
            json={
                "deployments": {"id": {"any_": [deployment["id"]]}},
                # the scheduler also creates the coming ticks' runs ahead of time
                "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}},
                "limit": 50,
            },
        ).json()
        done = [r for r in runs if r["auto_scheduled"]]
        return done[0] if done else None

    deadline = time.monotonic() + 240
    run = None
    while run is None and time.monotonic() < deadline:
        run = scheduled_and_done()
        time.sleep(2)
    log = served.server_log.read_text(errors="replace")
    assert "Can't evaluate bulk DML statement" not in log
    assert run is not None, "no scheduled run completed within 240 s"
    _stored_window_end(served.store_url, run)
