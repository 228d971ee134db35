"""The built wheel: typed, with the example DAGs, which `scouter-flows dags copy` hands out."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scouter_flows.errors import ConfigError
from scouter_flows.example_dags import copy_example_dags
from tests.support import ROOT, build_wheel

EXAMPLES = sorted(p.name for p in (ROOT / "dags").glob("*.py"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("dist"))


def test_the_wheel_is_typed_and_ships_the_example_dags(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "scouter_flows/py.typed" in names
    assert sorted(n.removeprefix("scouter_flows/dags/") for n in names if "/dags/" in n) == EXAMPLES


def test_dags_copy_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site), "COLUMNS": "200"}
    cli = [sys.executable, "-c", "from scouter_flows.cli import main; main()", "dags", "copy"]
    where = subprocess.run(
        [sys.executable, "-c", "import scouter_flows; print(scouter_flows.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(site))  # the wheel's copy, not the clone's
    target = tmp_path / "airflow" / "dags"
    done = subprocess.run(
        [*cli, str(target)], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in target.iterdir()) == EXAMPLES
    for name in EXAMPLES:
        assert (target / name).read_bytes() == (ROOT / "dags" / name).read_bytes()
    again = subprocess.run(
        [*cli, str(target)], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert again.returncode == 2
    assert "already exist; pass --overwrite to replace them" in again.stdout
    assert "drift_monitor.py" in again.stdout
    forced = subprocess.run(
        [*cli, str(target), "--overwrite"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert forced.returncode == 0, forced.stderr


def test_dags_copy_in_a_clone_refuses_before_writing_anything(tmp_path: Path) -> None:
    (tmp_path / "retention.py").write_text("# mine\n")
    with pytest.raises(ConfigError, match=r"retention.py already exist"):
        copy_example_dags(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["retention.py"]
    assert (tmp_path / "retention.py").read_text() == "# mine\n"
