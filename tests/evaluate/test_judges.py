"""LLM judges through the real OpenAI, Anthropic and Gemini SDKs against fake servers."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, SecretStr

from scouter_flows.evaluate import (
    AssertionTask,
    EvalDataset,
    EvalRecord,
    JudgeCache,
    JudgeSettings,
    LLMJudgeTask,
    Prompt,
    Provider,
)
from tests.fake_llms import ANTHROPIC_KEY, GEMINI_KEY, OPENAI_KEY, fake_llm
from tests.fake_providers import FakeProvider

KEYS = {Provider.OpenAI: OPENAI_KEY, Provider.Anthropic: ANTHROPIC_KEY, Provider.Gemini: GEMINI_KEY}
NAMES = {Provider.OpenAI: "openai", Provider.Anthropic: "anthropic", Provider.Gemini: "gemini"}
RECORDS = [
    EvalRecord(id="good", context={"question": "Capital of France?", "answer": "Paris"}),
    EvalRecord(id="bad", context={"question": "Capital of France?", "answer": "Lyon"}),
]


def _settings(
    provider: Provider, fake: FakeProvider, tmp_path: Path, **kw: object
) -> JudgeSettings:
    base = fake.url + "/v1" if provider is Provider.OpenAI else fake.url
    values: dict[str, object] = {"timeout": 1.0, "max_retries": 1, "concurrency": 4}
    values.update(kw)
    return JudgeSettings(
        api_keys={provider: SecretStr(KEYS[provider])},
        base_urls={provider: base},
        cache=JudgeCache(tmp_path / "cache.db"),
        **values,  # type: ignore[arg-type]
    )


def _task(provider: Provider, **kw: object) -> LLMJudgeTask:
    prompt = Prompt(
        messages="Question: ${question}\nAnswer: ${answer}\nRate the answer from 1 to 5.",
        system_instruction="You are a strict grader.",
        model="judge-model",
        provider=provider,
    )
    return LLMJudgeTask(
        id="quality",
        prompt=prompt,
        operator="GreaterThanOrEqual",
        expected_value=4,
        **kw,  # type: ignore[arg-type]
    )


def _statuses(results: object) -> dict[str, str]:
    return {r: s for (r, _), s in results.statuses().items()}  # type: ignore[attr-defined]


@pytest.mark.parametrize("provider", list(Provider), ids=str)
def test_judge_structured_output_and_cache(provider: Provider, tmp_path: Path) -> None:
    follow = AssertionTask(
        id="has_reason",
        context_path="quality.reason",
        operator="IsNotEmpty",
        depends_on=["quality"],
    )
    with fake_llm(NAMES[provider]) as fake:
        settings = _settings(provider, fake, tmp_path)
        dataset = EvalDataset(RECORDS, [_task(provider), follow])
        results = dataset.evaluate(settings)
        assert fake.violations == []
        assert results.statuses() == {
            ("good", "quality"): "pass",
            ("bad", "quality"): "fail",
            ("good", "has_reason"): "pass",  # dependants read the judge's whole answer
            ("bad", "has_reason"): "pass",
        }
        assert results.judge_stats.calls == 2
        again = dataset.evaluate(settings)  # an unchanged re-run: all from the cache
        assert again.judge_stats.calls == 0
        assert again.judge_stats.cached == 2
        assert len(fake.received) == 2
        settings.cache.close()
    sent = str(fake.received[0].body)
    assert "Lyon" in sent or "Paris" in sent  # placeholders were filled
    assert "strict grader" in sent  # the system instruction went too


@pytest.mark.parametrize("provider", list(Provider), ids=str)
def test_rate_limits_and_server_errors_are_retried(provider: Provider, tmp_path: Path) -> None:
    with fake_llm(NAMES[provider], "429", "500") as fake:
        settings = _settings(provider, fake, tmp_path, max_retries=2, concurrency=1)
        results = EvalDataset(RECORDS[:1], [_task(provider)]).evaluate(settings)
        settings.cache.close()
    assert _statuses(results) == {"good": "pass"}
    assert len(fake.received) == 3


@pytest.mark.parametrize("provider", list(Provider), ids=str)
def test_exhausted_retries_and_timeouts_are_task_errors(provider: Provider, tmp_path: Path) -> None:
    with fake_llm(NAMES[provider], "500", "500", "hang", "hang") as fake:
        settings = _settings(provider, fake, tmp_path, max_retries=1, concurrency=1)
        results = EvalDataset(RECORDS, [_task(provider)]).evaluate(settings)
        settings.cache.close()
    frame = results.to_polars()
    assert frame["status"].to_list() == ["error", "error"]
    messages = frame["message"].to_list()
    assert all(m.startswith(f"{provider.value} call failed:") for m in messages)
    assert all(KEYS[provider] not in m for m in messages)


@pytest.mark.parametrize("provider", list(Provider), ids=str)
def test_malformed_answers_get_one_repair_then_an_error(provider: Provider, tmp_path: Path) -> None:
    with fake_llm(NAMES[provider], "malformed", "ok", "malformed", "malformed") as fake:
        settings = _settings(provider, fake, tmp_path, concurrency=1)
        results = EvalDataset(RECORDS, [_task(provider)]).evaluate(settings)
        settings.cache.close()
    frame = results.to_polars()
    status = dict(zip(frame["record_id"], frame["status"], strict=True))
    assert status["good"] == "pass"  # repaired on the second request
    (error,) = frame.filter(status="error").iter_rows(named=True)
    assert "after one repair request" in error["message"]
    assert error["actual"] == '"I would give it a 4."'  # the raw text is kept
    assert len(fake.received) == 4
    repair = str(fake.received[1].body)
    assert "could not be used" in repair


def test_custom_output_types_samples_and_placeholders(tmp_path: Path) -> None:
    class Verdict(BaseModel):
        model_config = ConfigDict(extra="forbid")
        score: int
        reason: str

    with fake_llm("openai") as fake:
        settings = _settings(Provider.OpenAI, fake, tmp_path)
        task = LLMJudgeTask(
            id="v",
            prompt=Prompt(
                messages="Is ${answer} right?", model="m", provider="openai", output_type=Verdict
            ),
            operator="Equals",
            expected_value=5,
            samples=3,
            aggregation="majority",
        )
        missing = EvalRecord(id="missing", context={"question": "?"})
        results = EvalDataset([RECORDS[0], missing], [task]).evaluate(settings)
        settings.cache.close()
    assert results.statuses() == {("good", "v"): "pass", ("missing", "v"): "error"}
    assert "placeholder ${answer}" in (results.to_polars()["message"][1] or "")
    assert len(fake.received) == 3  # three samples, each its own cache key
    assert fake.received[0].body["response_format"]["json_schema"]["name"] == "Verdict"


def test_a_missing_api_key_is_a_task_error_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    settings = JudgeSettings(cache=None)
    results = EvalDataset(RECORDS[:1], [_task(Provider.Anthropic)]).evaluate(settings)
    (message,) = results.to_polars()["message"].to_list()
    assert message == "no API key for Anthropic: set ANTHROPIC_API_KEY"


def test_judge_tasks_of_one_level_share_the_call_budget(tmp_path: Path) -> None:
    second = LLMJudgeTask(
        id="again",
        prompt=Prompt(messages="Again: ${answer}", model="m", provider="OpenAI"),
        operator="GreaterThanOrEqual",
        expected_value=1,
    )
    with fake_llm("openai", delay=0.2) as fake:
        settings = _settings(Provider.OpenAI, fake, tmp_path, concurrency=4)
        results = EvalDataset(RECORDS, [_task(Provider.OpenAI), second]).evaluate(settings)
        settings.cache.close()
    assert results.judge_stats.calls == 4
    assert [t.task_id for t in results.task_summaries()] == ["quality", "again"]
    assert fake.max_in_flight == 4  # both tasks' calls were in flight together


def test_cache_forgets_old_answers_and_upgrades_an_untimed_file(tmp_path: Path) -> None:
    import sqlite3
    import time
    from datetime import timedelta

    legacy = tmp_path / "legacy.db"
    with sqlite3.connect(legacy) as conn:  # a cache file from before answers were timed
        conn.execute("CREATE TABLE answers (key TEXT PRIMARY KEY, raw TEXT)")
        conn.execute("INSERT INTO answers VALUES ('old', '{\"score\": 1}')")
    cache = JudgeCache(legacy)
    assert cache.get("old") == '{"score": 1}'
    cache.put_many([("fresh", '{"score": 5}')])
    assert len(cache) == 2
    assert cache.prune(timedelta(days=30)) == 1  # the untimed answer goes
    assert cache.get("old") is None
    assert cache.get("fresh") == '{"score": 5}'
    with pytest.raises(ValueError, match="older_than must be positive"):
        cache.prune(timedelta(0))
    cache.close()
    time.sleep(0.05)
    reopened = JudgeCache(legacy, max_age=timedelta(milliseconds=10))
    assert len(reopened) == 0
    reopened.close()


def test_the_cache_is_on_unless_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings made only for speed keep the cache: a re-run pays the provider nothing."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    provider = Provider.OpenAI
    dataset = EvalDataset(RECORDS, [_task(provider)])
    with fake_llm(NAMES[provider]) as fake:
        options = {
            "api_keys": {provider: SecretStr(KEYS[provider])},
            "base_urls": {provider: fake.url + "/v1"},
        }
        first = dataset.evaluate(JudgeSettings(concurrency=32, **options))  # type: ignore[arg-type]
        again = dataset.evaluate(JudgeSettings(concurrency=32, **options))  # type: ignore[arg-type]
        assert (first.judge_stats.calls, again.judge_stats.calls) == (2, 0)
        assert len(fake.received) == 2
        off = dataset.evaluate(JudgeSettings(cache=False, **options))  # type: ignore[arg-type]
        assert off.judge_stats.calls == 2
        assert len(fake.received) == 4
    assert (tmp_path / "cache" / "scouter-flows" / "judges.db").is_file()
