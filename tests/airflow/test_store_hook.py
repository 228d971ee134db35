"""`ScouterStoreHook`: the store from Postgres, SQLite and Scouter-store connections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scouter_flows import ConfigError
from scouter_flows.operators import ScouterStoreHook
from scouter_flows.sqla import POSTGRES_DRIVER
from tests.support import head_revision

HEAD_REVISION = head_revision()


def test_a_postgres_connection_opens_the_store_through_the_postgres_hook(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = postgres_url.replace(f"postgresql+{POSTGRES_DRIVER}://", "postgresql://")
    monkeypatch.setenv("AIRFLOW_CONN_MONITORING_DB", plain)
    hook = ScouterStoreHook("monitoring_db")
    assert hook.url.startswith(f"postgresql+{POSTGRES_DRIVER}://")
    with hook.get_store(auto_upgrade=True) as store:
        assert store.revision() == HEAD_REVISION


def test_a_postgres_connection_keeps_the_driver_its_extra_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    extra = {"sqlalchemy_scheme": "postgresql+pg8000"}
    connection = {"conn_type": "postgres", "host": "db.internal", "schema": "m", "extra": extra}
    monkeypatch.setenv("AIRFLOW_CONN_MONITORING_DB", json.dumps(connection))
    assert ScouterStoreHook("monitoring_db").url == "postgresql+pg8000://db.internal/m"
    extra["sqlalchemy_scheme"] = "postgresql+psycopg2"  # a libpq driver: the one installed
    monkeypatch.setenv("AIRFLOW_CONN_MONITORING_DB", json.dumps(connection))
    url = ScouterStoreHook("monitoring_db").url
    assert url == f"postgresql+{POSTGRES_DRIVER}://db.internal/m"


def test_sqlite_and_scouter_store_connections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_LOCAL_STORE", f"sqlite:///{tmp_path / 'a.db'}")
    extra = {"url": f"sqlite:///{tmp_path / 'b.db'}"}
    monkeypatch.setenv(
        "AIRFLOW_CONN_SCOUTER_DEFAULT", json.dumps({"conn_type": "scouter_store", "extra": extra})
    )
    with ScouterStoreHook("local_store").get_store() as store:
        assert store.revision() == HEAD_REVISION
    with ScouterStoreHook().get_store() as store:
        assert store.url.database == str(tmp_path / "b.db")


def test_a_task_worker_without_a_metadata_database_opens_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Airflow 3 runs each task with its metadata URL replaced by one that no driver parses,
    so no task code can reach that database; the hook then has nothing to compare with."""
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "airflow-db-not-allowed:///")
    monkeypatch.setenv("AIRFLOW_CONN_SCOUTER_DEFAULT", f"sqlite:///{tmp_path / 'store.db'}")
    with ScouterStoreHook().get_store(auto_upgrade=True) as store:
        assert store.revision() == HEAD_REVISION


def test_airflow_metadata_database_and_other_types_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from airflow.configuration import conf

    monkeypatch.setenv("AIRFLOW_CONN_AIRFLOW_DB", conf.get("database", "sql_alchemy_conn"))
    with pytest.raises(ConfigError, match="Airflow's own metadata database"):
        ScouterStoreHook("airflow_db").url  # noqa: B018
    monkeypatch.setenv("AIRFLOW_CONN_SLACK", json.dumps({"conn_type": "slack", "password": "x"}))
    with pytest.raises(ConfigError, match="of type 'slack' cannot name a store"):
        ScouterStoreHook("slack").url  # noqa: B018
