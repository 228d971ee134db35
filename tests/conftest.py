"""Shared fixtures: a real Postgres per session, stores on SQLite and Postgres, sample data.

Orchestrator settings must be in the environment before the first `import airflow` or
`import prefect`, so they are set here, at import time.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="scouter-flows-tests-"))
REPO = Path(__file__).resolve().parent.parent
os.environ.update(
    {
        "AIRFLOW_HOME": str(_SESSION_HOME / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "PREFECT_HOME": str(_SESSION_HOME / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
)
os.environ.pop("SCOUTER_DATABASE_URL", None)

import polars as pl  # noqa: E402
import psycopg  # noqa: E402

from scouter_flows.sources.sample import SampleData, generate_sample_data  # noqa: E402
from scouter_flows.sqla import POSTGRES_DRIVER, make_url  # noqa: E402
from tests.support import RESET_POSTGRES, run_sql  # noqa: E402


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _ThrowawayCluster:
    """A Postgres cluster in a temp dir from Debian's binaries, for machines with no server."""

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not bins:
            raise RuntimeError("no Postgres binaries under /usr/lib/postgresql/*/bin")
        self.bin = bins[-1].parent
        self.root = Path(tempfile.mkdtemp(prefix="scouter-flows-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.prefix:
            shutil.chown(self.root, "postgres")
            self.root.chmod(0o700)

    def start(self) -> str:
        subprocess.run(
            [
                *self.prefix,
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [
                *self.prefix,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.root / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(
            [
                *self.prefix,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty Postgres database for this session (never a silent skip).

    Order: $SCOUTER_TEST_PG_URL; else a new database on 127.0.0.1:5432; else a throwaway
    cluster started from the Debian binaries; else fail saying how to provide one.
    """
    explicit = os.environ.get("SCOUTER_TEST_PG_URL")
    if explicit:
        yield explicit
        return
    cluster: _ThrowawayCluster | None = None
    if _answers("127.0.0.1", 5432) and not os.environ.get("SCOUTER_TEST_PG_THROWAWAY"):
        admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    else:
        try:
            cluster = _ThrowawayCluster()
            admin = cluster.start()
        except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
            pytest.fail(
                "these tests need a real Postgres: set SCOUTER_TEST_PG_URL, start a server on "
                "127.0.0.1:5432 with trust auth for user postgres, or install the postgresql "
                f"package so a throwaway cluster can be started ({exc})"
            )
    name = f"scouter_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield str(make_url(admin).set(database=name, drivername=f"postgresql+{POSTGRES_DRIVER}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if cluster is not None:
            cluster.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store database: a SQLite file, then the session's Postgres, reset per test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_url")
    run_sql(url, RESET_POSTGRES)
    return url


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory: pytest.TempPathFactory) -> SampleData:
    """Baseline plus three days of logs; the last day has shifted features."""
    return generate_sample_data(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="session")
def clean_logs(sample_data: SampleData, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Logs for the sample's first day whose rows are the baseline rows themselves (PSI 0)."""
    start, end = sample_data.day_window(0)
    baseline = pl.read_parquet(sample_data.baseline)
    step = (end - start) / baseline.height
    logs = baseline.with_columns(
        timestamp=pl.datetime_range(
            start, start + step * (baseline.height - 1), step, time_zone="UTC", eager=True
        )
    )
    path = tmp_path_factory.mktemp("clean") / "logs.parquet"
    logs.write_parquet(path)
    return str(path)
