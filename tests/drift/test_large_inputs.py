"""Inputs too large to collect at once are read a column or a batch at a time: same results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from scouter_flows import (
    DataProfile,
    DataProfiler,
    Drifter,
    PsiDriftConfig,
    PsiDriftProfile,
    SpcDriftConfig,
    SpcDriftProfile,
)
from scouter_flows.drift import engine


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(11)
    x = rng.normal(size=6003)
    x[::97] = np.nan
    frame = pl.DataFrame(
        {
            "x": x,
            "y": rng.gamma(2.0, 1.5, 6003),
            "n": rng.integers(0, 40, 6003),
            "c": rng.choice(["a", "b", "c", "d"], 6003),
        }
    )
    folder = tmp_path_factory.mktemp("logs")
    for i, part in enumerate(frame.iter_slices(2000)):
        part.write_parquet(folder / f"part-{i}.parquet")
    return folder


def _profiles(glob: str) -> tuple[PsiDriftProfile, SpcDriftProfile, DataProfile]:
    drifter = Drifter()
    spc_config = SpcDriftConfig(space="s", name="q", features_to_monitor=["x", "y", "n"])
    return (
        drifter.create_drift_profile(glob, PsiDriftConfig(space="s", name="p")),
        drifter.create_drift_profile(glob, spc_config),
        DataProfiler().create_data_profile(glob, compute_correlations=True),
    )


def test_large_inputs_give_the_results_of_one_pass(
    logs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    glob = str(logs / "*.parquet")
    psi, spc, data = _profiles(glob)
    psi_drift, spc_drift = Drifter().compute_drift(glob, psi), Drifter().compute_drift(glob, spc)
    monkeypatch.setattr(engine, "IN_MEMORY_VALUES", 5_000)
    monkeypatch.setattr(engine, "BATCH_VALUES", 1_500)
    assert engine.is_large(pl.scan_parquet(glob), 4)
    psi_large, spc_large, data_large = _profiles(glob)

    assert psi_large.model_dump(exclude={"created_at"}) == psi.model_dump(exclude={"created_at"})
    assert Drifter().compute_drift(glob, psi) == psi_drift
    assert Drifter().compute_drift(glob, spc) == spc_drift
    for name, chart in spc.features.items():
        assert spc_large.features[name].center == pytest.approx(chart.center, abs=1e-12)
        assert spc_large.features[name].sigma == pytest.approx(chart.sigma, rel=1e-12)
    small_json, large_json = data.model_dump(), data_large.model_dump()
    assert large_json["features"]["c"] == small_json["features"]["c"]
    for name in ("x", "y", "n"):
        a, b = small_json["features"][name], large_json["features"][name]
        for key in ("count", "missing", "distinct"):
            assert a[key] == b[key]
        assert a["numeric"]["quantiles"] == b["numeric"]["quantiles"]
        assert a["numeric"]["histogram"] == b["numeric"]["histogram"]
        assert b["numeric"]["std"] == pytest.approx(a["numeric"]["std"], rel=1e-12)
    assert large_json["correlations"]["x"]["y"] == pytest.approx(
        small_json["correlations"]["x"]["y"], abs=1e-12
    )
