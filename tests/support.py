"""Helpers shared by the tests: the examples of the README and docs/, raw SQL outside the store."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOC_PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
"""Every page whose Python blocks `tests/test_docs.py` checks."""


def readme_example(heading: str, page: str = "README.md") -> str:
    """The first ```python block of the section `heading` (a `#`, `##` or `###` line) of
    `page`, a path from the repository's root."""
    text = (ROOT / page).read_text(encoding="utf-8")
    match = re.search(rf"^#{{1,3}} {re.escape(heading)}\n", text, re.M)
    assert match, f"{page} has no heading {heading!r}"
    block = re.search(r"```python\n(.*?)```", text[match.end() :], re.S)
    assert block, f"no python block under {heading!r} in {page}"
    return block.group(1)


def doc_block(after: str, language: str, page: str = "README.md") -> str:
    """The first fenced block of `language` after the text `after` in `page`."""
    text = (ROOT / page).read_text(encoding="utf-8")
    match = re.search(rf"```{language}\n(.*?)```", text[text.index(after) :], re.S)
    assert match, f"no {language} block after {after!r} in {page}"
    return match.group(1)


def readme_commands(after: str, page: str = "README.md") -> list[str]:
    """The commands of the first ```bash block after the text `after` in `page`, one per
    command (backslash continuations joined, comments dropped)."""
    joined = doc_block(after, "bash", page).replace("\\\n", " ")
    commands = [re.sub(r"\s+#\s.*$", "", line).strip() for line in joined.splitlines()]
    return [" ".join(c.split()) for c in commands if c]


CLI = [sys.executable, "-c", "from scouter_flows.cli import main; main()"]
"""The console script, run by the tests' interpreter."""


def run_cli(*args: str, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    """Run `scouter-flows ARGS` (at `columns` wide), capturing its output."""
    env = {**os.environ, "COLUMNS": str(columns)} if columns else None
    return subprocess.run([*CLI, *args], capture_output=True, text=True, check=False, env=env)


RESET_POSTGRES = "DROP SCHEMA public CASCADE; CREATE SCHEMA public"


def run_sql(url: str, sql: str) -> None:
    """Run `sql` in one transaction on the database at `url`, outside any `Store`."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def head_revision() -> str:
    """The store's newest schema revision, as this checkout's migrations say."""
    from scouter_flows import Store

    return Store.head_revision()


def write_sqlite_table(path: Path, table: str, frame: pl.DataFrame) -> None:
    """Write `frame` as a new table of the SQLite file at `path`, with the standard library
    (Polars and pandas write through SQLAlchemy only from 2.0, and the floors run 1.4)."""
    import sqlite3

    columns = ", ".join(f'"{name}"' for name in frame.columns)
    marks = ", ".join("?" for _ in frame.columns)
    with sqlite3.connect(path) as conn:
        conn.execute(f'CREATE TABLE "{table}" ({columns})')
        conn.executemany(f'INSERT INTO "{table}" VALUES ({marks})', frame.rows())
    conn.close()


def build_wheel(out: Path) -> Path:
    """Build this checkout's wheel into `out` with the uv that `make test` installs."""
    import shutil
    import subprocess

    uv = ROOT / ".tools" / "bin" / "uv"
    command = str(uv) if uv.exists() else shutil.which("uv")
    assert command, "make test installs uv into .tools/bin"
    subprocess.run(
        [command, "build", "--wheel", "--out-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("scouter_flows-*.whl")
    return built


def pip_would_install(wheel: Path, extra: str, report: Path) -> dict[str, str]:
    """What plain `pip install "<wheel>[extra]"` would install or change in this test's
    environment (`pip install --dry-run --report`), as name -> version."""
    import json
    import subprocess
    import sys

    pip = ROOT / ".tools" / "bin" / "pip"  # the tools' pip, pointed at this environment
    options = ["--quiet", "--dry-run", "--disable-pip-version-check", "--report", str(report)]
    subprocess.run(
        [str(pip), "--python", sys.executable, "install", *options, f"{wheel}[{extra}]"],
        check=True,
        capture_output=True,
    )
    planned = json.loads(report.read_text())["install"]
    return {item["metadata"]["name"]: item["metadata"]["version"] for item in planned}


def assert_plain_pip_changes_only_scouter_flows(extra: str, tmp_path: Path) -> None:
    """Build the wheel and check that plain pip, asked for `scouter-flows[extra]` in this test's
    environment, would install scouter-flows and change nothing else (the orchestrator a team
    runs stays as it is)."""
    wheel = build_wheel(tmp_path / "dist")
    planned = pip_would_install(wheel, extra, tmp_path / "report.json")
    assert set(planned) == {"scouter-flows"}, planned


LARGE_ROWS = 500_000
"""Rows per file of `large_window`: four files of five features are 10 million values."""


def large_window(folder: Path) -> tuple[str, Any, str]:
    """Four hourly parquet files of 10 million feature values in all (the third shifted) and a
    PSI profile of `credit/big/1.0` as a file: (the files' glob, the first hour, the profile)."""
    from datetime import UTC, datetime, timedelta

    import numpy as np
    import polars as pl

    from scouter_flows import Drifter, PsiDriftConfig

    rng = np.random.default_rng(3)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    logs = folder / "logs"
    logs.mkdir()
    for i in range(4):
        frame = pl.DataFrame(
            {f"f{j}": rng.normal(size=LARGE_ROWS) + 0.2 * (i == 2) for j in range(5)}
        )
        first = start + timedelta(hours=i)
        stamps = pl.datetime_range(
            first, first + timedelta(hours=1), "1ms", eager=True, time_zone="UTC"
        )[:LARGE_ROWS]
        frame.with_columns(timestamp=stamps).write_parquet(logs / f"part-{i}.parquet")
    baseline = pl.DataFrame({f"f{j}": rng.normal(size=20_000) for j in range(5)})
    config = PsiDriftConfig(space="credit", name="big", version="1.0")
    profile = Drifter().create_drift_profile(baseline, config)
    return str(logs / "*.parquet"), start, str(profile.save_to_json(folder / "psi.json"))
