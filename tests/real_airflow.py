"""Airflow's own components in subprocesses on 127.0.0.1, as `airflow standalone` runs them.

Airflow 3 runs an api-server, a scheduler (LocalExecutor) and a dag-processor; Airflow 2.11 a
webserver and a scheduler (SequentialExecutor, which parses the DAG folder itself). The
metadata database is a SQLite file in the caller's temp dir, every component has its own log
file, and all are stopped (SIGTERM, then SIGKILL) however the caller ends.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.real_prefect import BIN, free_port, stop, wait_for

try:
    from airflow.providers.common.compat.version_compat import AIRFLOW_V_3_0_PLUS
except ImportError:  # a common-compat provider without the module
    from airflow import __version__ as _version

    AIRFLOW_V_3_0_PLUS = int(_version.split(".")[0]) >= 3


@dataclass(frozen=True)
class RealAirflow:
    """The running components: the public REST API's base URL and the logs folder."""

    api: str
    logs: Path
    task_logs: Path

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call the REST API as the UI does, raising on an error answer."""
        response = httpx.request(method, f"{self.api}{path}", json=body, timeout=60)
        if response.is_error:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    def log_tail(self, chars: int = 3_000) -> str:
        """The end of every component's log, for a failure message."""
        logs = [*sorted(self.logs.glob("*.log")), *sorted(self.task_logs.rglob("*.log"))]
        return "\n".join(
            f"--- {log.relative_to(log.parents[1])}\n{log.read_text(errors='replace')[-chars:]}"
            for log in logs
        )


def _environment(home: Path, port: int, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            # Executors start `airflow tasks run` from PATH, as in an activated environment.
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "task-logs"),
            # One secret for every component, so each trusts the tokens the others sign.
            "AIRFLOW__API_AUTH__JWT_SECRET": "real-airflow-test-secret",
            "AIRFLOW__API__SECRET_KEY": "real-airflow-test-secret",
            "AIRFLOW__WEBSERVER__SECRET_KEY": "real-airflow-test-secret",
        }
    )
    if AIRFLOW_V_3_0_PLUS:
        env.update(
            {
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
                "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
                # The simple auth manager's "all admins" mode: the API needs no login here.
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
                "AIRFLOW__API__WORKERS": "1",
            }
        )
    else:
        env.update(
            {
                "AIRFLOW__CORE__EXECUTOR": "SequentialExecutor",
                "AIRFLOW__API__AUTH_BACKENDS": "airflow.api.auth.backend.default",
                "AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL": "5",
                "AIRFLOW__WEBSERVER__WORKERS": "1",
            }
        )
    env.update(extra)
    return env


def _components(port: int) -> dict[str, list[str]]:
    airflow = str(BIN / "airflow")
    if AIRFLOW_V_3_0_PLUS:
        return {
            "api-server": [airflow, "api-server", "--host", "127.0.0.1", "--port", str(port)],
            "scheduler": [airflow, "scheduler"],
            "dag-processor": [airflow, "dag-processor"],
        }
    return {
        "webserver": [airflow, "webserver", "--hostname", "127.0.0.1", "--port", str(port)],
        "scheduler": [airflow, "scheduler"],
    }


@contextmanager
def real_airflow(root: Path, dags: Path, env: dict[str, str]) -> Iterator[RealAirflow]:
    """Migrate a fresh metadata database under `root`, start the components with `dags` as
    the DAG folder and `env` added to their environment, and wait until the API answers."""
    home = root / "airflow-home"
    logs = root / "airflow-logs"
    logs.mkdir(parents=True)
    port = free_port()
    environment = _environment(home, port, {"AIRFLOW__CORE__DAGS_FOLDER": str(dags), **env})
    if not AIRFLOW_V_3_0_PLUS:
        # Airflow 2's webserver (Flask AppBuilder) lets an anonymous caller act as Admin only
        # when its own config file says so; the API's `default` backend then needs no login.
        home.mkdir(parents=True)
        (home / "webserver_config.py").write_text('AUTH_ROLE_PUBLIC = "Admin"\n')
    migrate = subprocess.run(
        [str(BIN / "airflow"), "db", "migrate"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert migrate.returncode == 0, migrate.stdout[-3000:] + migrate.stderr[-3000:]
    api = (
        f"http://127.0.0.1:{port}/api/v2"
        if AIRFLOW_V_3_0_PLUS
        else f"http://127.0.0.1:{port}/api/v1"
    )
    with ExitStack() as stack:
        processes = {}
        for name, command in _components(port).items():
            out = stack.enter_context((logs / f"{name}.log").open("wb"))
            process = subprocess.Popen(
                command,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            stack.callback(stop, process)
            processes[name] = process
        server = RealAirflow(api, logs, home / "task-logs")
        front = processes["api-server" if AIRFLOW_V_3_0_PLUS else "webserver"]
        try:
            wait_for("the Airflow API", lambda: _answers(api), 300, front)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{server.log_tail()}") from None
        yield server


def _answers(api: str) -> bool:
    return httpx.get(f"{api}/dags", timeout=10).status_code == 200


def wait_for_dag(server: RealAirflow, dag_id: str, timeout: float = 300) -> dict[str, Any]:
    """The DAG once the DAG processor has parsed it into the metadata database."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = httpx.get(f"{server.api}/dags/{dag_id}", timeout=60)
        if response.status_code == 200:
            return dict(response.json())
        time.sleep(2)
    raise AssertionError(f"DAG {dag_id} was not parsed within {timeout} s\n{server.log_tail()}")


FINISHED = {"success", "failed"}


def wait_for_run(server: RealAirflow, dag_id: str, run_id: str, timeout: float = 420) -> Any:
    """The DAG run once it has finished (success or failed)."""
    deadline = time.monotonic() + timeout
    path = f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}"
    while time.monotonic() < deadline:
        run = server.request("GET", path)
        if run["state"] in FINISHED:
            return run
        time.sleep(2)
    message = f"{dag_id} {run_id} did not finish within {timeout} s"
    raise AssertionError(f"{message}\n{server.log_tail()}")
