"""Airflow's metadata database, created once per session in the temporary AIRFLOW_HOME."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def airflow_db() -> None:
    from airflow.utils import db

    db.initdb()
