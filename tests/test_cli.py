"""The console script: schema commands, profile creation, and errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scouter_flows import PsiDriftProfile
from scouter_flows.sources.sample import SampleData
from tests.support import head_revision

HEAD_REVISION = head_revision()

CLI = [sys.executable, "-c", "from scouter_flows.cli import main; main()"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, check=False)


def test_db_upgrade_then_current(store_url: str) -> None:
    upgraded = _run("db", "upgrade", "--url", store_url)
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert f"schema revision {HEAD_REVISION}" in upgraded.stdout
    current = _run("db", "current", "--url", store_url)
    assert f"schema revision {HEAD_REVISION}" in current.stdout


def test_db_prune(store_url: str) -> None:
    assert _run("db", "upgrade", "--url", store_url).returncode == 0
    done = _run("db", "prune", "--older-than", "90d", "--url", store_url)
    assert done.returncode == 0, done.stdout + done.stderr
    expected = "deleted 0 drift runs, 0 eval runs, 0 spans, 0 data profiles, 0 inference logs"
    assert expected in done.stdout
    bad = _run("db", "prune", "--older-than", "90 days", "--url", store_url)
    assert bad.returncode != 0
    assert "age '90 days' is not a positive whole number" in bad.stdout + bad.stderr


def test_profile_create(sample_data: SampleData, tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    done = _run(
        "profile",
        "create",
        str(sample_data.baseline),
        "--space",
        "s",
        "--name",
        "n",
        "--output",
        str(out),
        "--feature",
        "income",
        "--feature",
        "country",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(PsiDriftProfile.load_from_json(out).features) == ["country", "income"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("db", "current", "--url", "mysql://u:pw-123@h/db"), "unsupported store database"),
        (
            ("profile", "create", "/nope/*.parquet", "--space", "s", "--name", "n", "-o", "x.json"),
            "no file matches the glob",
        ),
    ],
)
def test_errors_exit_2_with_a_message_and_no_traceback(args: tuple[str, ...], message: str) -> None:
    done = _run(*args)
    assert done.returncode == 2
    assert message in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert "pw-123" not in done.stdout + done.stderr
