"""GenAI evaluation throughput: assertion tasks over many records.

Evaluates --records records x 5 assertion tasks (a string check, a regex, a numeric range, a
length bound and an any-of membership) and prints task-evaluations per second, with the same
run's plain Python loop over the same values as the anchor (the floor of any per-record work).

    python benchmarks/evaluate.py --records 100000
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from scouter_flows.evaluate import AssertionTask, EvalRecord, GenAIEvalDataset

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


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    records = _records(args.records)
    dataset = GenAIEvalDataset(records, TASKS)
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


if __name__ == "__main__":
    main()
