"""The import contracts of `make lint` hold for the tree and catch an import against the layers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "scouter_flows", tmp_path / "scouter_flows")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_tree_keeps_every_contract(tree: Path) -> None:
    done = _lint(tree)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # the store reaching up into a step
        ("store/upward.py", "from scouter_flows.tasks import drift", "Imports point down"),
        # a reader of spans loading the store, the break this contract was written after
        ("traces/upward.py", "import scouter_flows.store.store", "Imports point down"),
        # siblings: drift statistics never import the evaluator
        ("drift/sideways.py", "from scouter_flows.evaluate import runner", "Imports point down"),
        # an import inside a function counts as much as one at the top
        ("profiles/late.py", "def f():\n    import scouter_flows.alerts", "Imports point down"),
        ("sources/orchestrated.py", "import prefect", "never import an orchestrator"),
    ],
)
def test_an_import_against_the_layers_is_caught(
    tree: Path, module: str, line: str, broken: str
) -> None:
    (tree / "scouter_flows" / module).write_text(line + "\n")
    done = _lint(tree)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{broken}" in done.stdout
    assert "BROKEN" in done.stdout
    assert module.replace("/", ".").removesuffix(".py") in done.stdout
