"""GenAI evaluation throughput: assertion tasks over many records, and LLM-judge concurrency.

1. Evaluates --records records x 5 assertion tasks (a string check, a regex, a numeric range, a
   length bound and an any-of membership) and prints task-evaluations per second, with the same
   run's plain Python loop over the same values as the anchor.
2. The regex task alone: the dialect's engine (one call for every record) against Python's `re`
   searching record by record (the engine used before), and a pattern that backtracks
   exponentially in `re` (`(a+)+$` on `'a' * n + 'b'`), answered by both.
3. Sends --judge-calls judge prompts through the real OpenAI SDK to a local fake server (its own
   process, asyncio) that answers each in 100 ms, --concurrency at a time, and prints the time
   against the ideal
   (calls / concurrency x 100 ms), then the calls made by an identical second run (cached).

    python benchmarks/evaluate.py --records 100000 --judge-calls 1000 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from scouter_flows.evaluate import (
    AgentAssertion,
    AgentAssertionTask,
    AssertionTask,
    EvalDataset,
    EvalRecord,
    JudgeCache,
    JudgeSettings,
    LLMJudgeTask,
    Prompt,
    Provider,
)

OPENAI_KEY = "sk-benchmark"
ANSWER_SECONDS = 0.1

TASKS = [
    AssertionTask(id="not_empty", context_path="response.text", operator="IsNotEmpty"),
    AssertionTask(
        id="cites", context_path="response.text", operator="Matches", expected_value=r"\[\d+\]"
    ),
    AssertionTask(
        id="confidence",
        context_path="response.confidence",
        operator="InRange",
        expected_value=[0.5, 1.0],
    ),
    AssertionTask(
        id="short",
        context_path="response.text",
        operator="HasLengthLessThan",
        expected_value=400,
    ),
    AssertionTask(
        id="known_source",
        context_path="response.sources[0]",
        operator="ContainsAny",
        expected_value=["wiki", "docs"],
    ),
]


def _records(n: int) -> list[EvalRecord]:
    return [
        EvalRecord(
            id=str(i),
            context={
                "question": f"question {i}",
                "response": {
                    "text": f"Answer {i} with a citation [{i % 7}]" if i % 10 else "",
                    "confidence": (i % 100) / 100,
                    "sources": [["wiki", "blog"], ["docs"], ["forum"]][i % 3],
                },
            },
        )
        for i in range(n)
    ]


def _anchor(records: list[EvalRecord]) -> int:
    """The same five reads and comparisons written inline: the per-record floor."""
    passed = 0
    for record in records:
        response: dict[str, Any] = record.context["response"]
        text = response["text"]
        passed += bool(text) + ("[" in text) + (0.5 <= response["confidence"] <= 1.0)
        passed += (len(text) < 400) + (response["sources"][0] in ("wiki", "docs"))
    return passed


def _median(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _serve(conn: Any) -> None:
    """A minimal OpenAI chat-completions endpoint on asyncio: every answer after 100 ms.

    Its own process and no per-request parsing beyond HTTP framing, so that the server is never
    the bottleneck being measured (the checking fakes of the tests are threaded and slower).
    """
    body = json.dumps(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": '{"score": 4, "reason": "ok"}'},
                }
            ],
        }
    ).encode()
    reply = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                await asyncio.sleep(ANSWER_SECONDS)
                writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=256)
        port = server.sockets[0].getsockname()[1]
        conn.send(f"http://127.0.0.1:{port}")
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        server.close()

    asyncio.run(main())


def _judges(calls: int, concurrency: int) -> None:
    records = [EvalRecord(id=str(i), context={"answer": f"answer {i}"}) for i in range(calls)]
    task = LLMJudgeTask(
        id="quality",
        prompt=Prompt(messages="Rate ${answer} from 1 to 5.", model="m", provider="OpenAI"),
        operator="GreaterThanOrEqual",
        expected_value=1,
    )
    dataset = EvalDataset(records, [task])
    # The fake provider runs in its own process, as a real one would: its request handling
    # must not take the judge threads' interpreter time.
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(child,), daemon=True)
    server.start()
    url = parent.recv()
    with tempfile.TemporaryDirectory() as folder:
        settings = JudgeSettings(
            api_keys={Provider.OpenAI: SecretStr(OPENAI_KEY)},
            base_urls={Provider.OpenAI: url + "/v1"},
            concurrency=concurrency,
            cache=JudgeCache(Path(folder) / "cache.db"),
        )
        # Warm up (SDK import, client and connection set-up) on other records, as a long-running
        # worker would be; those answers are cached under other keys.
        warm = [EvalRecord(id=f"w{i}", context={"answer": f"warm {i}"}) for i in range(64)]
        EvalDataset(warm, [task]).evaluate(settings)
        start = time.perf_counter()
        first = dataset.evaluate(settings)
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        second = dataset.evaluate(settings)
        cached = time.perf_counter() - start
        settings.cache.close()
    parent.send("stop")
    server.join()
    ideal = calls / concurrency * ANSWER_SECONDS
    print(f"{calls:,} judge calls, {ANSWER_SECONDS * 1000:.0f} ms each, concurrency {concurrency}")
    print(
        f"  first run:  {elapsed:6.2f} s  (ideal {ideal:.2f} s: {elapsed / ideal:.2f}x)  "
        f"{first.judge_stats.calls:,} calls, pass rate {first.pass_rate:.3f}"
    )
    print(
        f"  second run: {cached:6.2f} s  {second.judge_stats.calls} calls, "
        f"{second.judge_stats.cached:,} from the cache"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--judge-calls", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    records = _records(args.records)
    dataset = EvalDataset(records, TASKS)
    evaluations = args.records * len(TASKS)
    anchor = _median(lambda: _anchor(records), args.repeat)
    evaluate = _median(dataset.evaluate, args.repeat)
    results = dataset.evaluate()
    frame = _median(results.to_polars, max(1, args.repeat // 2))
    print(f"{args.records:,} records x {len(TASKS)} assertion tasks, medians of {args.repeat}")
    print(f"  plain Python loop (anchor):   {anchor * 1000:8.1f} ms")
    print(
        f"  evaluate():                   {evaluate * 1000:8.1f} ms  "
        f"{evaluations / evaluate:,.0f} task-evaluations/s  ({evaluate / anchor:.1f}x the anchor)"
    )
    print(f"  results.to_polars():          {frame * 1000:8.1f} ms")
    print(f"  pass rate: {results.pass_rate:.3f}")
    _regex(records, args.repeat)
    _agent(args.records, args.repeat)
    if args.judge_calls:
        _judges(args.judge_calls, args.concurrency)


def _agent(n: int, repeat: int) -> None:
    """Agent assertions over OpenAI chat completions: a tool check, an argument, a token
    budget; against a plain loop reading the same three values from the same dicts."""
    tasks = [
        AgentAssertionTask(id="searched", operator="Equals", expected_value=True,
                           assertion=AgentAssertion.tool_called("search"), context_path="r"),
        AgentAssertionTask(id="query", operator="IsNotEmpty", context_path="r",
                           assertion=AgentAssertion.tool_argument("search", "q")),
        AgentAssertionTask(id="budget", operator="LessThan", expected_value=500, context_path="r",
                           assertion=AgentAssertion.response_total_tokens()),
    ]  # fmt: skip
    records = [
        EvalRecord(id=str(i), context={"r": {
            "model": "gpt-4o",
            "choices": [{"message": {"role": "assistant", "content": None, "tool_calls": [
                {"id": f"c{i}", "type": "function",
                 "function": {"name": "search", "arguments": f'{{"q": "item {i}"}}'}}]},
                "finish_reason": "tool_calls"}],
            "usage": {"prompt_tokens": 80, "completion_tokens": 12, "total_tokens": 92}}})
        for i in range(n)
    ]  # fmt: skip

    def plain() -> int:
        passed = 0
        for record in records:
            response = record.context["r"]
            calls = response["choices"][0]["message"]["tool_calls"]
            found = [c for c in calls if c["function"]["name"] == "search"]
            passed += bool(found) + bool(json.loads(found[0]["function"]["arguments"])["q"])
            passed += response["usage"]["total_tokens"] < 500
        return passed

    dataset = EvalDataset(records, tasks)
    anchor = _median(plain, repeat)
    evaluate = _median(dataset.evaluate, repeat)
    print(f"agent assertions, {n:,} OpenAI responses x {len(tasks)} tasks, medians of {repeat}")
    print(f"  plain Python loop (anchor):   {anchor * 1000:8.1f} ms")
    print(
        f"  evaluate():                   {evaluate * 1000:8.1f} ms  "
        f"{n * len(tasks) / evaluate:,.0f} assertions/s  ({evaluate / anchor:.1f}x the anchor)"
    )


def _with_python_re(task: AssertionTask) -> AssertionTask:
    """`task` checked as before the dialect's engine: Python's `re`, one record at a time."""
    from scouter_flows.evaluate import comparisons

    pattern = re.compile(str(task.expected_value))
    before = comparisons.CompiledCheck(
        lambda actual, p: None if p.search(actual) else "no match", pattern, needs_context=False
    )
    copy = task.model_copy()
    copy._check = before  # the derived check the runner reads
    return copy


def _regex(records: list[EvalRecord], repeat: int) -> None:
    engine = _median(EvalDataset(records, [TASKS[1]]).evaluate, repeat)
    python = _median(EvalDataset(records, [_with_python_re(TASKS[1])]).evaluate, repeat)
    print(f"regex task alone, {len(records):,} records, medians of {repeat}")
    print(f"  evaluate(), Python re per record: {python * 1000:8.1f} ms  (the anchor)")
    print(f"  evaluate(), the dialect's engine: {engine * 1000:8.1f} ms  ({engine / python:.2f}x)")
    stall = EvalDataset(
        [EvalRecord(id="a", context={"text": "a" * 22 + "b"})],
        [AssertionTask(id="t", context_path="text", operator="Matches", expected_value="(a+)+$")],
    )
    start = time.perf_counter()
    stall.evaluate()
    ours = time.perf_counter() - start
    backtracking = re.compile("(a+)+$")
    start = time.perf_counter()
    backtracking.search("a" * 22 + "b")
    theirs = time.perf_counter() - start
    print(
        f"  (a+)+$ on 'a' * 22 + 'b': engine {ours * 1000:.2f} ms, Python re {theirs * 1000:.0f} ms"
        " (re doubles with each further 'a')"
    )


if __name__ == "__main__":
    main()
