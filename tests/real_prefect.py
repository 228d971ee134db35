"""A real `prefect server start` and `scouter-flows serve` in subprocesses, on 127.0.0.1.

Used by the real-server tests and by `benchmarks/soak.py`. Both processes run in their own
session and are stopped (SIGTERM, then SIGKILL) however the caller ends.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent
# A real server on a busy 2-core machine (its scheduler writing runs to SQLite) can take more
# than httpx's default 5 s to answer.
TIMEOUT = 60


@dataclass(frozen=True)
class PrefectServer:
    """A running server: its API URL, the environment a client needs, and its log file."""

    api: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop `process` and its children."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def wait_for(what: str, probe: Any, timeout: float, process: subprocess.Popen[bytes]) -> Any:
    """Poll `probe()` each second until it returns something truthy; fail if `process` exits."""
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


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}


@contextmanager
def prefect_server(root: Path) -> Iterator[PrefectServer]:
    """`prefect server start` (with its scheduler services) with its own home under `root`."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    server_env = {
        **_clean_env(),
        "PREFECT_HOME": str(root / "server-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    log = root / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=server_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    env = {
        **_clean_env(),
        "PREFECT_HOME": str(root / "client-home"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    try:
        wait_for("server health", lambda: httpx.get(f"{api}/health").json() is True, 180, process)
        yield PrefectServer(api, env, log, process)
    finally:
        stop(process)


@contextmanager
def serving(
    server: PrefectServer, log: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`scouter-flows serve *args` against `server`, logging to `log`."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "scouter-flows"), "serve", *args],
            env={**server.env, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        stop(process)


def deployment(api: str, name: str) -> dict[str, Any] | None:
    """The deployment `flow/name`, or None while it is not registered."""
    response = httpx.get(f"{api}/deployments/name/{name}", timeout=TIMEOUT)
    return response.json() if response.status_code == 200 else None


def flow_runs(api: str, deployment_id: str, *states: str) -> list[dict[str, Any]]:
    """Flow runs of a deployment in `states` (the scheduler also creates future ticks' runs)."""
    body: dict[str, Any] = {"deployments": {"id": {"any_": [deployment_id]}}, "limit": 200}
    if states:
        body["flow_runs"] = {"state": {"type": {"any_": list(states)}}}
    response = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=TIMEOUT)
    response.raise_for_status()
    return list(response.json())


def post(url: str, body: dict[str, Any], attempts: int = 6) -> httpx.Response:
    """POST `body`, retrying while the server answers 503: it does so when its SQLite database
    is busy (the scheduler writes a minutely deployment's runs at the same time), and Prefect's
    own client retries these as well."""
    for attempt in range(attempts):
        response = httpx.post(url, json=body, timeout=TIMEOUT)
        if response.status_code != 503 or attempt == attempts - 1:
            break
        time.sleep(0.5 * 2**attempt)
    response.raise_for_status()
    return response
