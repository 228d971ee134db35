"""Profiles round-trip through JSON; wrong drift types and unknown schema versions fail clearly."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from scouter_flows import ConfigError, Drifter, PsiDriftConfig, PsiDriftProfile


@pytest.fixture
def profile() -> PsiDriftProfile:
    data = pl.DataFrame({"x": [float(i) for i in range(200)], "c": ["a", "b"] * 100})
    return Drifter().create_drift_profile(data, PsiDriftConfig(space="s", name="n", version="1.0"))


def test_round_trip(profile: PsiDriftProfile, tmp_path: Path) -> None:
    path = profile.save_to_json(tmp_path / "profile.json")
    assert PsiDriftProfile.load_from_json(path) == profile
    assert json.loads(profile.model_dump_json())["schema_version"] == 1


def test_unknown_schema_version(profile: PsiDriftProfile, tmp_path: Path) -> None:
    body = json.loads(profile.model_dump_json())
    body["schema_version"] = 99
    path = tmp_path / "p.json"
    path.write_text(json.dumps(body))
    with pytest.raises(ConfigError, match=r"p\.json.*unknown schema_version 99"):
        PsiDriftProfile.load_from_json(path)


def test_other_drift_type(profile: PsiDriftProfile, tmp_path: Path) -> None:
    body = json.loads(profile.model_dump_json())
    body["drift_type"] = "spc"
    path = tmp_path / "p.json"
    path.write_text(json.dumps(body))
    with pytest.raises(ConfigError, match="expected a 'psi' drift profile, found drift_type='spc'"):
        PsiDriftProfile.load_from_json(path)


@pytest.mark.parametrize(("text", "message"), [("{", "not valid JSON"), ("[1]", "JSON object")])
def test_malformed_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        PsiDriftProfile.load_from_json(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="profile file not found"):
        PsiDriftProfile.load_from_json(tmp_path / "nope.json")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"space": "has space", "name": "n"}, "space"),
        ({"space": "s", "name": ""}, "name"),
        ({"space": "s", "name": "n", "features_to_monitor": ["a", "a"]}, "duplicate"),
        ({"space": "s", "name": "n", "binning": {"num_bins": 1}}, "num_bins"),
        ({"space": "s", "name": "n", "unknown": 1}, "unknown"),
    ],
)
def test_config_validation_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        PsiDriftConfig(**kwargs)  # type: ignore[arg-type]
