"""Task files in Scouter's format, with errors that name the item and its line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scouter_flows import ConfigError, Store
from scouter_flows.evaluate.task_files import load_tasks

YAML = """\
tasks:
  - task_type: Assertion
    id: has_answer
    context_path: response.text
    operator: IsNotEmpty
    condition: true
  - task_type: Assertion
    id: cites
    context_path: response.text
    operator: Matches
    expected_value: "\\\\[\\\\d+\\\\]"
    depends_on: [has_answer]
    description: cites a source
"""


def test_yaml_object_with_tasks_and_json_list_load_alike(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(YAML)
    tasks = load_tasks(tmp_path / "t.yaml")
    assert [t.id for t in tasks] == ["has_answer", "cites"]
    assert tasks[1].check("see [2]", {}) is None
    as_json = [t.model_dump(mode="json") for t in tasks]
    (tmp_path / "t.json").write_text(json.dumps(as_json))
    assert load_tasks(tmp_path / "t.json") == tasks


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            YAML.replace("operator: Matches", "operator: Matchez"),
            r"task 1 \(line 7\) id 'cites': operator: unknown operator 'Matchez'; "
            "did you mean 'Matches'",
        ),
        (
            YAML.replace('expected_value: "\\\\[\\\\d+\\\\]"', 'expected_value: "("'),
            "line 7.*invalid regular expression",
        ),
        (
            YAML.replace(
                "context_path: response.text\n    operator: IsNotEmpty",
                "context_path: response-text\n    operator: IsNotEmpty",
            ),
            r"task 0 \(line 2\).*malformed context path",
        ),
        (
            YAML.replace("depends_on: [has_answer]", "depends_on: [Has_Answer]"),
            "unknown task.*did you mean 'has_answer'",
        ),
        (
            YAML.replace("task_type: Assertion\n    id: cites", "task_type: Judge\n    id: cites"),
            "unknown task_type 'Judge'",
        ),
        ("tasks: 3", "expected a list of tasks"),
        ("tasks: [", "not valid YAML"),
    ],
)
def test_bad_task_files_name_the_item(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "tasks.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_tasks(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="task file not found"):
        load_tasks(tmp_path / "nope.yaml")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from scouter_flows.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )


def _records(path: Path, answers: list[str]) -> Path:
    path.write_text(
        "".join(
            json.dumps({"id": str(i), "context": {"response": {"text": a}}}) + "\n"
            for i, a in enumerate(answers)
        )
    )
    return path


def test_cli_stores_runs_and_exits_non_zero_on_regression(tmp_path: Path, store_url: str) -> None:
    Store(store_url, auto_upgrade=True).close()
    (tmp_path / "tasks.yaml").write_text(YAML)
    good = _records(tmp_path / "good.ndjson", ["yes [1]"] * 10)
    bad = _records(tmp_path / "bad.ndjson", ["yes [1]"] * 5 + ["no source"] * 5)
    tasks = str(tmp_path / "tasks.yaml")
    first = _cli("eval", "run", "--tasks", tasks, "--records", str(good), "--url", store_url)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "pass rate 100.0%" in first.stdout
    assert "stored as eval run 1" in first.stdout
    same = _cli(
        "eval",
        "run",
        "--tasks",
        tasks,
        "--records",
        str(good),
        "--url",
        store_url,
        "--baseline",
        "1",
    )
    assert same.returncode == 0, same.stdout
    worse = _cli(
        "eval",
        "run",
        "--tasks",
        tasks,
        "--records",
        str(bad),
        "--url",
        store_url,
        "--baseline",
        "1",
        "--show-tasks",
    )
    assert worse.returncode == 1, worse.stdout + worse.stderr
    assert "REGRESSED" in worse.stdout
    assert "new failure: record 5, task cites" in worse.stdout
    missing = _cli(
        "eval",
        "run",
        "--tasks",
        tasks,
        "--records",
        str(bad),
        "--url",
        store_url,
        "--baseline",
        "99",
    )
    assert missing.returncode == 2
    assert "baseline eval run 99 has no results" in missing.stdout


def test_judge_tasks_load_with_prompts_inline_or_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "prompt.yaml").write_text(
        "messages:\n  - role: user\n    content: 'Rate ${answer} for ${question}.'\n"
        "model: gpt-4o-mini\nprovider: OpenAI\n"
    )
    (tmp_path / "tasks.yaml").write_text(
        "- task_type: LLMJudge\n  id: quality\n  prompt: {path: prompt.yaml}\n"
        "  context_path: score\n  operator: GreaterThanOrEqual\n  expected_value: 4\n"
        "- task_type: LLMJudge\n  id: tone\n  operator: Equals\n  expected_value: 5\n"
        "  prompt:\n    messages: 'Is ${answer} polite?'\n    model: claude-x\n"
        "    provider: anthropic\n    output_type: Score\n"
        "  depends_on: [quality]\n  max_retries: 3\n"
    )
    quality, tone = load_tasks(tmp_path / "tasks.yaml")
    assert quality.prompt.placeholders() == ["answer", "question"]  # type: ignore[union-attr]
    assert tone.prompt.provider == "Anthropic"  # type: ignore[union-attr]
    (tmp_path / "bad.yaml").write_text(
        "- task_type: LLMJudge\n  id: q\n  operator: Equals\n  expected_value: 5\n"
        "  prompt: {path: missing.yaml}\n"
    )
    with pytest.raises(ConfigError, match=r"task 0 \(line 1\) id 'q': prompt file not found"):
        load_tasks(tmp_path / "bad.yaml")


def test_profiles_with_judges_round_trip_through_json(tmp_path: Path) -> None:
    from scouter_flows.evaluate import AgentEvalConfig, AgentEvalProfile

    (tmp_path / "tasks.yaml").write_text(
        YAML + "  - task_type: LLMJudge\n    id: judged\n    operator: Equals\n"
        "    expected_value: 5\n    prompt: {messages: 'Rate ${response.text}', model: m, "
        "provider: Gemini}\n"
    )
    profile = AgentEvalProfile(
        config=AgentEvalConfig(space="s", name="n"), tasks=load_tasks(tmp_path / "tasks.yaml")
    )
    again = AgentEvalProfile.model_validate_json(profile.model_dump_json())
    assert again == profile
    assert again.tasks[2].prompt.output_type.__name__ == "Score"  # type: ignore[union-attr]
