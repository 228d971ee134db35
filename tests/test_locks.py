"""The locks under locks/ test what pyproject.toml declares: its floors, the oldest and newest
Prefect and the oldest Airflow."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _direct(extra: str | None = None) -> list[Requirement]:
    """The requirements of the package (and of `extra`, following self-references)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["optional-dependencies"][extra] if extra else project["dependencies"]
    found: list[Requirement] = []
    for text in listed:
        requirement = Requirement(text)
        if canonicalize_name(requirement.name) == "scouter-flows":
            for inner in sorted(requirement.extras):
                found += _direct(inner)
        elif requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            found.append(requirement)
    return found


def _at_floor(requirement: Requirement, pin: str | None) -> bool:
    """Whether `pin` is the floor release (`>=5` is met by 5.0.1 when 5.0.0 was never out)."""
    floors = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
    assert len(floors) == 1, f"{requirement}: give one lower bound (>=) to test"
    if pin is None or not requirement.specifier.contains(pin):
        return False
    release = floors[0].release
    return Version(pin).release[: len(release)] == release


def _pins(lock: str = "lowest.txt") -> dict[str, str]:
    text = (ROOT / "locks" / lock).read_text()
    return {
        canonicalize_name(m["name"]): m["version"]
        for m in re.finditer(r"^(?P<name>[A-Za-z0-9_.\-]+)==(?P<version>\S+)", text, re.M)
    }


@pytest.mark.parametrize("extra", [None, "dev"])
def test_every_direct_dependency_is_locked_at_its_floor(extra: str | None) -> None:
    pins = _pins()
    stale = {
        str(r): pins.get(canonicalize_name(r.name))
        for r in _direct(extra)
        if not _at_floor(r, pins.get(canonicalize_name(r.name)))
    }
    assert stale == {}, "locks/lowest.txt is out of date with pyproject.toml: run `make locks`"


@pytest.mark.parametrize(
    ("lock", "extra", "package", "edge"),
    [
        ("prefect-oldest", "prefect", "prefect", "floor"),
        ("prefect-newest", "prefect", "prefect", "top"),
        ("airflow-oldest", "airflow", "apache-airflow", "floor"),
    ],
)
def test_each_orchestrator_lock_sits_on_an_edge_of_its_range(
    lock: str, extra: str, package: str, edge: str
) -> None:
    (declared,) = [r for r in _direct(extra) if canonicalize_name(r.name) == package]
    lines = (ROOT / "locks" / f"{lock}.in").read_text().splitlines()
    asked = [Requirement(line) for line in lines if line.strip() and line[0] != "#"]
    (wanted,) = [r for r in asked if canonicalize_name(r.name) == package]
    pin = _pins(f"{lock}.txt")[package]
    assert declared.specifier.contains(pin), f"{package} {pin} is outside {declared}: make locks"
    assert wanted.specifier.contains(pin), f"{package} {pin} is not {wanted}: run `make locks`"
    if edge == "floor":
        assert _at_floor(declared, pin), f"{package} {pin} is not the floor of {declared}"
