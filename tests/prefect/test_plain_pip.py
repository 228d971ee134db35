"""Plain pip keeps the Prefect a team runs: installing the wheel's `prefect` extra into this
environment (Prefect 3.7 from uv.lock, or 3.9 from locks/prefect-newest.txt) changes nothing
but scouter-flows itself."""

from __future__ import annotations

from pathlib import Path

from tests.support import assert_plain_pip_changes_only_scouter_flows


def test_pip_install_of_the_prefect_extra_changes_nothing_but_scouter_flows(
    tmp_path: Path,
) -> None:
    assert_plain_pip_changes_only_scouter_flows("prefect", tmp_path)
