"""The README's Prefect example runs as written, in a folder holding the sample data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scouter_flows import Store
from scouter_flows.sources.sample import generate_sample_data
from tests.support import readme_example


def test_prefect_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    generate_sample_data(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCOUTER_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    namespace: dict[str, object] = {}
    exec(compile(readme_example("Prefect"), "README.md", "exec"), namespace)
    summary = namespace["summary"]
    assert isinstance(summary, dict)
    assert "income" in summary["drifted"]
    assert str(summary["drifted"]) in capsys.readouterr().out
    with Store(os.environ["SCOUTER_DATABASE_URL"]) as store:
        assert store.runs()["status"].to_list() == ["drift"]
