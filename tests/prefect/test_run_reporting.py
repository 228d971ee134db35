"""What a Prefect run shows: the store it used, artifacts per drift type with a history,
console alerts in the run's logs, and no secret in its parameters."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from prefect.artifacts import Artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.logging.handlers import APILogHandler

from scouter_flows import ConfigError, Drifter, PsiDriftConfig, SpcDriftConfig, Store
from scouter_flows.flows import drift_monitor_flow
from scouter_flows.flows.serve import monitor_deployments, serve_monitors
from scouter_flows.sources.sample import SampleData
from scouter_flows.sqla import make_url
from scouter_flows.store.url import default_sqlite_path

KEY = "credit-report-1-0"


def run_logs(flow_run_id: Any) -> list[str]:
    """The messages the server holds for a flow run (its tasks' included)."""
    APILogHandler().flush()
    with get_client(sync_client=True) as client:
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
        )
    return [log.message for log in logs]


def table(key: str) -> list[dict[str, Any]]:
    artifact = Artifact.get(key)
    assert artifact is not None, key
    data = artifact.data
    return json.loads(data) if isinstance(data, str) else data  # type: ignore[return-value]


def markdown(key: str) -> str:
    artifact = Artifact.get(key)
    assert artifact is not None, key
    return str(artifact.data)


def run_day(profile: str, sample: SampleData, day: int, **options: Any) -> Any:
    """The final state of `drift_monitor_flow` over one day of the sample's logs."""
    start, end = sample.day_window(day)
    return drift_monitor_flow(
        profile=profile,
        source_path=sample.logs_glob,
        window_start=start,
        window_end=end,
        return_state=True,
        **options,
    )


@pytest.fixture
def two_types(sample_data: SampleData, tmp_path: Path) -> dict[str, str]:
    """A PSI and an SPC profile of one key, as files."""
    paths = {}
    for config in (
        PsiDriftConfig(space="credit", name="report", version="1.0"),
        SpcDriftConfig(space="credit", name="report", version="1.0", features_to_monitor=["age"]),
    ):
        profile = Drifter().create_drift_profile(sample_data.baseline, config)
        kind = profile.drift_type
        paths[kind] = str(profile.save_to_json(tmp_path / f"{kind}.json"))
    return paths


def test_artifacts_are_kept_per_drift_type_dry_runs_apart_with_a_history(
    sample_data: SampleData, two_types: dict[str, str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    for day in range(sample_data.days):
        run_day(two_types["psi"], sample_data, day, store_url=url)
    spc = run_day(two_types["spc"], sample_data, sample_data.days - 1, store_url=url).result()
    psi_rows = table(f"drift-psi-{KEY}")
    assert {row["feature"] for row in psi_rows} > {"age"}  # PSI's table, every feature
    assert [row["feature"] for row in table(f"drift-spc-{KEY}")] == ["age"]
    assert f"run {spc['run_id']}" in markdown(f"drift-spc-{KEY}-summary")

    # A dry run leaves the latest stored run's artifacts alone.
    run_day(two_types["psi"], sample_data, 0, store_url=url, dry_run=True)
    assert table(f"drift-psi-{KEY}") == psi_rows
    assert "dry run (nothing stored)" in markdown(f"dry-run-drift-psi-{KEY}-summary")
    assert "dry run" not in markdown(f"drift-psi-{KEY}-summary")

    # The history: one line per stored window, newest first, with status and drifted features.
    history = markdown(f"drift-psi-{KEY}-history").splitlines()
    lines = [line for line in history if line.startswith("| 20")]
    with Store(url) as store:
        runs = store.runs(drift_type="psi")
    assert len(lines) == runs.height == sample_data.days
    for line, run in zip(lines, runs.iter_rows(named=True), strict=True):
        assert line.startswith(f"| {run['window_start']:%Y-%m-%d %H:%M} to ")
        assert line.endswith(f"| {run['run_id']} |")
        assert f"| {run['status']} |" in line or f"| **{run['status']}** |" in line
    assert "income" in lines[0]  # the last day drifted
    assert "| ok |" in lines[-1]


def test_console_alerts_and_the_store_appear_in_the_run_logs(
    sample_data: SampleData, two_types: dict[str, str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"  # the profile alerts the console, the default
    state = run_day(two_types["psi"], sample_data, sample_data.days - 1, store_url=url)
    summary = state.result()
    assert summary["dispatch"]["sent"] > 0
    assert summary["store"] == url
    messages = run_logs(state.state_details.flow_run_id)
    assert f"Using the store {url} (from store_url)" in messages
    alerts = [m for m in messages if m.startswith("[WARNING] credit/report/1.0 in ")]
    assert len(alerts) == summary["dispatch"]["sent"]


def test_a_store_url_with_a_password_is_refused_as_a_parameter(tmp_path: Path) -> None:
    state = drift_monitor_flow(
        profile=str(tmp_path / "profile.json"),
        source_path=str(tmp_path / "*.parquet"),
        window_start="2026-11-21T00:00:00Z",
        window_end="2026-11-22T00:00:00Z",
        store_url="postgresql://monitor:hunter2@db.internal/monitoring",
        return_state=True,
    )
    assert state.is_failed()
    with pytest.raises(ConfigError, match="store_url holds a password") as raised:
        state.result()
    assert "store_block=" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_with_no_store_the_run_warns_and_names_the_embedded_file(
    sample_data: SampleData,
    two_types: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    state = run_day(two_types["psi"], sample_data, 0, dry_run=True)
    summary = state.result()
    assert str(default_sqlite_path()) in summary["store_warning"]
    warnings = [m for m in run_logs(state.state_details.flow_run_id) if "no store is" in m]
    assert warnings == [f"Store: {summary['store_warning']}"]


def test_serve_never_puts_a_password_into_deployment_parameters(
    postgres_url: str, sample_data: SampleData, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support import RESET_POSTGRES, run_sql

    run_sql(postgres_url, RESET_POSTGRES)
    secret = make_url(postgres_url).set(password="hunter2").render_as_string(False)
    with Store(secret, auto_upgrade=True) as store:  # trust auth: the password is not checked
        config = PsiDriftConfig(space="credit", name="served", version="1.0")
        store.register_profile(Drifter().create_drift_profile(sample_data.baseline, config))
    monkeypatch.delenv("SCOUTER_DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="ScouterStore block"):
        monitor_deployments(sources=sample_data.logs_glob, store_url=secret)

    served: list[Any] = []
    monkeypatch.setattr("scouter_flows.flows.serve.serve", lambda *d: served.extend(d))
    serve_monitors(sources=sample_data.logs_glob, store_url=secret)
    (deployment,) = served
    assert "hunter2" not in json.dumps(deployment.parameters, default=str)
    assert "store_url" not in deployment.parameters
    import os

    assert os.environ["SCOUTER_DATABASE_URL"] == secret  # what the served runs inherit


def test_a_large_window_logs_its_progress_in_the_run_and_stores_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """10 million values over four files: read a file group at a time, one log line each."""
    import polars as pl

    from scouter_flows.profiles.psi import PsiDriftProfile
    from scouter_flows.progress import PROGRESS_ENV
    from tests.support import LARGE_ROWS, large_window

    monkeypatch.setenv(PROGRESS_ENV, "auto")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    logs, start, path = large_window(tmp_path)
    url = f"sqlite:///{tmp_path / 'store.db'}"

    state = drift_monitor_flow(
        profile=path,
        source_path=logs,
        window_start=start,
        window_end=start + timedelta(days=1),
        store_url=url,
        return_state=True,
    )
    summary = state.result()
    lines = [m for m in run_logs(state.state_details.flow_run_id) if m.startswith("PSI drift")]
    assert lines[0] == "PSI drift: started, 4 file groups over 10,000,000 values"
    assert [line.split(" (")[0] for line in lines[1:-1]] == [
        f"PSI drift: {n} of 4 file groups" for n in range(1, 5)
    ]
    assert lines[-1].startswith("PSI drift: done, 4 file groups in ")

    # The groups' merged counts are one pass's: the stored values equal a direct computation.
    monkeypatch.setenv(PROGRESS_ENV, "off")
    profile = PsiDriftProfile.model_validate_json(Path(path).read_text())
    direct = Drifter().compute_drift(pl.scan_parquet(logs).drop("timestamp"), profile)
    assert direct.drifted  # the shifted hour shows
    with Store(url) as store:
        stored = store.drift_run(summary["run_id"])
    assert stored is not None
    assert stored["rows_observed"] == direct.rows == 4 * LARGE_ROWS
    assert {r["feature"]: r["value"] for r in stored["results"]} == {
        f.feature: f.value for f in direct.features
    }
