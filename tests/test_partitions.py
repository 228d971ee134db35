"""Partitioned runs: partials of by-file, by-hive and by-hash parts merge to the single-task run."""

from __future__ import annotations

from pathlib import Path

import pytest

from scouter_flows.errors import ConfigError, DataError
from scouter_flows.profiles.results import AnyResult, CustomDriftResult, PsiDriftResult
from scouter_flows.sources.files import FileSource
from scouter_flows.tasks import compute_partition, compute_window_drift, finalize_partitions
from scouter_flows.tasks.partitions import (
    PerformanceSpec,
    partial_from_json,
    partial_to_json,
    plan_partitions,
)
from scouter_flows.window import Window
from tests.partition_samples import SplitLogs, write_split_logs

PERFORMANCE = PerformanceSpec(task="binary", prediction="prediction", label="label", score="score")


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> tuple[SplitLogs, str]:
    root = tmp_path_factory.mktemp("split")
    url = f"sqlite:///{root / 'store.db'}"
    return write_split_logs(root, url), url


def assert_same(left: AnyResult, right: AnyResult) -> None:
    """Counts exactly equal, floats within 1e-9."""
    assert left.rows == right.rows
    if isinstance(left, PsiDriftResult):
        assert isinstance(right, PsiDriftResult)
        for a, b in zip(left.features, right.features, strict=True):
            assert (a.feature, a.status, a.observed_rows) == (b.feature, b.status, b.observed_rows)
            assert a.value == pytest.approx(b.value, abs=1e-9)
            assert a.observed_proportions == pytest.approx(b.observed_proportions, abs=1e-12)
    else:
        assert isinstance(left, CustomDriftResult)
        assert isinstance(right, CustomDriftResult)
        for a, b in zip(left.metrics, right.metrics, strict=True):
            assert (a.metric, a.status, a.observations) == (b.metric, b.status, b.observations)
            assert a.value == pytest.approx(b.value, abs=1e-9)


@pytest.mark.parametrize(
    ("by", "parts", "hash_column", "expected_parts"),
    [
        ("file", 3, None, 3),
        ("file", 20, None, 8),
        ("hive", 8, None, 2),
        ("hash", 5, None, 5),
        ("hash", 4, "request_id", 4),
    ],
)
@pytest.mark.parametrize("kind", ["psi", "custom", "performance"])
def test_partitioned_run_equals_single_task(
    split: tuple[SplitLogs, str],
    kind: str,
    by: str,
    parts: int,
    hash_column: str | None,
    expected_parts: int,
) -> None:
    logs, url = split
    ref = getattr(logs, kind)
    performance = PERFORMANCE if kind == "performance" else None
    source = FileSource(path=logs.glob)
    window = Window.parse(*logs.window)
    single = compute_window_drift(ref, source, window, url, performance)
    plan = plan_partitions(source, window, by=by, parts=parts, hash_column=hash_column)  # type: ignore[arg-type]
    assert len(plan) == expected_parts
    # Each partition crosses JSON both ways, as it does between Airflow tasks.
    partials = [
        partial_to_json(
            compute_partition(ref, part.model_dump(mode="json"), window, url, performance)
        )
        for part in plan
    ]
    rows = [partial_from_json(p).rows for p in partials]
    assert all(r > 0 for r in rows)
    assert sum(rows) == single.rows
    assert_same(finalize_partitions(ref, partials, url), single)


def test_by_file_parts_cover_every_file_once(split: tuple[SplitLogs, str]) -> None:
    logs, _ = split
    source = FileSource(path=logs.glob)
    window = Window.parse(*logs.window)
    plan = plan_partitions(source, window, by="file", parts=3)
    listed = [f for part in plan for f in part.source.paths()]
    assert sorted(listed) == source.window_files(window)
    assert len(listed) == 8


def test_one_day_window_never_plans_the_other_days_files(split: tuple[SplitLogs, str]) -> None:
    logs, _ = split
    start, _ = logs.window
    window = Window.parse(start, start.replace(day=start.day + 1))
    plan = plan_partitions(FileSource(path=logs.glob), window, by="hive")
    assert len(plan) == 1
    assert all("date=2026-11-19" in f for f in plan[0].source.paths())


def test_spc_profiles_are_refused_with_the_reason(split: tuple[SplitLogs, str]) -> None:
    logs, url = split
    window = Window.parse(*logs.window)
    part = plan_partitions(FileSource(path=logs.glob), window, by="hash", parts=2)[0]
    refused = r"s/spc/0.1.0 is a 'spc' profile.*one task.*consecutive rows"
    with pytest.raises(ConfigError, match=refused):
        compute_partition(logs.spc, part, window, url)


def test_performance_needs_a_custom_metric_profile(split: tuple[SplitLogs, str]) -> None:
    logs, url = split
    window = Window.parse(*logs.window)
    with pytest.raises(ConfigError, match=r"s/psi/0\.1\.0 is a psi profile"):
        compute_window_drift(logs.psi, FileSource(path=logs.glob), window, url, PERFORMANCE)


def test_bad_plans_and_partials_are_named(split: tuple[SplitLogs, str], tmp_path: Path) -> None:
    logs, url = split
    window = Window.parse(*logs.window)
    with pytest.raises(ConfigError, match="parts must be at least 1, got 0"):
        plan_partitions(FileSource(path=logs.glob), window, parts=0)
    with pytest.raises(ConfigError, match=r"s3://bucket/logs/.*partition the window by row hash"):
        plan_partitions(FileSource(path="s3://bucket/logs/*.parquet"), window, by="file")
    with pytest.raises(DataError, match="no partial statistics to merge"):
        finalize_partitions(logs.psi, [], url)
    with pytest.raises(DataError, match="kind 'histogram'"):
        partial_from_json({"kind": "histogram", "partial": {}})
    psi_part = compute_partition(
        logs.psi, plan_partitions(FileSource(path=logs.glob), window)[0], window, url
    )
    custom_part = compute_partition(
        logs.custom, plan_partitions(FileSource(path=logs.glob), window)[0], window, url
    )
    with pytest.raises(DataError, match=r"different kinds: \['CustomPartial', 'PsiPartial'\]"):
        finalize_partitions(logs.psi, [psi_part, custom_part], url)
    hashed = plan_partitions(FileSource(path=logs.glob), window, by="hash", hash_column="nope")
    with pytest.raises(DataError, match="hash column 'nope' is not in"):
        compute_partition(logs.psi, hashed[0], window, url)
