"""Progress of long work: a bar in a terminal, log lines otherwise, nothing when quiet.

Terminal behaviour is checked for real: the work runs in a child process whose standard error
is a pseudo-terminal, and what rich drew there is read back.
"""

from __future__ import annotations

import logging
import os
import pty
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from pydantic import SecretStr

from scouter_flows import Drifter, PsiDriftConfig, SpcDriftConfig
from scouter_flows.drift.profiler import DataProfiler
from scouter_flows.evaluate import (
    EvalDataset,
    EvalRecord,
    JudgeSettings,
    LLMJudgeTask,
    Prompt,
    Provider,
)
from scouter_flows.profiles.custom import CustomMetric, CustomMetricDriftConfig
from scouter_flows.progress import LARGE_VALUES, PROGRESS_ENV, progress, progress_log
from tests.fake_llms import OPENAI_KEY, fake_llm

LOGGER = "scouter_flows.progress"
ROWS = LARGE_VALUES // 5  # five columns: exactly the threshold


def _frame(rows: int = ROWS, shift: float = 0.0) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    return pl.DataFrame({f"f{i}": rng.normal(size=rows) + shift for i in range(5)})


@pytest.fixture
def logs(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> pytest.LogCaptureFixture:
    """Progress lines as they would reach a log that is on at INFO, standard error a pipe."""
    monkeypatch.setenv(PROGRESS_ENV, "auto")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    caplog.set_level(logging.INFO, logger=LOGGER)
    return caplog


def test_every_profile_and_drift_path_logs_its_steps_and_gives_the_same_result(
    logs: pytest.LogCaptureFixture,
) -> None:
    baseline, observed = _frame(), _frame(shift=0.3)
    drifter = Drifter()
    psi = drifter.create_drift_profile(baseline, PsiDriftConfig(space="s", name="m"))
    result = drifter.compute_drift(observed, psi)
    spc = drifter.create_drift_profile(baseline, SpcDriftConfig(space="s", name="m"))
    drifter.compute_drift(observed, spc)
    DataProfiler().create_data_profile(baseline, compute_correlations=True)
    lines = logs.messages
    for title, total, unit in [
        ("PSI profile", 7, "steps"),  # the statistics, five sorted columns, the bin counts
        ("PSI drift", 2, "parts"),  # 2M rows: two ranges of 1M
        ("SPC profile", 1, "batches"),
        ("SPC drift", 1, "batches"),
        ("Data profile", 8, "steps"),
    ]:
        mine = [line for line in lines if line.startswith(f"{title}:")]
        assert mine[0] == f"{title}: started, {total} {unit} over 10,000,000 values", mine
        assert mine[-2].startswith(f"{title}: {total} of {total} {unit} (100%")
        assert mine[-1].startswith(f"{title}: done, {total} {unit} in ")
    assert any("selected every column" in line for line in lines if line.startswith("PSI profile"))

    # Counting in ranges is exact: the same verdicts as one pass with progress off.
    os.environ[PROGRESS_ENV] = "off"
    try:
        assert drifter.compute_drift(observed, psi) == result
    finally:
        os.environ[PROGRESS_ENV] = "auto"


def test_work_below_the_threshold_and_quiet_logging_show_nothing(
    logs: pytest.LogCaptureFixture, caplog: pytest.LogCaptureFixture
) -> None:
    drifter = Drifter()
    small = _frame(ROWS - 1)
    drifter.create_drift_profile(small, PsiDriftConfig(space="s", name="m"))
    assert logs.messages == []
    quiet = logging.getLogger(LOGGER)
    quiet.setLevel(logging.WARNING)  # the capture handler stays at INFO
    try:
        drifter.create_drift_profile(_frame(), PsiDriftConfig(space="s", name="m"))
    finally:
        quiet.setLevel(logging.INFO)
    assert caplog.records == []


def test_custom_metrics_over_many_values_are_counted_in_parts(
    logs: pytest.LogCaptureFixture,
) -> None:
    metrics = [
        CustomMetric(name=f"m{i}", baseline_value=0.0, alert_threshold="Outside", delta=1.0)
        for i in range(5)
    ]
    profile = Drifter().create_drift_profile(
        metrics, CustomMetricDriftConfig(space="s", name="m", sample_size=1)
    )
    observed = _frame().rename({f"f{i}": f"m{i}" for i in range(5)})
    result = Drifter().compute_drift(observed, profile)
    assert [line for line in logs.messages if line.startswith("Custom metrics: started")] == [
        "Custom metrics: started, 2 parts over 10,000,000 values"
    ]
    expected = observed.mean().row(0)
    for metric, mean in zip(result.metrics, expected, strict=True):
        assert metric.value == pytest.approx(mean, abs=1e-15)


def test_a_failed_step_ends_the_lines_with_failed(logs: pytest.LogCaptureFixture) -> None:
    def fail() -> None:
        with progress("Job", 4, unit="steps", work=LARGE_VALUES) as bar:
            bar.advance()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail()
    assert logs.messages[-1].startswith("Job: failed after 1 steps")


def test_progress_log_sends_the_lines_to_the_given_logger(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    monkeypatch.setenv(PROGRESS_ENV, "auto")
    caplog.set_level(logging.WARNING, logger=LOGGER)
    caplog.set_level(logging.INFO, logger="a.run")  # last: the capture handler is at INFO
    with (
        progress_log(logging.getLogger("a.run")),
        progress("Job", 2, unit="steps", work=LARGE_VALUES) as bar,
    ):
        bar.advance(2)
    assert [r.name for r in caplog.records] == ["a.run"] * 3


def test_more_than_100_judge_calls_log_their_progress(
    logs: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    prompt = Prompt(
        messages="Rate ${answer} from 1 to 5.",
        model="judge-model",
        provider=Provider.OpenAI,
    )
    task = LLMJudgeTask(
        id="quality", prompt=prompt, operator="GreaterThanOrEqual", expected_value=1
    )
    with fake_llm("openai") as fake:
        settings = JudgeSettings(
            api_keys={Provider.OpenAI: SecretStr(OPENAI_KEY)},
            base_urls={Provider.OpenAI: fake.url + "/v1"},
            concurrency=16,
            cache=False,
        )
        records = [EvalRecord(id=f"r{i}", context={"answer": str(i)}) for i in range(101)]
        EvalDataset(records[:100], [task]).evaluate(settings)
        assert [line for line in logs.messages if line.startswith("LLM judges")] == []
        results = EvalDataset(records, [task]).evaluate(settings)
    assert results.judge_stats.calls == 101
    mine = [line for line in logs.messages if line.startswith("LLM judges")]
    assert mine[0] == "LLM judges: started, 101 judgements"
    assert mine[-2].startswith("LLM judges: 101 of 101 judgements (100%, quality)")
    assert mine[-1].startswith("LLM judges: done, 101 judgements in ")
    assert len(mine) == 12  # started, each tenth, done


CHILD = textwrap.dedent(
    """
    import logging, sys
    import numpy as np, polars as pl
    from scouter_flows import Drifter, PsiDriftConfig
    if sys.argv[1] == "info":
        logging.basicConfig(level=logging.INFO, format="LOG %(message)s")
    rng = np.random.default_rng(0)
    frame = pl.DataFrame({f"f{i}": rng.normal(size=int(sys.argv[2])) for i in range(5)})
    Drifter().create_drift_profile(frame, PsiDriftConfig(space="s", name="m"))
    print("built")
    """
)


def _child(tmp_path: Path, logging_: str, rows: int, *, terminal: bool, mode: str = "auto") -> str:
    """Run CHILD and return what it wrote to standard error (a pty when `terminal`)."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {**os.environ, PROGRESS_ENV: mode, "COLUMNS": "150"}
    args = [sys.executable, str(script), logging_, str(rows)]
    if not terminal:
        done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout == "built\n"
        return done.stderr
    main, child = pty.openpty()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=child, env=env)
    os.close(child)
    drawn = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        drawn += chunk
    os.close(main)
    assert proc.wait(timeout=120) == 0
    assert proc.stdout is not None
    assert proc.stdout.read() == b"built\n"
    proc.stdout.close()
    return drawn.decode()


def test_a_terminal_gets_a_rich_bar(tmp_path: Path) -> None:
    drawn = _child(tmp_path, "quiet", ROWS, terminal=True)
    assert "PSI profile" in drawn
    assert "━" in drawn  # the bar itself
    assert "7/7" in drawn
    assert "steps" in drawn
    assert "counted the bins" in drawn  # the final state is always drawn
    assert "LOG" not in drawn


def test_a_pipe_with_logging_on_gets_lines_and_a_quiet_pipe_gets_nothing(tmp_path: Path) -> None:
    lines = _child(tmp_path, "info", ROWS, terminal=False).splitlines()
    progress_lines = [line for line in lines if line.startswith("LOG PSI profile")]
    assert progress_lines[0] == "LOG PSI profile: started, 7 steps over 10,000,000 values"
    assert progress_lines[-1].startswith("LOG PSI profile: done, 7 steps in ")
    assert "━" not in "\n".join(lines)
    assert _child(tmp_path, "quiet", ROWS, terminal=False) == ""


def test_scouter_progress_chooses_the_display(tmp_path: Path) -> None:
    assert _child(tmp_path, "info", ROWS, terminal=True, mode="off") == ""
    drawn = _child(tmp_path, "info", ROWS, terminal=True, mode="log")
    assert "LOG PSI profile: started" in drawn
    assert "━" not in drawn
