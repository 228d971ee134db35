"""Soak: scheduled windows on a real Prefect server with a flaky Slack (not a test).

Starts `prefect server start` and `scouter-flows serve` on 127.0.0.1, serves one drifting PSI
profile on a one-minute cron (each window re-alerts: the cool-down is shorter than a window),
and points Slack at a fake Web API that answers 500 to a share of its requests. After
`--minutes` it prints the runs the scheduler created and finished, the Slack messages delivered
per window (exactly one each, or the duplicates and misses), the alerts still unsent, and the
orphaned rows in the store.

    python benchmarks/soak.py --minutes 5 --failure-rate 0.3

Run from the repository root (it borrows the tests' fake Slack and server helpers).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' helpers

from scouter_flows import (
    Drifter,
    PsiAlertConfig,
    PsiDriftConfig,
    SlackDispatchConfig,
    Store,
)
from scouter_flows.sources.sample import generate_sample_data
from tests.fake_providers import SLACK_TOKEN, fake_slack
from tests.real_prefect import (
    deployment,
    flow_runs,
    prefect_server,
    serving,
    wait_for,
)

NAME = "drift-monitor/credit-soak-1.0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--failure-rate", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="scouter-flows-soak-"))
    data = generate_sample_data(
        root / "data", start=datetime.now(UTC) - timedelta(days=1), days=2, rows_per_day=200_000
    )
    store_url = f"sqlite:///{root / 'store.db'}"
    config = PsiDriftConfig(
        space="credit",
        name="soak",
        version="1.0",
        alert_config=PsiAlertConfig(
            schedule="* * * * *",
            dispatch_config=[SlackDispatchConfig(channel="#soak")],
            cooldown=timedelta(seconds=30),
        ),
    )
    with Store(store_url, auto_upgrade=True) as store:
        store.register_profile(Drifter().create_drift_profile(data.baseline, config))
    rng = random.Random(args.seed)
    script = ["500" if rng.random() < args.failure_rate else "ok" for _ in range(10_000)]
    with fake_slack(*script) as slack, prefect_server(root) as server:
        env = {"SLACK_BOT_TOKEN": SLACK_TOKEN, "SLACK_API_URL": f"{slack.url}/api/"}
        source = ("--source", data.logs_glob, "--url", store_url)
        with serving(server, root / "serve.log", *source, env=env) as process:
            found = wait_for("the deployment", lambda: deployment(server.api, NAME), 120, process)
            started = time.monotonic()
            time.sleep(args.minutes * 60)
            # let the runs already due finish (their dispatch retries wait up to 90 s)
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                busy = flow_runs(server.api, found["id"], "RUNNING", "PENDING")
                if not busy:
                    break
                time.sleep(2)
            elapsed = time.monotonic() - started
            now = datetime.now(UTC)
            runs = flow_runs(server.api, found["id"])
    due = [r for r in runs if datetime.fromisoformat(r["expected_start_time"]) <= now]
    states = Counter(r["state_type"] for r in due)
    with Store(store_url) as store:
        stored = store.runs()
        outbox = store.open_alerts()
        orphans = store.orphans()
    per_window = Counter(
        next(
            (w for w in map(str, stored["window_start"].to_list()) if _mentions(r.body, w)),
            "unknown",
        )
        for r in slack.delivered
    )
    drifted_windows = int((stored["status"] == "drift").sum())
    print(f"soak of {elapsed / 60:.1f} min, Slack failing {args.failure_rate:.0%} of requests")
    print(f"  runs scheduled and due: {len(due)}; finished: {dict(states)}")
    print(f"  windows stored: {stored.height}, of which drifted: {drifted_windows}")
    print(
        f"  Slack requests: {len(slack.received)}, delivered: {len(slack.delivered)}, "
        f"windows with exactly one message: {sum(1 for c in per_window.values() if c == 1)}, "
        f"with more: {sum(1 for c in per_window.values() if c > 1)}, "
        f"drifted windows with none: {max(0, drifted_windows - len(per_window))}"
    )
    print(f"  alerts still open (pending, failed, abandoned): {outbox.height}")
    print(f"  orphaned rows: {sum(orphans.values())} {orphans}")


def _mentions(body: object, window_start: str) -> bool:
    """Whether a Slack message is about the window that starts at `window_start` (its text
    names the window as `[start, end)`; a window's end is the next one's start)."""
    stamp = datetime.fromisoformat(window_start).astimezone(UTC)
    return f"[{stamp.isoformat()}," in json.dumps(body)


if __name__ == "__main__":
    main()
