"""A Prefect before 3.7 beside a fastapi its server cannot run with is named, with the fix."""

from __future__ import annotations

import warnings

import pytest

from scouter_flows.flows import versions


@pytest.mark.parametrize(
    ("prefect", "fastapi", "fails"),
    [
        ("3.4.21", "0.131.0", False),
        ("3.4.21", "0.132.0", True),
        ("3.6.29", "0.150.0", True),
        ("3.7.7", "0.150.0", False),
        ("3.9.1", "0.137.0", False),
    ],
)
def test_the_servers_fastapi_problem_is_found_by_version(
    prefect: str, fastapi: str, fails: bool
) -> None:
    problem = versions.server_fastapi_problem(prefect, fastapi)
    assert (problem is not None) == fails
    if problem:
        assert f"Prefect {prefect}'s server fails with fastapi {fastapi}" in problem
        assert 'pip install "fastapi<0.132"' in problem


def test_a_local_server_that_would_fail_is_warned_of_and_a_remote_one_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    installed = {"prefect": "3.5.0", "fastapi": "0.150.0"}
    monkeypatch.setattr(versions, "version", installed.__getitem__)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with pytest.warns(RuntimeWarning, match=r"Prefect 3\.5\.0.*fastapi<0\.132"):
        versions.warn_if_the_local_server_would_fail()
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect.internal:4200/api")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        versions.warn_if_the_local_server_would_fail()
