"""Comparison operators: Scouter's 46, plus the checks promptfoo users rely on.

Every operator applies to the whole value (an array `Equals` an array compares the arrays);
`AllItems` and `AnyItem` apply an inner operator to each item. A value of the wrong type is a
`fail` whose message says which types met, never an exception. `expected_value` is checked when
the task is built (a bad regex, a range that is not `[min, max]`, ...), except a `"${path}"`
template, which is read from the record and checked then. Unary operators (`IsNumeric`,
`IsEmpty`, ...) take `expected_value` None or True, and False negates them (Scouter ignores it).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from scouter_flows.errors import ConfigError
from scouter_flows.evaluate.paths import PathError, parse_path, resolve, type_name
from scouter_flows.patterns import Pattern, compile_pattern


class ComparisonOperator(StrEnum):
    """What an assertion checks about the value at its context path."""

    Equals = "Equals"
    NotEqual = "NotEqual"
    GreaterThan = "GreaterThan"
    GreaterThanOrEqual = "GreaterThanOrEqual"
    LessThan = "LessThan"
    LessThanOrEqual = "LessThanOrEqual"
    Contains = "Contains"
    NotContains = "NotContains"
    StartsWith = "StartsWith"
    EndsWith = "EndsWith"
    Matches = "Matches"
    MatchesRegex = "MatchesRegex"
    HasLengthEqual = "HasLengthEqual"
    HasLengthGreaterThan = "HasLengthGreaterThan"
    HasLengthLessThan = "HasLengthLessThan"
    HasLengthGreaterThanOrEqual = "HasLengthGreaterThanOrEqual"
    HasLengthLessThanOrEqual = "HasLengthLessThanOrEqual"
    IsNumeric = "IsNumeric"
    IsString = "IsString"
    IsBoolean = "IsBoolean"
    IsNull = "IsNull"
    IsArray = "IsArray"
    IsObject = "IsObject"
    IsEmail = "IsEmail"
    IsUrl = "IsUrl"
    IsUuid = "IsUuid"
    IsIso8601 = "IsIso8601"
    IsJson = "IsJson"
    InRange = "InRange"
    NotInRange = "NotInRange"
    IsPositive = "IsPositive"
    IsNegative = "IsNegative"
    IsZero = "IsZero"
    ContainsAll = "ContainsAll"
    ContainsAny = "ContainsAny"
    ContainsNone = "ContainsNone"
    SequenceMatches = "SequenceMatches"
    IsEmpty = "IsEmpty"
    IsNotEmpty = "IsNotEmpty"
    HasUniqueItems = "HasUniqueItems"
    IsAlphabetic = "IsAlphabetic"
    IsAlphanumeric = "IsAlphanumeric"
    IsLowerCase = "IsLowerCase"
    IsUpperCase = "IsUpperCase"
    ContainsWord = "ContainsWord"
    ApproximatelyEquals = "ApproximatelyEquals"
    # Beyond Scouter (promptfoo's assertion vocabulary).
    IsNotNull = "IsNotNull"
    EqualsIgnoreCase = "EqualsIgnoreCase"
    ContainsIgnoreCase = "ContainsIgnoreCase"
    NotMatches = "NotMatches"
    StartsWithAny = "StartsWithAny"
    EndsWithAny = "EndsWithAny"
    WordCountBetween = "WordCountBetween"
    LevenshteinAtMost = "LevenshteinAtMost"
    MatchesJsonSchema = "MatchesJsonSchema"
    ContainsJson = "ContainsJson"
    AllItems = "AllItems"
    AnyItem = "AnyItem"


Check = Callable[[Any, Any], str | None]
"""(actual, prepared expected) -> None on pass, else the failure message."""


class UncheckableError(Exception):
    """The check cannot be made for this record (its `${path}` expected value does not
    resolve): an `error`, not a `fail`."""


Batch = Callable[[Sequence[Any], Any], list[str | None]]
"""(actuals, prepared expected) -> each actual's answer, as `Check` would give it."""


_TEMPLATE = re.compile(r"^\$\{([^}]+)\}$")
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_WORD = re.compile(r"\w+", re.UNICODE)


def _short(value: Any) -> str:
    if type(value) is str and len(value) <= 78 and value.isprintable() and '"' not in value:
        return f'"{value}"' if "\\" not in value else json.dumps(value, ensure_ascii=False)
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return repr(value)
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _mismatch(op: str, need: str, actual: Any) -> str:
    return f"{op} needs {need}, got {type_name(actual)} {_short(actual)}"


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: 5 == 5.0, but True != 1 and "5" != 5; arrays and objects structurally."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _length(actual: Any) -> int | None:
    if isinstance(actual, str | list | tuple | dict):
        return len(actual)
    return None


def _iso8601(text: str) -> bool:
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    for parse in (datetime.fromisoformat, date.fromisoformat):
        try:
            parse(candidate)
            return True
        except ValueError:
            continue
    return False


def _url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text


def _json_text(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _contains_json(text: str) -> bool:
    decoder = json.JSONDecoder()
    for start, char in enumerate(text):
        if char in "{[":
            try:
                decoder.raw_decode(text, start)
                return True
            except ValueError:
                continue
    return False


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


# -- expected-value preparation (at build time) -------------------------------------------


def _need_number(op: str, expected: Any) -> float:
    if not _is_number(expected) or not math.isfinite(expected):
        raise ValueError(f"{op} needs a finite number as expected_value, got {_short(expected)}")
    return float(expected)


def _need_count(op: str, expected: Any) -> int:
    # A whole float (2.0, as JSON and YAML writers often give it) is the same count.
    whole = isinstance(expected, float) and expected.is_integer()
    if (not isinstance(expected, int) and not whole) or isinstance(expected, bool) or expected < 0:
        raise ValueError(
            f"{op} needs a whole number >= 0 as expected_value, got {_short(expected)}"
        )
    return int(expected)


def _need_string(op: str, expected: Any) -> str:
    if not isinstance(expected, str):
        raise ValueError(f"{op} needs a string as expected_value, got {_short(expected)}")
    return expected


def _need_strings(op: str, expected: Any) -> tuple[str, ...]:
    if not isinstance(expected, list | tuple) or not all(isinstance(e, str) for e in expected):
        raise ValueError(f"{op} needs a list of strings as expected_value, got {_short(expected)}")
    return tuple(expected)


def _need_list(op: str, expected: Any) -> list[Any]:
    if not isinstance(expected, list | tuple):
        raise ValueError(f"{op} needs a list as expected_value, got {_short(expected)}")
    return list(expected)


def _need_pair(op: str, expected: Any, what: str) -> tuple[float, float]:
    if (
        not isinstance(expected, list | tuple)
        or len(expected) != 2
        or not all(_is_number(e) and math.isfinite(e) for e in expected)
    ):
        raise ValueError(f"{op} needs {what} as expected_value, got {_short(expected)}")
    return float(expected[0]), float(expected[1])


def _need_regex(op: str, expected: Any) -> Pattern:
    pattern = _need_string(op, expected)
    try:
        return compile_pattern(pattern)
    except ValueError as exc:
        raise ValueError(f"{op}: {exc}") from None


def _need_unary(op: str, expected: Any) -> bool:
    if expected is None or expected is True:
        return True
    if expected is False:
        return False
    raise ValueError(
        f"{op} takes no expected_value (or True; False negates it), got {_short(expected)}"
    )


def _need_range(op: str, expected: Any) -> tuple[float, float]:
    low, high = _need_pair(op, expected, "[min, max]")
    if low > high:
        raise ValueError(f"{op} range [{low}, {high}] is reversed: min must be <= max")
    return low, high


def _need_tolerance(op: str, expected: Any) -> tuple[float, float]:
    value, tolerance = _need_pair(op, expected, "[value, tolerance]")
    if tolerance < 0:
        raise ValueError(f"{op} tolerance must be >= 0, got {tolerance}")
    return value, tolerance


def _need_word_range(op: str, expected: Any) -> tuple[int, int]:
    if (
        not isinstance(expected, list | tuple)
        or len(expected) != 2
        or not all(isinstance(e, int) and not isinstance(e, bool) and e >= 0 for e in expected)
        or expected[0] > expected[1]
    ):
        raise ValueError(
            f"{op} needs [min_words, max_words] (whole numbers), got {_short(expected)}"
        )
    return int(expected[0]), int(expected[1])


def _need_levenshtein(op: str, expected: Any) -> tuple[str, int]:
    if (
        not isinstance(expected, list | tuple)
        or len(expected) != 2
        or not isinstance(expected[0], str)
        or not isinstance(expected[1], int)
        or isinstance(expected[1], bool)
        or expected[1] < 0
    ):
        raise ValueError(f"{op} needs [text, max_distance], got {_short(expected)}")
    return expected[0], expected[1]


def _need_schema(op: str, expected: Any) -> Any:
    from jsonschema import exceptions, validators

    if not isinstance(expected, dict | bool):
        raise ValueError(f"{op} needs a JSON schema (an object) as expected_value")
    cls = validators.validator_for(expected)
    try:
        cls.check_schema(expected)
    except exceptions.SchemaError as exc:
        raise ValueError(f"{op}: invalid JSON schema: {exc.message}") from None
    return cls(expected)


# -- checks ---------------------------------------------------------------------------------


def _numeric(op: str, test: Callable[[float, float], bool], sign: str) -> Check:
    def check(actual: Any, expected: float) -> str | None:
        if not _is_number(actual):
            return _mismatch(op, "a number", actual)
        return None if test(actual, expected) else f"{_short(actual)} is not {sign} {expected:g}"

    return check


def _length_check(op: str, test: Callable[[int, int], bool], sign: str) -> Check:
    def check(actual: Any, expected: int) -> str | None:
        n = _length(actual)
        if n is None:
            return _mismatch(op, "a string, array or object", actual)
        return None if test(n, expected) else f"length {n} is not {sign} {expected}"

    return check


def _unary(op: str, need: str | None, test: Callable[[Any], bool], what: str) -> Check:
    """A one-value check; `need` names the type it applies to (None: any value)."""

    def check(actual: Any, positive: bool) -> str | None:
        if need is not None and not _accepts(need, actual):
            return _mismatch(op, need, actual)
        if test(actual) is positive:
            return None
        return f"{_short(actual)} is {'not ' if positive else ''}{what}"

    return check


def _accepts(need: str, actual: Any) -> bool:
    if need == "a string":
        return isinstance(actual, str)
    if need == "a number":
        return _is_number(actual)
    if need == "an array":
        return isinstance(actual, list | tuple)
    return isinstance(actual, str | list | tuple | dict) or actual is None  # emptiness


def _equals(actual: Any, expected: Any) -> str | None:
    if _equal(actual, expected):
        return None
    if type_name(actual) != type_name(expected) and not (actual is None or expected is None):
        return f"Equals compared {type_name(actual)} {_short(actual)} with {type_name(expected)}"
    return f"{_short(actual)} != {_short(expected)}"


def _not_equal(actual: Any, expected: Any) -> str | None:
    return f"{_short(actual)} equals {_short(expected)}" if _equal(actual, expected) else None


def _contains(actual: Any, expected: Any) -> str | None:
    if isinstance(actual, str):
        if not isinstance(expected, str):
            return f"Contains on a string needs a string, got {type_name(expected)}"
        return (
            None if expected in actual else f"{_short(actual)} does not contain {_short(expected)}"
        )
    if isinstance(actual, list | tuple):
        if any(_equal(item, expected) for item in actual):
            return None
        return f"array does not contain {_short(expected)}"
    if isinstance(actual, dict):
        if isinstance(expected, str):
            return None if expected in actual else f"object has no key {expected!r}"
        return f"Contains on an object needs a key (a string), got {type_name(expected)}"
    return _mismatch("Contains", "a string, array or object", actual)


def _not_contains(actual: Any, expected: Any) -> str | None:
    message = _contains(actual, expected)
    if message is None:
        return f"{_short(actual)} contains {_short(expected)}"
    if " needs " in message:
        return message.replace("Contains", "NotContains", 1)
    return None


def _string_check(op: str, test: Callable[[str, Any], bool], describe: str) -> Check:
    def check(actual: Any, expected: Any) -> str | None:
        if not isinstance(actual, str):
            return _mismatch(op, "a string", actual)
        return None if test(actual, expected) else f"{_short(actual)} {describe} {_short(expected)}"

    return check


def _regex(op: str, negate: bool = False) -> Check:
    def check(actual: Any, pattern: Pattern) -> str | None:
        if not isinstance(actual, str):
            return _mismatch(op, "a string", actual)
        return _regex_verdict(actual, pattern.search(actual), pattern, negate)

    return check


def _regex_all(op: str, negate: bool = False) -> Batch:
    """The regex check over many values with one call into the engine."""

    def check_all(actuals: Sequence[Any], pattern: Pattern) -> list[str | None]:
        try:
            found: list[bool | None] = pattern.search_all(actuals)  # all strings or null
        except TypeError:  # some other type: match the strings only
            texts = iter(pattern.search_all([a for a in actuals if isinstance(a, str)]))
            found = [next(texts) if isinstance(a, str) else None for a in actuals]
        passed = not negate
        return [
            None
            if hit is passed
            else _mismatch(op, "a string", actual)
            if hit is None
            else _regex_verdict(actual, hit, pattern, negate)
            for actual, hit in zip(actuals, found, strict=True)
        ]

    return check_all


def _regex_spec(op: str, negate: bool = False) -> _Spec:
    """A regex operator: one value at a time, or all of a task's values in one call."""
    return _Spec(_regex(op, negate), _need_regex, _regex_all(op, negate))


def _regex_verdict(actual: str, found: bool, pattern: Pattern, negate: bool) -> str | None:
    if found != negate:
        return None
    verb = "matches" if negate else "does not match"
    return f"{_short(actual)} {verb} /{pattern.pattern}/"


def _in_range(op: str, inside: bool) -> Check:
    def check(actual: Any, bounds: tuple[float, float]) -> str | None:
        if not _is_number(actual):
            return _mismatch(op, "a number", actual)
        within = bounds[0] <= actual <= bounds[1]
        if within == inside:
            return None
        where = "outside" if inside else "inside"
        return f"{_short(actual)} is {where} [{bounds[0]:g}, {bounds[1]:g}]"

    return check


def _collection(op: str, mode: str) -> Check:
    def check(actual: Any, expected: list[Any]) -> str | None:
        if isinstance(actual, str) and mode == "any":
            found = [e for e in expected if isinstance(e, str) and e in actual]
            return None if found else f"{_short(actual)} contains none of {_short(expected)}"
        if not isinstance(actual, list | tuple):
            return _mismatch(op, "an array", actual)
        present = [e for e in expected if any(_equal(item, e) for item in actual)]
        if mode == "all":
            missing = [e for e in expected if e not in present]
            return None if not missing else f"array lacks {_short(missing)}"
        if mode == "any":
            return None if present else f"array holds none of {_short(expected)}"
        return None if not present else f"array holds {_short(present)}"

    return check


def _sequence(actual: Any, expected: list[Any]) -> str | None:
    if not isinstance(actual, list | tuple):
        return _mismatch("SequenceMatches", "an array", actual)
    return None if _equal(list(actual), expected) else f"{_short(actual)} != {_short(expected)}"


def _unique(actual: Any, positive: bool) -> str | None:
    if not isinstance(actual, list | tuple):
        return _mismatch("HasUniqueItems", "an array", actual)
    keys = [_canonical(item) for item in actual]
    unique = len(set(keys)) == len(keys)
    if unique is positive:
        return None
    return "array has repeated items" if positive else "array items are all unique"


def _case(op: str, lower: bool) -> Check:
    def check(actual: Any, positive: bool) -> str | None:
        if not isinstance(actual, str):
            return _mismatch(op, "a string", actual)
        letters = [c for c in actual if c.isalpha()]
        if not letters:
            return f"{op} needs letters, {_short(actual)} has none"
        ok = all(c.islower() for c in letters) if lower else all(c.isupper() for c in letters)
        if ok is positive:
            return None
        return (
            f"{_short(actual)} is {'not ' if positive else ''}{'lower' if lower else 'upper'} case"
        )

    return check


def _approx(actual: Any, expected: tuple[float, float]) -> str | None:
    if not _is_number(actual):
        return _mismatch("ApproximatelyEquals", "a number", actual)
    value, tolerance = expected
    if abs(actual - value) <= tolerance:
        return None
    return f"{_short(actual)} differs from {value:g} by more than {tolerance:g}"


def _word_count(actual: Any, bounds: tuple[int, int]) -> str | None:
    if not isinstance(actual, str):
        return _mismatch("WordCountBetween", "a string", actual)
    n = len(_WORD.findall(actual))
    return None if bounds[0] <= n <= bounds[1] else f"{n} words, not in [{bounds[0]}, {bounds[1]}]"


def _levenshtein(actual: Any, expected: tuple[str, int]) -> str | None:
    from rapidfuzz.distance import Levenshtein

    if not isinstance(actual, str):
        return _mismatch("LevenshteinAtMost", "a string", actual)
    distance = Levenshtein.distance(actual, expected[0])
    if distance <= expected[1]:
        return None
    return f"edit distance {distance} from {_short(expected[0])} exceeds {expected[1]}"


def _schema(actual: Any, validator: Any) -> str | None:
    value = actual
    if isinstance(actual, str):
        try:
            value = json.loads(actual)
        except ValueError:
            return f"MatchesJsonSchema: {_short(actual)} is not JSON"
    error = next(iter(validator.iter_errors(value)), None)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return f"schema mismatch at {where}: {error.message}"


def _word(actual: Any, expected: str) -> str | None:
    if not isinstance(actual, str):
        return _mismatch("ContainsWord", "a string", actual)
    if re.search(rf"\b{re.escape(expected)}\b", actual):
        return None
    return f"{_short(actual)} lacks the word {expected!r}"


@dataclass(frozen=True, slots=True)
class _Spec:
    check: Check
    prepare: Callable[[str, Any], Any]
    check_all: Batch | None = None


def _any(op: str, expected: Any) -> Any:
    return expected


def _u(need: str | None, test: Callable[[Any], bool], what: str) -> Callable[[str], _Spec]:
    return lambda op: _Spec(_unary(op, need, test, what), _need_unary)


_STR = "a string"
_SPECS: dict[ComparisonOperator, _Spec] = {}


def _register() -> None:
    o = ComparisonOperator
    specs: dict[ComparisonOperator, _Spec] = {
        o.Equals: _Spec(_equals, _any),
        o.NotEqual: _Spec(_not_equal, _any),
        o.GreaterThan: _Spec(_numeric("GreaterThan", lambda a, e: a > e, ">"), _need_number),
        o.GreaterThanOrEqual: _Spec(
            _numeric("GreaterThanOrEqual", lambda a, e: a >= e, ">="), _need_number
        ),
        o.LessThan: _Spec(_numeric("LessThan", lambda a, e: a < e, "<"), _need_number),
        o.LessThanOrEqual: _Spec(
            _numeric("LessThanOrEqual", lambda a, e: a <= e, "<="), _need_number
        ),
        o.Contains: _Spec(_contains, _any),
        o.NotContains: _Spec(_not_contains, _any),
        o.StartsWith: _Spec(
            _string_check("StartsWith", str.startswith, "does not start with"), _need_string
        ),
        o.EndsWith: _Spec(
            _string_check("EndsWith", str.endswith, "does not end with"), _need_string
        ),
        o.Matches: _regex_spec("Matches"),
        o.MatchesRegex: _regex_spec("MatchesRegex"),
        o.NotMatches: _regex_spec("NotMatches", negate=True),
        o.HasLengthEqual: _Spec(_length_check("HasLengthEqual", int.__eq__, "=="), _need_count),
        o.HasLengthGreaterThan: _Spec(
            _length_check("HasLengthGreaterThan", int.__gt__, ">"), _need_count
        ),
        o.HasLengthLessThan: _Spec(
            _length_check("HasLengthLessThan", int.__lt__, "<"), _need_count
        ),
        o.HasLengthGreaterThanOrEqual: _Spec(
            _length_check("HasLengthGreaterThanOrEqual", int.__ge__, ">="), _need_count
        ),
        o.HasLengthLessThanOrEqual: _Spec(
            _length_check("HasLengthLessThanOrEqual", int.__le__, "<="), _need_count
        ),
        o.IsNumeric: _u(None, _is_number, "a number")("IsNumeric"),
        o.IsString: _u(None, lambda v: isinstance(v, str), "a string")("IsString"),
        o.IsBoolean: _u(None, lambda v: isinstance(v, bool), "a boolean")("IsBoolean"),
        o.IsNull: _u(None, lambda v: v is None, "null")("IsNull"),
        o.IsNotNull: _u(None, lambda v: v is not None, "not null")("IsNotNull"),
        o.IsArray: _u(None, lambda v: isinstance(v, list | tuple), "an array")("IsArray"),
        o.IsObject: _u(None, lambda v: isinstance(v, dict), "an object")("IsObject"),
        o.IsEmail: _u(_STR, lambda v: bool(_EMAIL.match(v)), "an email address")("IsEmail"),
        o.IsUrl: _u(_STR, _url, "an http(s) URL")("IsUrl"),
        o.IsUuid: _u(_STR, lambda v: bool(_UUID.match(v)), "a UUID")("IsUuid"),
        o.IsIso8601: _u(_STR, _iso8601, "an ISO-8601 date or time")("IsIso8601"),
        o.IsJson: _u(_STR, _json_text, "JSON")("IsJson"),
        o.ContainsJson: _u(_STR, _contains_json, "text holding JSON")("ContainsJson"),
        o.InRange: _Spec(_in_range("InRange", inside=True), _need_range),
        o.NotInRange: _Spec(_in_range("NotInRange", inside=False), _need_range),
        o.IsPositive: _u("a number", lambda v: v > 0, "positive")("IsPositive"),
        o.IsNegative: _u("a number", lambda v: v < 0, "negative")("IsNegative"),
        o.IsZero: _u("a number", lambda v: v == 0, "zero")("IsZero"),
        o.ContainsAll: _Spec(_collection("ContainsAll", "all"), _need_list),
        o.ContainsAny: _Spec(_collection("ContainsAny", "any"), _need_list),
        o.ContainsNone: _Spec(_collection("ContainsNone", "none"), _need_list),
        o.SequenceMatches: _Spec(_sequence, _need_list),
        o.IsEmpty: _u("a string, array, object or null", lambda v: not v, "empty")("IsEmpty"),
        o.IsNotEmpty: _u("a string, array, object or null", bool, "non-empty")("IsNotEmpty"),
        o.HasUniqueItems: _Spec(_unique, _need_unary),
        o.IsAlphabetic: _u(_STR, lambda v: v == "" or v.isalpha(), "alphabetic")("IsAlphabetic"),
        o.IsAlphanumeric: _u(_STR, lambda v: v == "" or v.isalnum(), "alphanumeric")(
            "IsAlphanumeric"
        ),
        o.IsLowerCase: _Spec(_case("IsLowerCase", lower=True), _need_unary),
        o.IsUpperCase: _Spec(_case("IsUpperCase", lower=False), _need_unary),
        o.ContainsWord: _Spec(_word, _need_string),
        o.ApproximatelyEquals: _Spec(_approx, _need_tolerance),
        o.EqualsIgnoreCase: _Spec(
            _string_check("EqualsIgnoreCase", lambda a, e: a.casefold() == e.casefold(), "!="),
            _need_string,
        ),
        o.ContainsIgnoreCase: _Spec(
            _string_check(
                "ContainsIgnoreCase", lambda a, e: e.casefold() in a.casefold(), "does not contain"
            ),
            _need_string,
        ),
        o.StartsWithAny: _Spec(
            _string_check("StartsWithAny", str.startswith, "starts with none of"), _need_strings
        ),
        o.EndsWithAny: _Spec(
            _string_check("EndsWithAny", str.endswith, "ends with none of"), _need_strings
        ),
        o.WordCountBetween: _Spec(_word_count, _need_word_range),
        o.LevenshteinAtMost: _Spec(_levenshtein, _need_levenshtein),
        o.MatchesJsonSchema: _Spec(_schema, _need_schema),
    }
    _SPECS.update(specs)


_register()


@dataclass(frozen=True, slots=True)
class CompiledCheck:
    """A validated check: `fn(actual, prepared)`, or `fn(actual, context)` when the expected
    value is a `"${path}"` template read from the record."""

    fn: Callable[[Any, Any], str | None]
    prepared: Any
    needs_context: bool
    check_all: Batch | None = None
    """Checks many values against `prepared` at once (the regex operators), same answers."""

    def __call__(self, actual: Any, context: Any) -> str | None:
        """None when `actual` passes, else why it fails."""
        return self.fn(actual, context if self.needs_context else self.prepared)


def compile_check(operator: ComparisonOperator | str, expected: Any) -> CompiledCheck:
    """A check of `operator` against `expected`, validated now.

    Raises:
        ConfigError: unknown operator or an expected value it cannot use.
    """
    op = _operator(operator)
    if op in (ComparisonOperator.AllItems, ComparisonOperator.AnyItem):
        return _compile_items(op, expected)
    spec = _SPECS[op]
    if isinstance(expected, str) and (template := _TEMPLATE.match(expected)):
        segments = parse_path(template.group(1))

        def templated(actual: Any, context: Any) -> str | None:
            try:
                value = resolve(context, segments)
                prepared = spec.prepare(op.value, value)
            except (PathError, ValueError) as exc:
                raise UncheckableError(f"expected value {expected}: {exc}") from None
            return spec.check(actual, prepared)

        return CompiledCheck(templated, None, needs_context=True)
    try:
        prepared = spec.prepare(op.value, expected)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return CompiledCheck(spec.check, prepared, needs_context=False, check_all=spec.check_all)


def _operator(operator: ComparisonOperator | str) -> ComparisonOperator:
    try:
        return ComparisonOperator(operator)
    except ValueError:
        known = ", ".join(o.value for o in ComparisonOperator)
        raise ConfigError(f"unknown operator {operator!r}; known: {known}") from None


def _compile_items(op: ComparisonOperator, expected: Any) -> CompiledCheck:
    if not isinstance(expected, dict) or "operator" not in expected:
        raise ConfigError(
            f"{op.value} needs expected_value {{'operator': ..., 'expected_value': ..., "
            f"'item_context_path': optional}}, got {_short(expected)}"
        )
    unknown = set(expected) - {"operator", "expected_value", "item_context_path"}
    if unknown:
        raise ConfigError(f"{op.value}: unknown keys {sorted(unknown)} in expected_value")
    inner = compile_check(expected["operator"], expected.get("expected_value"))
    item_path = parse_path(expected.get("item_context_path"))
    every = op is ComparisonOperator.AllItems

    def items(actual: Any) -> tuple[str | None, list[Any]]:
        """Why `actual` cannot be checked item by item, or its items (a PathError per item
        whose path does not resolve)."""
        if not isinstance(actual, list | tuple):
            return _mismatch(op.value, "an array", actual), []
        if not actual:
            return f"{op.value} needs at least one item; the array is empty", []
        values: list[Any] = []
        for item in actual:
            try:
                values.append(resolve(item, item_path))
            except PathError as exc:
                values.append(exc)
        return None, values

    def verdict(messages: Sequence[str | None]) -> str | None:
        failures = [f"item {i}: {m}" for i, m in enumerate(messages) if m is not None]
        if every:
            return failures[0] if failures else None
        if len(failures) < len(messages):
            return None
        return f"no item passed ({failures[0]}{'; ...' if len(failures) > 1 else ''})"

    def check(actual: Any, context: Any) -> str | None:
        problem, values = items(actual)
        if problem is not None:
            return problem
        return verdict([str(v) if isinstance(v, PathError) else inner(v, context) for v in values])

    if inner.needs_context or inner.check_all is None:
        return CompiledCheck(check, None, needs_context=True)
    batch = inner.check_all

    def check_all(actuals: Sequence[Any], prepared: Any) -> list[str | None]:
        # Every item of every record through the inner check's one call, then per record.
        split = [items(a) for a in actuals]
        flat = [v for _, values in split for v in values if not isinstance(v, PathError)]
        answers = iter(batch(flat, inner.prepared))
        out: list[str | None] = []
        for problem, values in split:
            if problem is not None:
                out.append(problem)
                continue
            out.append(
                verdict([str(v) if isinstance(v, PathError) else next(answers) for v in values])
            )
        return out

    return CompiledCheck(check, None, needs_context=False, check_all=check_all)


def is_unary(operator: ComparisonOperator | str) -> bool:
    """Whether the operator takes no expected value."""
    spec = _SPECS.get(_operator(operator))
    return spec is not None and spec.prepare is _need_unary


def known_operators() -> list[str]:
    """Every operator name."""
    return [o.value for o in ComparisonOperator]


__all__ = [
    "ComparisonOperator",
    "CompiledCheck",
    "compile_check",
    "is_unary",
    "known_operators",
]
