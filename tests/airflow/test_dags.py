"""The example DAGs: they import cleanly and run for real with `dag.test()`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scouter_flows import Drifter, PsiDriftConfig, Store
from scouter_flows.sources.sample import SampleData
from tests.airflow.compat import (
    DRIFTED_RUN_STATES,
    DagBag,
    asset_events,
    return_value,
    run_dag,
    served_link,
)

DAGS = Path(__file__).resolve().parents[2] / "dags"


def test_dagbag_imports_every_example_without_errors() -> None:
    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    assert "scouter_drift_monitor" in bag.dag_ids


@pytest.fixture
def drift_dag(monkeypatch: pytest.MonkeyPatch, store_url: str):  # type: ignore[no-untyped-def]
    Store(store_url, auto_upgrade=True).close()
    monkeypatch.setenv("SCOUTER_DATABASE_URL", store_url)
    return DagBag(dag_folder=str(DAGS / "drift_monitor.py")).get_dag("scouter_drift_monitor")


@pytest.fixture
def profile_path(sample_data: SampleData, tmp_path: Path) -> str:
    profile = Drifter().create_drift_profile(
        sample_data.baseline, PsiDriftConfig(space="credit", name="scorer", version="1.0")
    )
    return str(profile.save_to_json(tmp_path / "profile.json"))


def _states(dag_run) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}


def runs_of(store_url: str) -> list[int]:
    with Store(store_url) as store:
        return store.runs()["run_id"].to_list()


def test_dry_run_from_params_stores_and_sends_nothing(
    drift_dag,
    sample_data: SampleData,
    profile_path: str,
    store_url: str,  # type: ignore[no-untyped-def]
) -> None:
    _, end = sample_data.day_window(sample_data.days - 1)
    run = run_dag(
        drift_dag,
        logical_date=end,
        run_conf={
            "profile": profile_path,
            "source_path": sample_data.logs_glob,
            "dry_run": True,
        },
    )
    states = _states(run)
    assert states["monitor_drift"] == "success"
    assert states["dispatch_alerts"] == "skipped"
    assert states["drift_event"] == "skipped"
    assert runs_of(store_url) == []


def test_drifted_interval_runs_the_alert_task(
    drift_dag,
    sample_data: SampleData,
    profile_path: str,
    store_url: str,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SCOUTER_REPORT_DIR", str(tmp_path / "reports"))
    start, end = sample_data.day_window(sample_data.days - 1)
    events_before = len(asset_events("scouter://credit/scorer/1.0"))
    # A run at the end of a day monitors the day that just ended.
    run = run_dag(
        drift_dag,
        logical_date=end,
        run_conf={"profile": profile_path, "source_path": sample_data.logs_glob},
    )
    states = _states(run)
    assert states == DRIFTED_RUN_STATES
    report = Path(return_value(run, "monitor_drift")["report"])
    assert report.is_relative_to(tmp_path / "reports")
    assert "PSI drift: credit/scorer/1.0" in report.read_text()
    # The task's "Drift report" button in the grid view opens it.
    assert served_link(drift_dag, run, "monitor_drift", "Drift report") == report.as_uri()
    event = asset_events("scouter://credit/scorer/1.0")[-1]
    assert len(asset_events("scouter://credit/scorer/1.0")) == events_before + 1
    assert event["run_id"] == runs_of(store_url)[0]
    assert {"income", "credit_score"} <= set(event["drifted"])
    with Store(store_url) as store:
        runs = store.runs()
        assert runs.height == 1
        assert runs["window_start"][0] == start
        assert runs["window_end"][0] == end
        alerts = store.alerts(run_id=runs["run_id"][0])
        assert alerts
        assert {a.status for a in alerts} == {"sent"}


def test_clean_interval_skips_the_alert_task(
    drift_dag,
    sample_data: SampleData,
    profile_path: str,
    clean_logs: str,
    store_url: str,  # type: ignore[no-untyped-def]
) -> None:
    _, end = sample_data.day_window(0)
    run = run_dag(
        drift_dag, logical_date=end, run_conf={"profile": profile_path, "source_path": clean_logs}
    )
    states = _states(run)
    assert states["dispatch_alerts"] == "skipped"
    assert states["no_alerts"] == "success"
    assert states["drift_event"] == "skipped"
    with Store(store_url) as store:
        assert store.runs()["status"].to_list() == ["ok"]


def test_manual_window_from_params_overrides_the_data_interval(
    drift_dag,
    sample_data: SampleData,
    profile_path: str,
    store_url: str,  # type: ignore[no-untyped-def]
) -> None:
    start, end = sample_data.day_window(1)
    run = run_dag(
        drift_dag,
        logical_date=sample_data.day_window(0)[1],
        run_conf={
            "profile": profile_path,
            "source_path": sample_data.logs_glob,
            "window_start": start.isoformat(),
            "window_end": end.isoformat(),
        },
    )
    assert _states(run)["monitor_drift"] == "success"
    with Store(store_url) as store:
        assert store.runs()["window_start"].to_list() == [start]
    assert os.environ["SCOUTER_DATABASE_URL"] == store_url


def test_an_empty_interval_succeeds_with_a_no_data_run(
    drift_dag,
    sample_data: SampleData,
    profile_path: str,
    store_url: str,  # type: ignore[no-untyped-def]
) -> None:
    from scouter_flows.sources.sample import SAMPLE_START

    run = run_dag(
        drift_dag,
        logical_date=SAMPLE_START,
        run_conf={"profile": profile_path, "source_path": sample_data.logs_glob},
    )
    states = _states(run)
    assert str(run.state) == "success"
    assert states["monitor_drift"] == "success"
    assert states["dispatch_alerts"] == "skipped"
    assert states["no_alerts"] == "success"
    with Store(store_url) as store:
        assert store.runs()["status"].to_list() == ["no_data"]


def test_the_trigger_form_offers_drift_type_and_picks_one_of_a_shared_key(
    drift_dag,
    sample_data: SampleData,
    store_url: str,  # type: ignore[no-untyped-def]
) -> None:
    from scouter_flows import SpcDriftConfig

    param = drift_dag.params.get_param("drift_type")
    assert param.schema["enum"] == [None, "psi", "spc", "custom"]
    assert "several drift types" in param.description
    with Store(store_url) as store:
        for config in (
            PsiDriftConfig(space="credit", name="both", version="1"),
            SpcDriftConfig(space="credit", name="both", version="1", features_to_monitor=["age"]),
        ):
            store.register_profile(Drifter().create_drift_profile(sample_data.baseline, config))
    _, end = sample_data.day_window(0)
    run = run_dag(
        drift_dag,
        logical_date=end,
        run_conf={
            "profile": "credit/both/1",
            "source_path": sample_data.logs_glob,
            "drift_type": "spc",
        },
    )
    assert _states(run)["monitor_drift"] == "success"
    with Store(store_url) as store:
        assert store.runs()["drift_type"].to_list() == ["spc"]


def test_a_large_window_logs_its_progress_in_the_task_log(
    drift_dag,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """10 million values over four files: one task-log line per file group read."""
    import sys
    from datetime import timedelta

    from scouter_flows.progress import PROGRESS_ENV
    from tests.support import large_window

    monkeypatch.setenv(PROGRESS_ENV, "auto")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    logs, start, path = large_window(tmp_path)
    run = run_dag(
        drift_dag,
        logical_date=start + timedelta(days=1),
        run_conf={"profile": path, "source_path": logs},
    )
    assert _states(run)["monitor_drift"] == "success"
    out = capfd.readouterr()
    text = out.out + out.err + "\n".join(caplog.messages)
    assert "PSI drift: started, 4 file groups over 10,000,000 values" in text, text[-3000:]
    for n in range(1, 5):
        assert f"PSI drift: {n} of 4 file groups" in text
    assert "PSI drift: done, 4 file groups in " in text
