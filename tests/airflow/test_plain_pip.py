"""Plain pip keeps the Airflow a team runs: installing the wheel's `airflow` extra into this
environment (Airflow 3.3 from uv.lock, or 2.11 from locks/airflow-oldest.txt) changes nothing
but scouter-flows itself."""

from __future__ import annotations

from pathlib import Path

from tests.support import build_wheel, pip_would_install


def test_pip_install_of_the_airflow_extra_changes_nothing_but_scouter_flows(
    tmp_path: Path,
) -> None:
    wheel = build_wheel(tmp_path / "dist")
    planned = pip_would_install(wheel, "airflow", tmp_path / "report.json")
    assert set(planned) == {"scouter-flows"}, planned
