"""Plain pip keeps the Airflow a team runs: installing the wheel's `airflow` extra into this
environment (Airflow 3.3 from uv.lock, or 2.11 from locks/airflow-oldest.txt) changes nothing
but scouter-flows itself."""

from __future__ import annotations

from pathlib import Path

from tests.support import assert_plain_pip_changes_only_scouter_flows


def test_pip_install_of_the_airflow_extra_changes_nothing_but_scouter_flows(
    tmp_path: Path,
) -> None:
    assert_plain_pip_changes_only_scouter_flows("airflow", tmp_path)
