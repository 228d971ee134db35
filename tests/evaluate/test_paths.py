"""Context paths: strict parsing, clear resolution errors."""

from __future__ import annotations

import pytest

from scouter_flows import ConfigError
from scouter_flows.evaluate.paths import PathError, format_path, make_getter, parse_path, resolve

CONTEXT = {
    "a": {"b": [{"c": 1}, {"c": 2}]},
    "my-key": {"with.dot": "x"},
    "list": [10, 20, 30],
    "1": "digit key",
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("a.b[0].c", 1),
        ("$.a.b[-1].c", 2),
        ("$a.b[1]", {"c": 2}),
        ('["my-key"]["with.dot"]', "x"),
        ("['my-key']['with.dot']", "x"),
        ("list[-1]", 30),
        ("1", "digit key"),
        ("$", CONTEXT),
        (None, CONTEXT),
    ],
)
def test_paths_resolve(path: str | None, value: object) -> None:
    segments = parse_path(path)
    assert resolve(CONTEXT, segments) == value
    assert make_getter(segments)(CONTEXT) == value


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("user-name", "at character 5"),
        ("a..b", "at character 3"),
        ("a[x]", "expected [n] or a quoted key"),
        ("a b", "at character 2"),
        ('a["open', "expected [n] or a quoted key"),
    ],
)
def test_malformed_paths_fail_when_parsed(path: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        parse_path(path)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("a.x", "$.a has no key 'x' (keys: 'b')"),
        ("a.b[5]", "$.a.b has 2 items, no index 5"),
        ("list.first", "$.list is an array, which has no key 'first' (use [n] to index a list)"),
        ("a.b[0].c.d", "$.a.b[0].c is a number, which has no key 'd'"),
        ('["my-key"]["with.dot"][0]', '$["my-key"]["with.dot"] is a string, which has no index'),
    ],
)
def test_unresolvable_paths_name_the_step(path: str, message: str) -> None:
    segments = parse_path(path)
    with pytest.raises(
        PathError,
        match=message.replace("[", r"\[")
        .replace("$", r"\$")
        .replace("(", r"\(")
        .replace(")", r"\)"),
    ):
        resolve(CONTEXT, segments)
    with pytest.raises(PathError):
        make_getter(segments)(CONTEXT)


def test_format_path_round_trips() -> None:
    for path in ("a.b[0].c", '["my-key"].x', "list[-2]"):
        segments = parse_path(path)
        assert parse_path(format_path(segments)) == segments
