"""Bad files are named: a corrupt parquet body, a CSV header with a name twice; a huge model
output is not stored whole."""

from __future__ import annotations

import glob
import json
from pathlib import Path

import polars as pl
import pytest

from scouter_flows import DataError, Drifter, PsiDriftConfig, Store, Window, tasks
from scouter_flows.evaluate import AssertionTask, EvalDataset, EvalRecord
from scouter_flows.sources.files import FileSource, scan_files
from scouter_flows.sources.sample import SampleData, generate_sample_data


@pytest.fixture
def corrupt_day(tmp_path: Path) -> tuple[SampleData, str]:
    """Sample logs whose second day has a sound footer and corrupt pages."""
    data = generate_sample_data(tmp_path)
    path = sorted(glob.glob(data.logs_glob))[1]
    raw = bytearray(Path(path).read_bytes())
    for i in range(200, len(raw) // 2):
        raw[i] = 0xAB
    Path(path).write_bytes(raw)
    assert pl.read_parquet_schema(path)  # the footer still reads
    return data, path


def test_a_corrupt_parquet_body_names_the_file(
    corrupt_day: tuple[SampleData, str], tmp_path: Path
) -> None:
    data, path = corrupt_day
    url = f"sqlite:///{tmp_path / 'store.db'}"
    profile = Drifter().create_drift_profile(data.baseline, PsiDriftConfig(space="s", name="n"))
    ref = tasks.load_profile(str(profile.save_to_json(tmp_path / "p.json")), url)
    source = FileSource(path=data.logs_glob)
    window = Window(*data.day_window(1))
    with pytest.raises(DataError, match=f"^{path}: cannot be read \\(.*corrupt"):
        tasks.compute_window_drift(ref, source, window, url)
    with pytest.raises(DataError, match=f"^{path}: cannot be read"):
        tasks.profile_window(source, window)
    with Store(url) as store:
        assert store.runs().height == 0
    # The other days are fine.
    assert tasks.compute_window_drift(ref, source, Window(*data.day_window(0)), url).rows > 0


def test_a_csv_header_naming_a_column_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "logs.csv"
    path.write_text("timestamp,age,age\n2026-11-21T00:00:00Z,1,2\n")
    with pytest.raises(DataError, match=f"{path}: the CSV header names 'age' more than once"):
        scan_files(path)
    window = Window.parse("2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z")
    with pytest.raises(DataError, match="names 'age' more than once"):
        FileSource(path=str(path)).scan(window)


def test_a_huge_output_is_stored_as_its_size_and_head(tmp_path: Path) -> None:
    from scouter_flows import limits

    huge = "x" * 3_000_000
    records = [
        EvalRecord(id="big", context={"response": huge}),
        EvalRecord(id="small", context={"response": "ok"}),
    ]
    results = EvalDataset(
        records,
        [AssertionTask(id="said", context_path="response", operator="IsNotEmpty")],
    ).evaluate()
    frame = results.to_store_frame()
    stored = dict(zip(frame["record_id"], frame["value"], strict=True))
    marker = json.loads(stored["big"])
    assert marker["truncated"] is True
    assert marker["bytes"] == len(json.dumps(huge))
    assert marker["head"] == json.dumps(huge)[: limits.TRUNCATED_HEAD]
    assert json.loads(stored["small"]) == "ok"
    assert all(len(v.encode()) <= limits.STORED_VALUE for v in frame["value"])
