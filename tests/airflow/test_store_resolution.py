"""Which store an Airflow task writes to: `scouter_default`, then the environment, and never a
private SQLite file without saying so."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from scouter_flows import ConfigError, Store
from scouter_flows.operators import ScouterStoreHook
from scouter_flows.operators.hooks import resolve_store
from scouter_flows.sources.sample import SampleData
from scouter_flows.sqla import POSTGRES_DRIVER, make_url
from scouter_flows.store.url import default_sqlite_path
from tests.airflow.compat import DagBag, return_value, run_dag

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The embedded default file's directory, moved where the test can watch it."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_sqlite_path().is_relative_to(tmp_path)
    return tmp_path / "xdg"


def store_uri(url: str, password: str = "s@cret:/") -> str:
    """`url` as a `scouter-store://` connection URI with a password that needs escaping."""
    parsed = make_url(url)
    secret = quote(password, safe="")
    netloc = f"{parsed.username}:{secret}@{parsed.host}:{parsed.port}"
    return f"scouter-store://{netloc}/{parsed.database}"


def monitor_last_day(sample_data: SampleData, tmp_path: Path, **conf: Any) -> dict[str, Any]:
    """Run the example drift DAG over the sample's last day; the monitor's summary."""
    from scouter_flows import Drifter, PsiDriftConfig

    profile = Drifter().create_drift_profile(
        sample_data.baseline, PsiDriftConfig(space="credit", name="resolved", version="1")
    )
    path = str(profile.save_to_json(tmp_path / "profile.json"))
    dag = DagBag(dag_folder=str(DAGS / "drift_monitor.py")).get_dag("scouter_drift_monitor")
    _, end = sample_data.day_window(sample_data.days - 1)
    run = run_dag(
        dag,
        logical_date=end,
        run_conf={"profile": path, "source_path": sample_data.logs_glob, **conf},
    )
    return return_value(run, "monitor_drift")  # type: ignore[no-any-return]


def test_a_scouter_store_connection_is_a_database_connection(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_RESULTS", store_uri(postgres_url) + "?sslmode=disable")
    url = make_url(ScouterStoreHook("results").url)
    assert url.drivername == f"postgresql+{POSTGRES_DRIVER}"  # the default driver
    assert url.password == "s@cret:/"
    assert url.query == {"sslmode": "disable"}  # extra options become URL options
    with ScouterStoreHook("results").get_store(auto_upgrade=True) as store:
        assert store.revision() is not None  # trust auth: the password is not checked


def test_a_connection_without_a_host_or_with_a_password_in_its_extra(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_EMPTY", json.dumps({"conn_type": "scouter_store"}))
    with pytest.raises(ConfigError, match="connection 'empty' has no host"):
        ScouterStoreHook("empty").url  # noqa: B018
    file = tmp_path / "s.db"
    sqlite = {"conn_type": "scouter_store", "schema": str(file), "extra": {"driver": "sqlite"}}
    monkeypatch.setenv("AIRFLOW_CONN_FILE", json.dumps(sqlite))
    assert make_url(ScouterStoreHook("file").url).database == str(file)
    legacy = {"conn_type": "scouter_store", "extra": {"url": "postgresql://u:pw@h/db"}}
    monkeypatch.setenv("AIRFLOW_CONN_LEGACY", json.dumps(legacy))
    with caplog.at_level(logging.WARNING):
        assert make_url(ScouterStoreHook("legacy").url).password == "pw"
    said = caplog.text + "".join(capsys.readouterr())
    assert "keeps a password in its extra" in said


def test_the_resolution_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private_home: Path
) -> None:
    named, default, env = (f"sqlite:///{tmp_path / n}.db" for n in ("named", "default", "env"))
    monkeypatch.setenv("AIRFLOW_CONN_NAMED", named)
    monkeypatch.delenv("AIRFLOW_CONN_SCOUTER_DEFAULT", raising=False)
    embedded = resolve_store()
    assert embedded.embedded
    assert str(private_home) in (embedded.warning() or "")
    monkeypatch.setenv("SCOUTER_DATABASE_URL", env)
    assert resolve_store().origin == "$SCOUTER_DATABASE_URL"
    monkeypatch.setenv("AIRFLOW_CONN_SCOUTER_DEFAULT", default)
    assert resolve_store().origin == "connection 'scouter_default'"
    assert resolve_store("sqlite:///given.db").origin == "store_url"
    choice = resolve_store("sqlite:///given.db", "named")
    assert (choice.origin, choice.url) == ("connection 'named'", named)
    with pytest.raises(ConfigError, match="store_url holds a password") as raised:
        resolve_store("postgresql://monitor:hunter2@db/monitoring")
    assert "hunter2" not in str(raised.value)


def test_with_only_scouter_default_a_dag_run_writes_there_and_no_sqlite_file_appears(
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    private_home: Path,
    sample_data: SampleData,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.support import RESET_POSTGRES, run_sql

    run_sql(postgres_url, RESET_POSTGRES)
    Store(postgres_url, auto_upgrade=True).close()
    monkeypatch.delenv("SCOUTER_DATABASE_URL", raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_SCOUTER_DEFAULT", store_uri(postgres_url))
    summary = monitor_last_day(sample_data, tmp_path)
    with Store(postgres_url) as store:
        assert store.runs()["run_id"].to_list() == [summary["run_id"]]
    assert not private_home.exists()  # no embedded file was created, even empty
    # The summary and the task log name the store, never its password.
    shown = make_url(postgres_url).set(
        drivername=f"postgresql+{POSTGRES_DRIVER}", password="s@cret:/"
    )
    assert summary["store"] == shown.render_as_string(hide_password=True)
    assert "store_warning" not in summary
    # Airflow 3 prints task logs; Airflow 2.11 sends them through logging.
    captured = capsys.readouterr()
    log = captured.out + captured.err + caplog.text
    assert "from connection 'scouter_default'" in log
    assert "s@cret" not in log


def test_with_no_store_configured_the_task_warns_and_the_summary_names_the_file(
    monkeypatch: pytest.MonkeyPatch,
    private_home: Path,
    sample_data: SampleData,
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("SCOUTER_DATABASE_URL", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_SCOUTER_DEFAULT", raising=False)
    summary = monitor_last_day(sample_data, tmp_path, dry_run=True)
    assert str(default_sqlite_path()) in summary["store_warning"]
    assert "no store is configured" in summary["store_warning"]


def test_profile_monitor_dags_are_listed_from_scouter_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private_home: Path
) -> None:
    import numpy as np

    from scouter_flows import Drifter, PsiAlertConfig, PsiDriftConfig
    from scouter_flows.operators import build_monitor_dags
    from scouter_flows.sources.sample import sample_frame

    url = f"sqlite:///{tmp_path / 'listed.db'}"
    monkeypatch.delenv("SCOUTER_DATABASE_URL", raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_SCOUTER_DEFAULT", url)
    alerting = PsiAlertConfig(schedule="0 6 * * *")
    config = PsiDriftConfig(space="credit", name="listed", version="1", alert_config=alerting)
    profile = Drifter().create_drift_profile(sample_frame(2_000, np.random.default_rng(0)), config)
    with Store(url, auto_upgrade=True) as store:
        store.register_profile(profile)
    dags = build_monitor_dags(sources="/data/{name}.parquet", cache_path=tmp_path / "cache.json")
    assert list(dags) == ["scouter_psi_credit_listed_1"]
    (task,) = [t for t in dags["scouter_psi_credit_listed_1"].tasks if t.task_id == "monitor"]
    assert task.store_url is None  # no URL written into the DAG: the task resolves it
    assert not private_home.exists()
