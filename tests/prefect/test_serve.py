"""`scouter-flows serve`: a deployment per profile, served against the local Prefect server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_URL

from scouter_flows import CommonCrons, Drifter, PsiAlertConfig, PsiDriftConfig, Store
from scouter_flows.flows.serve import monitor_deployments
from scouter_flows.sources.sample import SampleData

NAME = "drift-monitor/credit-served-1.0"


@pytest.fixture
def served_store(tmp_path: Path, sample_data: SampleData) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    config = PsiDriftConfig(
        space="credit",
        name="served",
        version="1.0",
        alert_config=PsiAlertConfig(schedule=CommonCrons.Every6Hours.value),
    )
    with Store(url, auto_upgrade=True) as store:
        store.register_profile(Drifter().create_drift_profile(sample_data.baseline, config))
    return url


def test_one_deployment_per_profile_on_its_cron(served_store: str, sample_data: SampleData) -> None:
    (deployment,) = monitor_deployments(sources=sample_data.logs_glob, store_url=served_store)
    assert deployment.name == "credit-served-1.0"
    assert deployment.parameters["profile"] == "credit/served/1.0"
    assert deployment.parameters["schedule"] == "0 */6 * * *"
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "0 */6 * * *"  # type: ignore[union-attr]
    assert schedule.schedule.timezone == "UTC"  # type: ignore[union-attr]


@pytest.fixture
def serving(served_store: str, sample_data: SampleData) -> Iterator[subprocess.Popen[bytes]]:
    command = Path(sys.executable).parent / "scouter-flows"
    env = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    process = subprocess.Popen(
        [str(command), "serve", "--source", sample_data.logs_glob, "--url", served_store],
        env=env,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for_deployment(process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            assert process.poll() is None, f"scouter-flows serve exited with {process.returncode}"
            try:
                client.read_deployment_by_name(NAME)
                return
            except Exception:  # not registered yet
                time.sleep(0.5)
    raise AssertionError(f"{NAME} was not served within {timeout} s")


def test_a_run_started_through_the_api_with_custom_parameters_is_stored(
    serving: subprocess.Popen[bytes], served_store: str, sample_data: SampleData
) -> None:
    _wait_for_deployment(serving)
    start, end = sample_data.day_window(sample_data.days - 1)
    run = run_deployment(
        NAME,
        parameters={"window_start": start.isoformat(), "window_end": end.isoformat()},
        timeout=240,
    )
    assert run.state is not None
    assert run.state.is_completed(), run.state.message
    with Store(served_store) as store:
        runs = store.runs()
        assert runs.height == 1
        assert runs["window_start"][0] == start
        assert runs["window_end"][0] == end
        assert runs["status"][0] == "drift"


def test_profiles_of_two_types_under_one_key_get_a_deployment_each(
    served_store: str, sample_data: SampleData
) -> None:
    from scouter_flows import SpcDriftConfig
    from scouter_flows.flows import drift_monitor_flow

    spc = SpcDriftConfig(
        space="credit", name="served", version="1.0", features_to_monitor=["age", "income"]
    )
    with Store(served_store) as store:
        store.register_profile(Drifter().create_drift_profile(sample_data.baseline, spc))
    deployments = monitor_deployments(sources=sample_data.logs_glob, store_url=served_store)
    names = sorted(d.name for d in deployments)
    assert names == ["credit-served-1.0-psi", "credit-served-1.0-spc"]
    chosen = next(d for d in deployments if d.name.endswith("-spc"))
    assert chosen.parameters["drift_type"] == "spc"
    start, end = sample_data.day_window(0)
    summary = drift_monitor_flow(**chosen.parameters, window_start=start, window_end=end)
    with Store(served_store) as store:
        (run,) = store.runs().iter_rows(named=True)
        assert run["run_id"] == summary["run_id"]
        assert run["drift_type"] == "spc"
