"""The orchestrator-free examples of the docs run as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from tests.support import ROOT, doc_block, readme_example


def test_drift_engine_example(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {}
    exec(
        compile(
            readme_example("The drift engine on its own", "docs/drift.md"), "docs/drift.md", "exec"
        ),
        namespace,
    )
    out = capsys.readouterr().out
    assert "out_of_bounds" in out  # a 0.3 sigma shift is 1.5 standard errors at n = 25
    assert "accuracy" in out
    assert "drift" in out
    assert "feature_2" in out


def test_split_window_example() -> None:
    code = readme_example("Splitting a window across tasks", "docs/scale-out.md")
    assert "assert finalize_spc_drift" in code  # the example checks itself
    exec(compile(code, "README.md", "exec"), {})


def test_service_logging_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The example is a FastAPI service: FastAPI comes with either orchestrator, not with us.
    testclient = pytest.importorskip("fastapi.testclient")

    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}
    exec(
        compile(readme_example("Logging from a service", "docs/data.md"), "docs/data.md", "exec"),
        namespace,
    )
    with testclient.TestClient(namespace["app"]) as client:
        for age in range(100):
            reply = client.post("/score", json={"age": age, "income": 40_000.0 + age})
            assert reply.status_code == 200
    logged = pl.read_parquet(tmp_path / "logs" / "credit" / "date=*" / "*.parquet")
    assert logged.height == 100
    assert sorted(logged["age"].to_list()) == list(range(100))
    assert logged["probability"].to_list() == pytest.approx([0.04 + a / 1e6 for a in logged["age"]])


def test_agent_assertions_example(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {}
    code = readme_example("Agent assertions", "docs/evaluation.md")
    exec(compile(code, "docs/evaluation.md", "exec"), namespace)
    frame = namespace["results"].to_polars()
    assert frame["status"].to_list() == ["pass"] * 4
    assert capsys.readouterr().out == "1.0\n"


def test_evaluation_example(capsys: pytest.CaptureFixture[str]) -> None:
    from scouter_flows.evaluate import ComparisonOperator

    namespace: dict[str, Any] = {}
    exec(
        compile(readme_example("Assertions", "docs/evaluation.md"), "docs/evaluation.md", "exec"),
        namespace,
    )
    results = namespace["results"]
    # q1 passes all three counted tasks; q2 fails known_sources (no items) and skips the rest.
    assert results.pass_rate == pytest.approx(3 / 4)
    assert results.statuses()[("q2", "grounded")] == "skipped"
    out = capsys.readouterr().out
    assert "known_sources" in out
    assert f"{len(ComparisonOperator)} operators" in (ROOT / "docs" / "evaluation.md").read_text(
        encoding="utf-8"
    )


def test_batch_scoring_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from scouter_flows import Store

    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("SCOUTER_DATABASE_URL", url)
    namespace: dict[str, Any] = {}
    exec(
        compile(readme_example("Batch scoring pipelines", "docs/data.md"), "docs/data.md", "exec"),
        namespace,
    )
    summary = namespace["summary"]
    assert summary["logged"] == 5_000
    assert summary["status"] == "drift"
    assert "income" in summary["drifted"]
    assert "5000 drift" in capsys.readouterr().out
    with Store(url) as store:
        assert store.runs()["run_id"].to_list() == [summary["run_id"]]
    # The same batch again: one run, no row logged twice.
    exec(
        compile(readme_example("Batch scoring pipelines", "docs/data.md"), "docs/data.md", "exec"),
        namespace,
    )
    assert namespace["summary"]["run_id"] == summary["run_id"]
    with Store(url) as store:
        assert store.runs().height == 1


def test_judge_example_runs_on_its_own_and_a_rerun_is_served_by_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.fake_llms import OPENAI_KEY, fake_llm

    code = compile(readme_example("LLM judges", "docs/evaluation.md"), "evaluation.md", "exec")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    with fake_llm("openai") as fake:  # scores 5 when the prompt says Paris, else 2
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        first: dict[str, Any] = {}
        exec(code, first)
        again: dict[str, Any] = {}
        exec(code, again)
        assert len(fake.received) == 2
    statuses = first["results"].statuses()
    assert statuses == {("fr", "relevance"): "pass", ("it", "relevance"): "fail"}
    assert (first["results"].judge_stats.calls, again["results"].judge_stats.calls) == (2, 0)
    out = capsys.readouterr().out
    assert "'pass'" in out
    assert "calls=2, cached=0" in out
    assert "calls=0, cached=2" in out


def test_trace_example_exports_its_own_spans_and_judges_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}
    code = readme_example("Trace assertions", "docs/evaluation.md")
    exec(compile(code, "evaluation.md", "exec"), namespace)
    results = namespace["results"]
    assert results.pass_rate == 1.0
    assert len(results.statuses()) == 2 * 3
    spans = namespace["spans"]
    assert spans.height == 6
    assert sorted(set(spans["trace_id"])) == sorted(r.trace_id for r in namespace["records"])
    assert capsys.readouterr().out.strip() == "1.0"
    namespace["provider"].shutdown()


def test_family_wise_example_builds_a_holm_profile_config() -> None:
    namespace: dict[str, Any] = {}
    code = readme_example("Family-wise control", "docs/drift.md")
    exec(compile(code, "docs/drift.md", "exec"), namespace)
    assert namespace["config"].correction == "holm"


def test_scouter_profile_file_example_reads_and_writes_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}
    code = doc_block("## Profile files", "python", "docs/from-scouter.md")
    exec(compile(code, "docs/from-scouter.md", "exec"), namespace)
    assert namespace["profile"].config.key == "fraud/scorer/1.0.0"
    assert (tmp_path / "psi_drift_profile.json").exists()
