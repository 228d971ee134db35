"""Run an LLM-judge task over many records: render, call (concurrently, cached), parse, check."""

from __future__ import annotations

import asyncio
import json
import statistics
import threading
from collections import Counter
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError

from scouter_flows.errors import ConfigError
from scouter_flows.evaluate.judge_cache import cache_key
from scouter_flows.evaluate.paths import PathError
from scouter_flows.evaluate.prompts import Message, Prompt
from scouter_flows.evaluate.providers import JudgeClients, JudgeSettings
from scouter_flows.evaluate.task_graph import LLMJudgeTask
from scouter_flows.progress import MANY_JUDGE_CALLS, Progress, progress

T = TypeVar("T")

REPAIR = (
    "Your reply could not be used: {error}. Reply again with only a JSON object that matches "
    "the required schema, and nothing else."
)


@dataclass(slots=True)
class JudgeStats:
    """Provider calls made and answers served from the cache."""

    calls: int = 0
    cached: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, calls: int = 0, cached: int = 0) -> None:
        with self._lock:
            self.calls += calls
            self.cached += cached


class JudgeError(Exception):
    """A judgement that could not be obtained; `raw` is the last answer text, if any."""

    def __init__(self, message: str, raw: str | None = None) -> None:
        super().__init__(message)
        self.raw = raw


def _parse(prompt: Prompt, raw: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise JudgeError(f"the answer is not JSON ({exc.msg} at {exc.pos})", raw) from None
    try:
        return prompt.output_type.model_validate(data).model_dump(mode="json")
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors()
        )
        raise JudgeError(
            f"the answer does not match {prompt.output_type.__name__}: {problems}", raw
        ) from None


def answer_key(prompt: Prompt, system: str | None, messages: list[Message], sample: int) -> str:
    """The cache key of one answer: everything that determines it."""
    return cache_key(
        {
            "prompt": _prompt_identity(prompt),
            "system": system,
            "messages": [(m.role, m.content) for m in messages],
            "sample": sample,
        }
    )


def _prompt_identity(prompt: Prompt) -> str:
    return json.dumps(
        [
            prompt.provider.value,
            prompt.model,
            prompt.output_schema(),
            prompt.temperature,
            prompt.max_tokens,
        ],
        sort_keys=True,
    )


async def ask(
    prompt: Prompt,
    system: str | None,
    messages: list[Message],
    clients: JudgeClients,
    stats: JudgeStats,
) -> dict[str, Any]:
    """One validated answer from the provider (with one repair request if it does not parse).

    Raises:
        JudgeError: the call failed after the client's retries, or the answer stayed unusable.
    """
    client = clients.get(prompt.provider)
    try:
        raw = await client.complete(prompt, system, messages)
        stats.add(calls=1)
        try:
            return _parse(prompt, raw)
        except JudgeError as first:
            repair = [
                *messages,
                Message(role="assistant", content=raw),
                Message(role="user", content=REPAIR.format(error=first)),
            ]
            raw = await client.complete(prompt, system, repair)
            stats.add(calls=1)
            try:
                return _parse(prompt, raw)
            except JudgeError as second:
                raise JudgeError(f"{second} (after one repair request)", raw) from None
    except (JudgeError, ConfigError):
        raise
    except Exception as exc:  # the SDK gave up after its retries (429, 5xx, timeout, ...)
        raise JudgeError(
            f"{prompt.provider.value} call failed: {type(exc).__name__}: {str(exc)[:300]}"
        ) from None


def aggregate(values: list[Any], how: str) -> Any:
    """Several answers' judged values as one: their mean (numbers) or the most common value."""
    if len(values) == 1:
        return values[0]
    if how == "mean":
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            raise JudgeError(f"mean aggregation needs numbers, got {values}")
        return statistics.fmean(values)
    counts = Counter(json.dumps(v, sort_keys=True) for v in values)
    return json.loads(counts.most_common(1)[0][0])


@dataclass(slots=True)
class JudgeOutcome:
    """One record's judgement: the judged value, the full answer, or why there is none."""

    value: Any = None
    answer: Any = None
    error: str | None = None


def run_judges(
    batches: list[tuple[LLMJudgeTask, list[tuple[int, Any]]]],
    settings: JudgeSettings,
    stats: JudgeStats,
) -> list[dict[int, JudgeOutcome]]:
    """Judge every (record index, scope) of every task of a level together, at most
    `settings.concurrency` calls in flight across them all.

    The calls run on an event loop in a thread of their own, so this works the same inside a
    Prefect or Airflow task and whether or not the caller already runs a loop.
    """

    judgements = sum(len(scopes) * task.samples for task, scopes in batches)

    async def everything(bar: Progress) -> list[dict[int, JudgeOutcome]]:
        clients = JudgeClients(settings)
        gate = asyncio.Semaphore(max(1, settings.concurrency))
        try:
            return list(
                await asyncio.gather(
                    *(
                        _judge_all(task, scopes, settings, stats, clients, gate, bar)
                        for task, scopes in batches
                    )
                )
            )
        finally:
            await clients.aclose()

    with (
        progress(
            "LLM judges",
            judgements,
            unit="judgements",
            work=judgements,
            threshold=MANY_JUDGE_CALLS + 1,
            work_unit=None,
        ) as bar,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="scouter-judges") as pool,
    ):
        return pool.submit(_run_loop, everything(bar)).result()


def _run_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` on uvloop when it is installed: its transports cost a fraction of
    asyncio's per request, which is what bounds the calls one process keeps in flight."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


async def _judge_all(
    task: LLMJudgeTask,
    scopes: list[tuple[int, Any]],
    settings: JudgeSettings,
    stats: JudgeStats,
    clients: JudgeClients,
    gate: asyncio.Semaphore,
    bar: Progress,
) -> dict[int, JudgeOutcome]:
    prompt, cache = task.prompt, settings.judge_cache()
    rendered: dict[int, tuple[str | None, list[Message]]] = {}
    outcomes: dict[int, JudgeOutcome] = {}
    for i, scope in scopes:
        try:
            rendered[i] = prompt.render(scope)
        except PathError as exc:
            outcomes[i] = JudgeOutcome(error=str(exc))
    keys = {
        (i, n): answer_key(prompt, system, messages, n)
        for i, (system, messages) in rendered.items()
        for n in range(task.samples)
    }
    # One read of the cache before and one write after: no database work between calls.
    hits = cache.get_many(list(keys.values())) if cache is not None else {}
    answers: dict[tuple[int, int], dict[str, Any]] = {}
    for slot, key in keys.items():
        if key in hits:
            answers[slot] = _parse(prompt, hits[key])
    stats.add(cached=len(answers))
    # Unrendered records and cache hits need no call: done from the start.
    bar.advance(len(answers) + (len(scopes) - len(rendered)) * task.samples)
    failures: dict[int, JudgeError] = {}

    async def fetch(slot: tuple[int, int]) -> None:
        if slot[0] in failures:
            bar.advance()
            return
        system, messages = rendered[slot[0]]
        async with gate:
            try:
                answers[slot] = await ask(prompt, system, messages, clients, stats)
            except (JudgeError, ConfigError) as exc:
                failures[slot[0]] = exc if isinstance(exc, JudgeError) else JudgeError(str(exc))
        bar.advance(doing=task.id)

    await asyncio.gather(*(fetch(slot) for slot in keys if slot not in answers))
    if cache is not None:
        fresh = [(keys[slot], json.dumps(answers[slot])) for slot in keys if slot in answers]
        cache.put_many([item for item in fresh if item[0] not in hits])
    for i in rendered:
        if i in failures:
            outcomes[i] = JudgeOutcome(value=failures[i].raw, error=str(failures[i]))
            continue
        got = [answers[(i, n)] for n in range(task.samples)]
        try:
            values = [task.getter(answer) for answer in got]
            outcomes[i] = JudgeOutcome(aggregate(values, task.aggregation), got[0])
        except JudgeError as exc:
            outcomes[i] = JudgeOutcome(value=exc.raw, error=str(exc))
        except PathError as exc:
            outcomes[i] = JudgeOutcome(error=f"{task.context_path} in the answer: {exc}")
    return outcomes
