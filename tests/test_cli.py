"""The console script: schema commands, profile creation, and errors without tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scouter_flows import PsiDriftProfile
from scouter_flows.sources.sample import SampleData
from scouter_flows.sqla import POSTGRES_DRIVER
from tests.support import CLI, head_revision, run_cli

HEAD_REVISION = head_revision()

_run = run_cli


@pytest.mark.parametrize("columns", [None, 40, 300])
def test_db_upgrade_then_current(store_url: str, columns: int | None) -> None:
    # A narrow terminal never breaks the message (URLs and paths are longer than 40).
    upgraded = _run("db", "upgrade", "--url", store_url, columns=columns)
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert f"schema revision {HEAD_REVISION}" in upgraded.stdout
    current = _run("db", "current", "--url", store_url, columns=columns)
    (line,) = current.stdout.splitlines()
    assert line.endswith(f"schema revision {HEAD_REVISION}")


def test_db_prune(store_url: str) -> None:
    assert _run("db", "upgrade", "--url", store_url).returncode == 0
    done = _run("db", "prune", "--older-than", "90d", "--url", store_url)
    assert done.returncode == 0, done.stdout + done.stderr
    expected = "deleted 0 drift runs, 0 eval runs, 0 spans, 0 data profiles, 0 inference logs"
    assert expected in done.stdout
    bad = _run("db", "prune", "--older-than", "90 days", "--url", store_url)
    assert bad.returncode != 0
    assert "age '90 days' is not a positive whole number" in bad.stdout + bad.stderr


def test_profile_create(sample_data: SampleData, tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    done = _run(
        "profile",
        "create",
        str(sample_data.baseline),
        "--space",
        "s",
        "--name",
        "n",
        "--output",
        str(out),
        "--feature",
        "income",
        "--feature",
        "country",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(PsiDriftProfile.load_from_json(out).features) == ["country", "income"]


def test_sample_then_register_a_scheduled_profile(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    import polars as pl

    from scouter_flows import Store

    data = tmp_path / "sample"
    done = _run("sample", "--dir", str(data), "--days", "4")
    assert done.returncode == 0, done.stdout + done.stderr
    days = sorted(p.name for p in (data / "logs").iterdir())
    assert len(days) == 4
    assert days[-1] == f"date={datetime.now(UTC).date().isoformat()}"  # logs up to today
    assert pl.scan_parquet(data / "logs" / "*" / "*.parquet").select(pl.len()).collect().item()
    profile = tmp_path / "p.json"
    made = _run(
        "profile", "create", str(data / "baseline.parquet"), "--space", "s", "--name", "n",
        "--schedule", "0 6 * * 1-5", "-o", str(profile),
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    url = f"sqlite:///{tmp_path / 'store.db'}"
    registered = _run("profile", "register", str(profile), "--url", url)
    assert registered.returncode == 0, registered.stdout + registered.stderr
    assert "registered s/n/0.1.0 (psi)" in registered.stdout
    with Store(url) as store:
        assert store.monitors() == [
            {
                "space": "s",
                "name": "n",
                "version": "0.1.0",
                "drift_type": "psi",
                "schedule": "0 6 * * 1-5",
            }
        ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("db", "current", "--url", "mysql://u:pw-123@h/db"), "unsupported store database"),
        (
            ("profile", "create", "/nope/*.parquet", "--space", "s", "--name", "n", "-o", "x.json"),
            "no file matches the glob",
        ),
    ],
)
def test_errors_exit_2_with_a_message_and_no_traceback(args: tuple[str, ...], message: str) -> None:
    done = _run(*args)
    assert done.returncode == 2
    assert message in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert "pw-123" not in done.stdout + done.stderr


def test_db_check_counts_orphans_and_repair_removes_them(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    import polars as pl
    import sqlalchemy as sa

    from scouter_flows import Store, Window
    from scouter_flows.store import schema

    url = f"sqlite:///{tmp_path / 'store.db'}"
    clean = _run("db", "check", "--url", url)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "orphaned rows: 0 eval results" in clean.stdout
    start = datetime(2026, 11, 1, tzinfo=UTC)
    rows = pl.DataFrame(
        {"record_id": ["a", "b"], "task_id": ["t", "t"], "status": ["pass", "fail"]}
    ).with_columns(value=pl.lit(None, pl.String), message=pl.lit(None, pl.String))
    from tests.store.test_concurrency import _profile

    with Store(url) as store:
        profile_id = store.register_profile(_profile())
        written = store.write_eval_run(
            profile_id, Window(start, start + timedelta(days=1)), rows, records=2, pass_rate=0.5
        )
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the run deleted behind the store's back
        conn.execute(sa.delete(schema.eval_runs).where(schema.eval_runs.c.id == written.run_id))
    engine.dispose()
    found = _run("db", "check", "--url", url)
    assert found.returncode == 1
    assert "orphaned rows: 2 eval results" in found.stdout
    assert "db check --repair" in found.stdout
    repaired = _run("db", "check", "--repair", "--url", url)
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "removed 2 orphaned rows" in repaired.stdout
    assert _run("db", "check", "--url", url).returncode == 0


def test_a_malformed_records_file_is_named_without_a_traceback(tmp_path: Path) -> None:
    records = tmp_path / "records.ndjson"
    records.write_text('{"id": "1", "context": {"a": 1}}\n{"id": "2", "context": {"a": \n')
    task_file = tmp_path / "tasks.yaml"
    task_file.write_text(
        "tasks:\n  - id: has_a\n    context_path: a\n    operator: Equals\n    expected_value: 1\n"
    )
    done = _run("eval", "run", "--tasks", str(task_file), "--records", str(records), "--no-save")
    assert done.returncode == 2
    said = " ".join(done.stdout.split())  # the console wraps long lines
    assert f"{records}: cannot be read as eval records" in said
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("args", "usage", "message"),
    [
        (("nope",), "Usage: scouter-flows [OPTIONS] COMMAND", "No such command 'nope'"),
        (("db", "prune"), "Usage: scouter-flows db prune [OPTIONS]", "Missing option"),
        (("db", "upgrade", "--bogus"), "Usage: scouter-flows db upgrade", "No such option"),
    ],
)
def test_usage_errors_print_the_usage_line_and_exit_2(
    args: tuple[str, ...], usage: str, message: str
) -> None:
    done = _run(*args)
    assert done.returncode == 2
    assert usage in done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_version_and_install_hints(sample_data: SampleData, tmp_path: Path) -> None:
    from scouter_flows import __version__

    version = _run("--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"scouter-flows {__version__}")
    blocked = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.modules[{POSTGRES_DRIVER!r}] = None; "
            "from scouter_flows.cli import main; main()",
            *("db", "current", "--url", "postgresql://u@127.0.0.1/db"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**__import__("os").environ, "COLUMNS": "200"},
    )
    assert blocked.returncode == 2
    # What installs the driver is printed (psycopg2 on SQLAlchemy 1.4, which has no psycopg 3).
    hint = "psycopg2-binary" if POSTGRES_DRIVER == "psycopg2" else "'scouter-flows[postgres]'"
    assert f"pip install {hint}" in blocked.stdout
    # An unexpected error is one line, unless --debug asks for the traceback.
    args = ("profile", "create", str(sample_data.baseline), "--space", "s", "--name", "n")
    odd = _run(*args, "-o", str(tmp_path))  # a folder where the file should go
    assert odd.returncode == 1
    assert "IsADirectoryError" in odd.stdout
    assert "--debug" in odd.stdout
    assert "Traceback" not in odd.stdout + odd.stderr
    assert "Traceback" in _run("--debug", *args, "-o", str(tmp_path)).stderr


def test_the_documented_task_file_and_records_run_as_written(tmp_path: Path) -> None:
    """docs/evaluation.md's tasks.yaml, records.ndjson and commands, as the page gives them."""
    import shlex

    from tests.support import doc_block, readme_commands

    page = "docs/evaluation.md"
    (tmp_path / "tasks.yaml").write_text(doc_block("## Task files", "yaml", page))
    records = doc_block("Records are one JSON object per line", "json", page)
    (tmp_path / "records.ndjson").write_text(records)
    # The next batch: q2 now names the wrong city, so `grounded` fails for it.
    (tmp_path / "new.ndjson").write_text(records.replace("Rome, the capital", "Milan"))
    env = {**os.environ, "SCOUTER_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"}
    first, second = readme_commands("From the shell, with the store keeping", page)
    done = [
        subprocess.run(
            [*CLI, *shlex.split(command)[1:]],
            cwd=tmp_path,
            env={**env, "COLUMNS": "200"},
            capture_output=True,
            text=True,
            check=False,
        )
        for command in (first, second)
    ]
    assert done[0].returncode == 0, done[0].stdout + done[0].stderr
    assert "stored as eval run 1" in done[0].stdout
    assert "grounded" in done[0].stdout
    assert done[1].returncode == 1, done[1].stdout + done[1].stderr
    assert "new failure: record q2, task grounded" in done[1].stdout
    assert "regressed against eval run 1" in done[1].stdout
