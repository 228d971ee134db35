"""`drift_monitor_flow` run for real under a Prefect test server."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from prefect.artifacts import Artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

from scouter_flows import Drifter, PsiDriftConfig, Store
from scouter_flows.flows import drift_monitor_flow
from scouter_flows.sources.sample import SampleData


@pytest.fixture
def profile_path(sample_data: SampleData, tmp_path: Path) -> str:
    config = PsiDriftConfig(space="credit", name="scorer", version="1.0")
    profile = Drifter().create_drift_profile(sample_data.baseline, config)
    return str(profile.save_to_json(tmp_path / "profile.json"))


def _dispatch_runs(flow_run_id: object, *, last: str) -> list[str]:
    """Names (without the random suffix) of the task runs the server recorded for a flow run,
    once it has recorded `last`: the server records task runs from their events, a moment
    after the flow returns (seen on Prefect 3.4)."""
    deadline = time.monotonic() + 30
    while True:
        with get_client(sync_client=True) as client:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))  # type: ignore[list-item]
            )
        names = sorted(r.name.rsplit("-", 1)[0] for r in runs)
        if last in names or time.monotonic() > deadline:
            return names
        time.sleep(0.2)


def test_drifted_window_dispatches_and_rerun_is_idempotent(
    sample_data: SampleData, profile_path: str, store_url: str
) -> None:
    Store(store_url, auto_upgrade=True).close()
    start, end = sample_data.day_window(sample_data.days - 1)
    state = drift_monitor_flow(
        profile=profile_path,
        source_path=sample_data.logs_glob,
        window_start=start,
        window_end=end,
        store_url=store_url,
        return_state=True,
    )
    summary = state.result()
    assert summary["status"] == "drift"
    assert {"income", "credit_score", "country"} <= set(summary["drifted"])
    assert summary["dispatch"]["sent"] == summary["pending_alerts"] > 0
    assert "dispatch-alerts" in _dispatch_runs(
        state.state_details.flow_run_id, last="dispatch-alerts"
    )

    again = drift_monitor_flow(
        profile=profile_path,
        source_path=sample_data.logs_glob,
        window_start=start,
        window_end=end,
        store_url=store_url,
    )
    assert again["run_id"] == summary["run_id"]
    assert again["pending_alerts"] == 0  # already sent: a re-run does not notify again
    assert again["dispatch"] is None
    with Store(store_url) as store:
        assert store.runs().height == 1
        assert {a.status for a in store.alerts(run_id=summary["run_id"])} == {"sent"}

    artifact = Artifact.get("drift-psi-credit-scorer-1-0")
    assert artifact is not None
    assert "income" in str(artifact.data)


def test_clean_window_skips_dispatch(
    sample_data: SampleData, profile_path: str, clean_logs: str, store_url: str
) -> None:
    Store(store_url, auto_upgrade=True).close()
    start, end = sample_data.day_window(0)
    state = drift_monitor_flow(
        profile=profile_path,
        source_path=clean_logs,
        window_start=start,
        window_end=end,
        store_url=store_url,
        return_state=True,
    )
    summary = state.result()
    assert (summary["status"], summary["drifted"], summary["dispatch"]) == ("ok", [], None)
    assert "dispatch-alerts" not in _dispatch_runs(
        state.state_details.flow_run_id, last="persist-drift"
    )


def test_window_defaults_to_the_period_before_window_end(
    sample_data: SampleData, profile_path: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _, end = sample_data.day_window(1)
    summary = drift_monitor_flow(
        profile=profile_path,
        source_path=sample_data.logs_glob,
        window_end=end,
        period_hours=12,
        store_url=url,
    )
    assert summary["window_start"] == (end - timedelta(hours=12)).isoformat()
    assert summary["rows_observed"] == 2500


def test_bad_input_fails_the_run_before_anything_is_written(
    profile_path: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    state = drift_monitor_flow(
        profile=profile_path,
        source_path=str(tmp_path / "missing" / "*.parquet"),
        window_start="2026-11-21T00:00:00Z",
        window_end="2026-11-22T00:00:00Z",
        store_url=url,
        return_state=True,
    )
    assert state.is_failed()
    with pytest.raises(Exception, match="no file matches the glob"):
        state.result()
    with Store(url) as store:
        assert store.runs().height == 0


def test_an_empty_window_completes_with_a_no_data_run_and_no_dispatch(
    sample_data: SampleData, profile_path: str, store_url: str
) -> None:
    from scouter_flows.sources.sample import SAMPLE_START

    Store(store_url, auto_upgrade=True).close()
    state = drift_monitor_flow(
        profile=profile_path,
        source_path=sample_data.logs_glob,
        window_start=SAMPLE_START - timedelta(days=1),
        window_end=SAMPLE_START,
        store_url=store_url,
        return_state=True,
    )
    assert state.is_completed()
    summary = state.result()
    assert (summary["status"], summary["rows_observed"], summary["dispatch"]) == (
        "no_data",
        0,
        None,
    )
    assert "dispatch-alerts" not in _dispatch_runs(
        state.state_details.flow_run_id, last="persist-drift"
    )
    with Store(store_url) as store:
        assert store.runs()["status"].to_list() == ["no_data"]
    markdown = Artifact.get("drift-psi-credit-scorer-1-0-summary")
    assert markdown is not None
    assert "**no_data**" in str(markdown.data)


def test_artifact_numbers_have_four_significant_digits(
    sample_data: SampleData, profile_path: str, store_url: str
) -> None:
    import json

    Store(store_url, auto_upgrade=True).close()
    start, end = sample_data.day_window(sample_data.days - 1)
    drift_monitor_flow(
        profile=profile_path,
        source_path=sample_data.logs_glob,
        window_start=start,
        window_end=end,
        store_url=store_url,
    )
    table = Artifact.get("drift-psi-credit-scorer-1-0")
    assert table is not None
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    for row in rows:
        for number in (row["value"], row["threshold"]):
            if isinstance(number, float) and number:
                assert float(f"{number:.4g}") == number, number


def test_the_run_writes_its_report_and_the_artifact_shows_its_headline(
    sample_data: SampleData, profile_path: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    start, end = sample_data.day_window(sample_data.days - 1)
    run = dict(
        profile=profile_path,
        source_path=sample_data.logs_glob,
        window_start=start,
        window_end=end,
        store_url=store_url,
    )
    summary = drift_monitor_flow(**run, report_dir=str(tmp_path / "reports"))
    page = Path(summary["report"])
    assert page.is_relative_to(tmp_path / "reports" / "credit" / "scorer" / "1.0")
    assert page.name == f"psi-{end:%Y%m%dT%H%MZ}-run{summary['run_id']}.html"
    assert "PSI drift: credit/scorer/1.0" in page.read_text()
    markdown = str(Artifact.get("drift-psi-credit-scorer-1-0-summary").data)  # type: ignore[union-attr]
    assert "![headline chart](data:image/png;base64," in markdown
    assert f"[Full report]({page.as_uri()})" in markdown

    # A folder that cannot be made: the run is still stored, and the log and artifact say why.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    summary = drift_monitor_flow(**run, report_dir=str(blocker / "reports"))
    assert "report" not in summary
    assert (
        "FileExistsError" in summary["report_error"] or "NotADirectory" in summary["report_error"]
    )
    with Store(store_url) as store:
        assert store.runs().height == 1  # stored (the same window, upserted)
    assert "was not written to" in caplog.text
    markdown = str(Artifact.get("drift-psi-credit-scorer-1-0-summary").data)  # type: ignore[union-attr]
    assert "Full report: not written (" in markdown
