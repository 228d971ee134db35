"""A window without rows is a stored `no_data` run, alerted on only when configured; data that
arrives later replaces it with the real result. A missing source stays an error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scouter_flows import (
    CustomMetric,
    CustomMetricDriftConfig,
    DataError,
    Drifter,
    PsiAlertConfig,
    PsiDriftConfig,
    SpcDriftConfig,
    Store,
    Window,
    tasks,
)
from scouter_flows.sources.files import FileSource
from scouter_flows.sources.sample import SAMPLE_START, SampleData
from scouter_flows.tasks.drift import drift_of

QUIET = Window(SAMPLE_START - timedelta(days=1), SAMPLE_START)
"""The day before the sample's first: the logs' glob matches files, none of them this day."""


def _monitor(profile: object, source: str, window: Window, url: str) -> dict[str, object]:
    path = Path(source).parent.parent.parent / f"{window.start:%Y%m%d}-{id(profile)}.json"
    profile.save_to_json(path)  # type: ignore[attr-defined]
    ref = tasks.load_profile(str(path), url)
    result = tasks.compute_window_drift(ref, FileSource(path=source), window, url)
    return tasks.persist_drift(ref, window, result, url)


@pytest.mark.parametrize(
    "config",
    [
        PsiDriftConfig(space="quiet", name="psi"),
        SpcDriftConfig(space="quiet", name="spc", features_to_monitor=["age"]),
    ],
)
def test_an_empty_window_is_stored_as_no_data_without_an_alert(
    config: object, sample_data: SampleData, store_url: str
) -> None:
    profile = Drifter().create_drift_profile(sample_data.baseline, config)  # type: ignore[arg-type]
    with Store(store_url, auto_upgrade=True):
        pass
    summary = _monitor(profile, sample_data.logs_glob, QUIET, store_url)
    assert summary["status"] == "no_data"
    assert summary["rows_observed"] == 0
    assert summary["pending_alerts"] == 0
    with Store(store_url) as store:
        (run,) = store.runs().iter_rows(named=True)
        assert (run["status"], run["rows_observed"]) == ("no_data", 0)


def test_a_custom_metric_window_without_observations_is_no_data(store_url: str) -> None:
    profile = Drifter().create_drift_profile(
        [CustomMetric(name="accuracy", baseline_value=0.9, alert_threshold="Below")],
        CustomMetricDriftConfig(space="quiet", name="custom"),
    )
    import polars as pl

    empty = pl.LazyFrame({"accuracy": []}, schema={"accuracy": pl.Float64})
    result = drift_of(profile, empty, QUIET)
    with Store(store_url, auto_upgrade=True) as store:
        written = store.write_drift_run(store.register_profile(profile), QUIET, result)
    assert written.status == "no_data"


def test_no_data_alerts_when_asked_and_resolves_when_rows_arrive(
    sample_data: SampleData, store_url: str
) -> None:
    config = PsiDriftConfig(
        space="quiet",
        name="fresh",
        alert_config=PsiAlertConfig(alert_on_no_data=True, announce_resolution=True),
    )
    profile = Drifter().create_drift_profile(sample_data.baseline, config)
    Store(store_url, auto_upgrade=True).close()
    first = _monitor(profile, sample_data.logs_glob, QUIET, store_url)
    assert first["status"] == "no_data"
    assert first["pending_alerts"] == 1
    with Store(store_url) as store:
        (alert,) = store.open_alerts().iter_rows(named=True)
        assert alert["kind"] == "no_data"
        assert alert["entity"] == "(window)"
    sent = tasks.dispatch_alerts(int(first["run_id"]), store_url)  # type: ignore[arg-type]
    assert sent["sent"] == 1
    # The next day has rows: the freshness alert resolves.
    start, end = sample_data.day_window(0)
    day = Window(start, end)
    later = _monitor(profile, sample_data.logs_glob, day, store_url)
    rows = FileSource(path=sample_data.logs_glob).scan(day)
    assert later["status"] == ("drift" if drift_of(profile, rows, day).drifted else "ok")
    with Store(store_url) as store:
        outbox = store.open_alerts()
        assert outbox.filter(kind="no_data", event="resolve").height == 1


def test_rerunning_a_no_data_window_after_its_data_arrived_replaces_it(
    sample_data: SampleData, store_url: str, tmp_path: Path
) -> None:
    import polars as pl

    profile = Drifter().create_drift_profile(
        sample_data.baseline, PsiDriftConfig(space="quiet", name="late")
    )
    Store(store_url, auto_upgrade=True).close()
    folder = tmp_path / "logs" / f"date={QUIET.start.date().isoformat()}"
    folder.mkdir(parents=True)
    late_glob = str(tmp_path / "logs" / "*" / "*.parquet")
    start, _ = sample_data.day_window(0)
    first_day = pl.read_parquet(Path(sample_data.logs_glob).parent.parent / f"date={start.date()}")
    (tmp_path / "logs" / f"date={start.date()}").mkdir()
    first_day.write_parquet(tmp_path / "logs" / f"date={start.date()}" / "part-0.parquet")
    before = _monitor(profile, late_glob, QUIET, store_url)
    assert before["status"] == "no_data"
    # The late partition lands; a re-run of the same window replaces the run.
    first_day.with_columns(pl.col("timestamp") - timedelta(days=1)).write_parquet(
        folder / "part-0.parquet"
    )
    after = _monitor(profile, late_glob, QUIET, store_url)
    assert after["run_id"] == before["run_id"]
    assert after["rows_observed"] == first_day.height
    with Store(store_url) as store:
        assert store.runs()["status"].to_list() == [after["status"]]


def test_a_missing_source_stays_an_error(sample_data: SampleData, tmp_path: Path) -> None:
    profile = Drifter().create_drift_profile(
        sample_data.baseline, PsiDriftConfig(space="quiet", name="gone")
    )
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with pytest.raises(DataError, match="no file matches the glob"):
        _monitor(profile, str(tmp_path / "nowhere" / "*" / "*.parquet"), QUIET, url)


def test_the_engine_on_its_own_still_refuses_empty_input(sample_data: SampleData) -> None:
    import polars as pl

    profile = Drifter().create_drift_profile(
        sample_data.baseline, PsiDriftConfig(space="quiet", name="engine")
    )
    empty = pl.read_parquet(sample_data.baseline).clear()
    with pytest.raises(DataError, match="observed data is empty"):
        Drifter().compute_drift(empty, profile)


def test_numbers_for_people_have_four_significant_digits() -> None:
    assert tasks.significant(0.0014865834755656648) == 0.001487
    assert tasks.significant(None) is None
    assert tasks.significant(0.0) == 0.0
    assert tasks.significant(float("inf")) == float("inf")


_ = datetime, UTC
