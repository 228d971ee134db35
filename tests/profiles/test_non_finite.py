"""A profile with a non-finite edge, centre or threshold is refused, before it is stored."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from scouter_flows import ConfigError, Drifter, PsiDriftConfig, SpcDriftConfig, Store
from scouter_flows.tasks.drift import load_profile

FRAME = pl.DataFrame({"a": np.random.default_rng(0).normal(size=2_000)})
PSI = PsiDriftConfig(space="s", name="psi")
SPC = SpcDriftConfig(space="s", name="spc", sample_size=10)


@pytest.mark.parametrize(
    ("config", "path", "value"),
    [
        (PsiDriftConfig(space="s", name="psi"), ("features", "a", "edges", 1), "NaN"),
        (PsiDriftConfig(space="s", name="psi"), ("features", "a", "edges", 0), "-Infinity"),
        (SpcDriftConfig(space="s", name="spc", sample_size=10), ("features", "a", "center"), "NaN"),
        (
            SpcDriftConfig(space="s", name="spc", sample_size=10),
            ("features", "a", "sigma"),
            "Infinity",
        ),
    ],
)
def test_a_non_finite_number_in_a_profile_file_is_refused_before_it_is_stored(
    config: PsiDriftConfig | SpcDriftConfig,
    path: tuple[str | int, ...],
    value: str,
    tmp_path: Path,
) -> None:
    profile = Drifter().create_drift_profile(FRAME, config)
    data = json.loads(profile.model_dump_json())
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    target[last] = "__bad__"
    file = tmp_path / "profile.json"
    file.write_text(json.dumps(data).replace('"__bad__"', value))  # as Python's json writes it
    url = f"sqlite:///{tmp_path / 'store.db'}"
    field = ".".join(str(p) for p in path)
    with pytest.raises(ConfigError, match=f"{file}: .*{field}: Input should be a finite number"):
        load_profile(str(file), url)
    with Store(url) as store:
        assert store.profiles().height == 0
        assert store.monitors() == []
