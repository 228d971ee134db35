"""Context paths: `a.b[0].c`, `items[-1]`, `a["my-key"]`, an optional leading `$`.

Differs from Scouter on purpose: a character the grammar does not allow is an error when the
task is built (Scouter drops it and reads another field), negative indexes count from the end,
any key is reachable through quotes, and a bare segment is always a key (use `[n]` to index).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from scouter_flows.errors import ConfigError

_KEY = re.compile(r"[A-Za-z0-9_]+")
_INDEX = re.compile(r"\[(-?\d+)\]")
_QUOTED = re.compile(r"""\[\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\]""")
_ESCAPE = re.compile(r"\\(.)")

Segment = str | int


class PathError(LookupError):
    """A path that does not resolve for one record (the task's status is `error`)."""


def parse_path(path: str | None) -> tuple[Segment, ...]:
    """The segments of `path` (keys as `str`, indexes as `int`); empty for the whole context.

    Raises:
        ConfigError: the path is malformed; the message points at the offending character.
    """
    if path is None:
        return ()
    text = path.strip()
    pos = 1 if text.startswith("$") else 0
    if pos < len(text) and text[pos] == ".":
        pos += 1
    segments: list[Segment] = []
    first = True
    while pos < len(text):
        char = text[pos]
        if char == "[":
            if index := _INDEX.match(text, pos):
                segments.append(int(index.group(1)))
                pos = index.end()
            elif quoted := _QUOTED.match(text, pos):
                raw = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
                segments.append(_ESCAPE.sub(r"\1", raw))
                pos = quoted.end()
            else:
                raise _malformed(path, pos, 'expected [n] or a quoted key such as ["my-key"]')
        else:
            if not first:
                if char != ".":
                    raise _malformed(path, pos, "expected '.', '[n]' or '[\"key\"]'")
                pos += 1
            key = _KEY.match(text, pos)
            if key is None:
                raise _malformed(
                    path, pos, "expected a key of letters, digits or '_' (quote other keys)"
                )
            segments.append(key.group(0))
            pos = key.end()
        first = False
    return tuple(segments)


def _malformed(path: str, pos: int, expected: str) -> ConfigError:
    return ConfigError(f"malformed context path {path!r} at character {pos + 1}: {expected}")


def format_path(segments: tuple[Segment, ...]) -> str:
    """The canonical text of a parsed path (`$` for the whole context)."""
    out = "$"
    for seg in segments:
        if isinstance(seg, int):
            out += f"[{seg}]"
        elif _KEY.fullmatch(seg):
            out += f".{seg}"
        else:
            escaped = seg.replace("\\", "\\\\").replace('"', '\\"')
            out += f'["{escaped}"]'
    return out


def resolve(value: Any, segments: tuple[Segment, ...]) -> Any:
    """The value at `segments` inside `value`.

    Raises:
        PathError: a key is missing, an index is out of range, or a step meets a value that
            has no keys or items; the message names the path up to that step.
    """
    for depth, seg in enumerate(segments):
        if isinstance(seg, str):
            if type(value) is dict:
                try:
                    value = value[seg]
                    continue
                except KeyError:
                    pass
                keys = ", ".join(repr(k) for k in list(value)[:10])
                raise PathError(
                    f"{format_path(segments[:depth])} has no key {seg!r} (keys: {keys or 'none'})"
                ) from None
            raise PathError(_wrong_container(segments, depth, value, f"key {seg!r}"))
        if type(value) is list:
            try:
                value = value[seg]
                continue
            except IndexError:
                raise PathError(
                    f"{format_path(segments[:depth])} has {len(value)} items, no index {seg}"
                ) from None
        raise PathError(_wrong_container(segments, depth, value, f"index [{seg}]"))
    return value


def make_getter(segments: tuple[Segment, ...]) -> Callable[[Any], Any]:
    """A function reading `segments` out of a value, as `resolve` does but faster: plain
    indexing on the happy path, `resolve` (for its message) when a step fails."""
    if not segments:
        return lambda value: value
    if any(isinstance(seg, int) for seg in segments):
        return lambda value: resolve(value, segments)

    # Keys only from here: a str, list or number meets a string key with TypeError, a dict
    # without it with KeyError (JSON objects have string keys), so indexing cannot misread.
    if len(segments) == 1:
        (a,) = segments

        def one(value: Any) -> Any:
            try:
                return value[a]
            except (KeyError, TypeError):
                return resolve(value, segments)

        return one
    if len(segments) == 2:
        a, b = segments

        def two(value: Any) -> Any:
            try:
                return value[a][b]
            except (KeyError, TypeError):
                return resolve(value, segments)

        return two

    def many(value: Any) -> Any:
        current = value
        try:
            for seg in segments:
                current = current[seg]
        except (KeyError, TypeError):
            return resolve(value, segments)
        return current

    return many


def _wrong_container(segments: tuple[Segment, ...], depth: int, value: Any, want: str) -> str:
    where = format_path(segments[:depth])
    hint = (
        " (use [n] to index a list)" if isinstance(value, list) and want.startswith("key") else ""
    )
    return f"{where} is {type_name(value)}, which has no {want}{hint}"


def type_name(value: Any) -> str:
    """The JSON type name of a Python value: null, boolean, number, string, array, object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
