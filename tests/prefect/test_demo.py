"""`scouter-flows demo`: the table, at least one drifted and one stable feature, idempotent, in
its own store; the README's first example runs after it in the same home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prefect.settings import PREFECT_API_URL

from scouter_flows import Store
from tests.support import readme_example


def test_demo_twice_leaves_one_run_in_its_own_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'store.db'}"  # by default, next to its data
    # Point the console script at the session's test server instead of a new temporary one.
    env = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "COLUMNS": "120",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),  # where the user's own store would be
    }
    command = [sys.executable, "-c", "from scouter_flows.cli import main; main()"]
    for _ in range(2):
        done = subprocess.run(
            [*command, "demo", "--dir", str(tmp_path / "data")],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    assert not (tmp_path / "xdg").exists()  # the user's store is left alone
    assert "threshold" in done.stdout
    assert "drifted" in done.stdout
    with Store(url) as store:
        runs = store.runs()
        assert runs.height == 1
        results = store.drift_results(runs["run_id"][0])
    assert {"drift", "ok"} <= set(results["status"].to_list())
    for feature in results.filter(results["status"] == "drift")["feature"]:
        assert f"│ {feature} " in done.stdout
    # It ends by writing the run's report and saying where.
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("report:  ")
    page = Path(last.removeprefix("report:  ").split()[0])
    assert page.is_relative_to(tmp_path / "data" / "reports")
    assert "PSI drift: credit/default-risk/1.0.0" in page.read_text()


def test_the_readme_example_runs_after_the_demo_in_the_same_home(tmp_path: Path) -> None:
    project, home = tmp_path / "project", tmp_path / "home"
    project.mkdir()
    env = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
    }
    env.pop("SCOUTER_DATABASE_URL", None)  # both use their defaults
    # `make demo`'s command, then the README's first Prefect block as a reader pastes it.
    demo = [
        sys.executable,
        "-c",
        "from scouter_flows.cli import main; main()",
        "demo",
        "--dir",
        ".demo",
    ]
    for command in (demo, [sys.executable, "-c", readme_example("Prefect")]):
        done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
    assert "['income', 'credit_score', 'country']" in done.stdout  # the README's print
    users_store = f"sqlite:///{home / '.local' / 'share' / 'scouter-flows' / 'scouter-flows.db'}"
    for url in (f"sqlite:///{project / '.demo' / 'store.db'}", users_store):
        with Store(url) as store:
            assert store.runs()["status"].to_list() == ["drift"]
