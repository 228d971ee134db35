"""`InferenceLogger`: insert latency on the request path, and sink throughput.

Times every `insert` of --records records (one producer, as in a request handler) and prints
the latency percentiles, then the rate at which the background thread writes them to rotating
parquet files (insert of the first record to `close` returning).

    python benchmarks/logger.py --records 1000000
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np

from scouter_flows.sources.logger import InferenceLogger, ParquetSink


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    record = {"age": 41, "income": 52_000.0, "segment": "b", "score": 0.83, "model": "v3"}
    latencies = np.empty(args.records, dtype=np.int64)
    with tempfile.TemporaryDirectory() as folder:
        logger = InferenceLogger(ParquetSink(folder), batch_size=50_000)
        clock = time.perf_counter_ns
        start = time.perf_counter()
        for i in range(args.records):
            before = clock()
            logger.insert(record)
            latencies[i] = clock() - before
        inserted = time.perf_counter() - start
        logger.close()
        total = time.perf_counter() - start
    p50, p99, p999 = np.percentile(latencies, [50, 99, 99.9]) / 1000
    print(f"{args.records:,} inserts of a 5-field record, one producer")
    worst = latencies.max() / 1000
    print(f"  insert latency: p50 {p50:.2f} us, p99 {p99:.2f} us, p99.9 {p999:.2f} us")
    print(f"  slowest insert: {worst:.0f} us (a thread switch to the writer)")
    print(f"  inserts/s on the request path: {args.records / inserted:,.0f}")
    print(f"  sink throughput (first insert to close): {args.records / total:,.0f} records/s")
    print(f"  written {logger.written:,}, dropped {logger.dropped:,}")


if __name__ == "__main__":
    main()
