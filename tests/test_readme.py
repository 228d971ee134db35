"""The README's orchestrator-free example runs as written."""

from __future__ import annotations

import pytest

from tests.support import readme_example


def test_drift_engine_example(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {}
    exec(compile(readme_example("The drift engine on its own"), "README.md", "exec"), namespace)
    out = capsys.readouterr().out
    assert "out_of_bounds" in out  # a 0.3 sigma shift is 1.5 standard errors at n = 25
    assert "accuracy" in out
    assert "drift" in out
    assert "feature_2" in out


def test_split_window_example() -> None:
    code = readme_example("Splitting a window across tasks")
    assert "assert finalize_spc_drift" in code  # the example checks itself
    exec(compile(code, "README.md", "exec"), {})
