"""Every operator, table-driven: a passing case, a failing case and a type mismatch."""

from __future__ import annotations

from typing import Any

import pytest

from scouter_flows import ConfigError
from scouter_flows.evaluate import ComparisonOperator
from scouter_flows.evaluate.comparisons import UncheckableError, compile_check

Op = ComparisonOperator
SCHEMA = {"type": "object", "required": ["score"], "properties": {"score": {"type": "integer"}}}

# operator: (expected_value, passing actual, failing actual, type-mismatched actual or None)
CASES: dict[ComparisonOperator, tuple[Any, Any, Any, Any]] = {
    Op.Equals: ([1, 2, 3], [1.0, 2, 3], [1, 2], None),
    Op.NotEqual: ("a", "b", "a", None),
    Op.GreaterThan: (3, 4, 3, "4"),
    Op.GreaterThanOrEqual: (3, 3, 2.5, True),
    Op.LessThan: (3, 2, 3, None),
    Op.LessThanOrEqual: (3, 3.0, 4, [1]),
    Op.Contains: ("lo", "hello", "help", 5),
    Op.NotContains: ("x", ["a", "b"], ["x"], 5),
    Op.StartsWith: ("he", "hello", "oh", 1),
    Op.EndsWith: ("lo", "hello", "help", None),
    Op.Matches: (r"^\d{3}$", "123", "12a", 123),
    Op.MatchesRegex: (r"cat|dog", "hotdog", "bird", None),
    Op.HasLengthEqual: (2, {"a": 1, "b": 2}, "abc", 12),
    Op.HasLengthGreaterThan: (1, [1, 2], [1], None),
    Op.HasLengthLessThan: (3, "ab", "abc", None),
    Op.HasLengthGreaterThanOrEqual: (2, "ab", "a", 3.5),
    Op.HasLengthLessThanOrEqual: (2, [1, 2], [1, 2, 3], None),
    Op.IsNumeric: (None, 5.5, "5", None),
    Op.IsString: (None, "x", 1, None),
    Op.IsBoolean: (None, False, 0, None),
    Op.IsNull: (None, None, 0, None),
    Op.IsArray: (None, [], {}, None),
    Op.IsObject: (None, {}, [], None),
    Op.IsEmail: (None, "a.b@example.org", "a@b", 7),
    Op.IsUrl: (None, "https://example.org/x", "ftp://example.org", None),
    Op.IsUuid: (None, "123e4567-e89b-12d3-a456-426614174000", "123e4567", None),
    Op.IsIso8601: (None, "2026-12-01T10:00:00Z", "01/12/2026", 20261201),
    Op.IsJson: (None, '{"a": [1]}', "{a: 1}", {"a": 1}),
    Op.InRange: ([1, 5], 5, 6, "3"),
    Op.NotInRange: ([1, 5], 0, 1, None),
    Op.IsPositive: (None, 0.1, 0, "1"),
    Op.IsNegative: (None, -1, 0, None),
    Op.IsZero: (None, 0.0, 1e-9, None),
    Op.ContainsAll: (["a", "b"], ["b", "a", "c"], ["a"], "ab"),
    Op.ContainsAny: (["x", "b"], ["b"], ["c"], 3),
    Op.ContainsNone: (["x"], ["a"], ["x", "a"], None),
    Op.SequenceMatches: ([1, 2], [1, 2], [2, 1], True),
    Op.IsEmpty: (None, "", [0], 0),
    Op.IsNotEmpty: (None, {"a": 1}, None, False),
    Op.HasUniqueItems: (None, [1, 2, "1"], [{"a": 1}, {"a": 1}], "abc"),
    Op.IsAlphabetic: (None, "Straße", "abc1", None),
    Op.IsAlphanumeric: (None, "abc123", "abc 123", None),
    Op.IsLowerCase: (None, "abc123", "aBc", 1),
    Op.IsUpperCase: (None, "ABC!", "ABc", None),
    Op.ContainsWord: ("cat", "the cat sat", "concatenate", None),
    Op.ApproximatelyEquals: ([1.0, 0.01], 1.005, 1.02, "1.0"),
    Op.IsNotNull: (None, 0, None, None),
    Op.EqualsIgnoreCase: ("Paris", "PARIS", "Rome", None),
    Op.ContainsIgnoreCase: ("PAR", "paris", "rome", None),
    Op.NotMatches: (r"\bsorry\b", "here you go", "I am sorry", None),
    Op.StartsWithAny: (["Yes", "Sure"], "Sure, here", "No", None),
    Op.EndsWithAny: ([".", "!"], "done.", "done", None),
    Op.WordCountBetween: ([2, 4], "two words", "one", None),
    Op.LevenshteinAtMost: (["kitten", 3], "sitting", "sat", None),
    Op.MatchesJsonSchema: (SCHEMA, '{"score": 4}', {"score": "4"}, None),
    Op.ContainsJson: (None, 'The answer: {"a": 1} done', "no json here", None),
    Op.AllItems: ({"operator": "GreaterThan", "expected_value": 0}, [1, 2], [1, -1], "x"),
    Op.AnyItem: (
        {"operator": "Equals", "expected_value": "b", "item_context_path": "name"},
        [{"name": "a"}, {"name": "b"}],
        [{"name": "a"}],
        None,
    ),
}


def test_there_are_at_least_fifty_operators_and_every_one_is_in_the_table() -> None:
    assert len(ComparisonOperator) >= 50
    assert set(CASES) == set(ComparisonOperator)


@pytest.mark.parametrize("operator", list(CASES), ids=str)
def test_operator_passes_fails_and_reports_type_mismatch(operator: ComparisonOperator) -> None:
    expected, good, bad, wrong = CASES[operator]
    check = compile_check(operator, expected)
    assert check(good, {}) is None
    failure = check(bad, {})
    assert isinstance(failure, str)
    assert failure
    if wrong is not None:
        mismatch = check(wrong, {})
        assert mismatch is not None
        assert " needs " in mismatch
        assert "got" in mismatch or "has none" in mismatch


@pytest.mark.parametrize(
    ("operator", "expected", "message"),
    [
        ("GreaterThan", "4", "needs a finite number"),
        ("Matches", "(", "invalid regular expression"),
        ("InRange", [5, 1], "is reversed"),
        ("InRange", 3, "[min, max]"),
        ("ApproximatelyEquals", 1.0, "[value, tolerance]"),
        ("HasLengthEqual", -1, "whole number >= 0"),
        ("IsNumeric", "yes", "takes no expected_value"),
        ("ContainsAll", "ab", "needs a list"),
        ("MatchesJsonSchema", {"type": "nonsense"}, "invalid JSON schema"),
        ("AllItems", {"expected_value": 1}, "needs expected_value"),
        ("Unknown", 1, "unknown operator 'Unknown'"),
    ],
)
def test_bad_expected_values_fail_when_the_check_is_built(
    operator: str, expected: Any, message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("(", r"\(")):
        compile_check(operator, expected)


def test_false_negates_a_unary_operator() -> None:
    assert compile_check("IsNull", False)(1, {}) is None
    assert compile_check("IsNull", False)(None, {}) == "null is null"


def test_whole_values_are_compared_and_types_are_never_coerced() -> None:
    equals = compile_check("Equals", [1, 2, 3])
    assert equals([1, 2, 3], {}) is None  # an array equals an array (Scouter fans out)
    assert "compared a string" in (compile_check("Equals", 5)("5", {}) or "")
    assert compile_check("Equals", 1)(True, {}) is not None  # true is not 1


def test_template_expected_values_are_read_from_the_record() -> None:
    check = compile_check("Equals", "${reference.answer}")
    assert check("Paris", {"reference": {"answer": "Paris"}}) is None
    assert check("Rome", {"reference": {"answer": "Paris"}}) is not None
    # A value that cannot be read or used is no verdict on the answer: an error, not a fail.
    with pytest.raises(UncheckableError, match="has no key 'reference'"):
        check("Paris", {})
    with pytest.raises(UncheckableError, match="needs a finite number"):
        compile_check("GreaterThan", "${limit}")(3, {"limit": "2"})


def test_an_expected_value_that_does_not_resolve_is_an_error_for_the_record() -> None:
    from scouter_flows.evaluate import AssertionTask, EvalDataset, EvalRecord

    task = AssertionTask(
        id="grounded", context_path="answer", operator="Equals", expected_value="${reference}"
    )
    records = [
        EvalRecord(id="ok", context={"answer": "Paris", "reference": "Paris"}),
        EvalRecord(id="wrong", context={"answer": "Rome", "reference": "Paris"}),
        EvalRecord(id="no_reference", context={"answer": "Paris"}),
    ]
    results = EvalDataset(records, [task]).evaluate()
    assert results.statuses() == {
        ("ok", "grounded"): "pass",
        ("wrong", "grounded"): "fail",
        ("no_reference", "grounded"): "error",
    }


def test_a_whole_float_is_a_length() -> None:
    check = compile_check("HasLengthEqual", 2.0)
    assert check([1, 2], {}) is None
    assert check("abc", {}) is not None
    with pytest.raises(ConfigError, match="whole number"):
        compile_check("HasLengthEqual", 2.5)


@pytest.mark.parametrize(
    ("pattern", "matching", "other"),
    [
        (r"^\p{Lu}", "Paris", "paris"),  # Unicode classes
        (r"end\z", "the end", "the end\n"),  # end of text
        (r"^(?<city>[A-Z]\w+)$", "Rome", "rome"),  # named groups, Rust's spelling
        (r"caf\x{e9}", "caf\u00e9", "cafe"),  # braced hex escapes
        (r"^[[:alpha:]]+$", "abc", "ab1"),  # POSIX classes
        (r"^[\w&&[^\d]]+$", "abc", "a1"),  # class intersection
        (r"^hello$", "hello", "hello\n"),  # `$` is the very end, as in Scouter
    ],
)
def test_patterns_mean_what_they_mean_in_scouter(pattern: str, matching: str, other: str) -> None:
    check = compile_check("Matches", pattern)
    assert check(matching, {}) is None
    assert check(other, {}) is not None
    batch = check.check_all
    assert batch is not None
    assert batch([matching, other, 3], check.prepared) == [
        check(matching, {}),
        check(other, {}),
        check(3, {}),
    ]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a)\1", "backreferences are not supported"),
        (r"(?=a)b", "look-around"),
        (r"[b-a]", "invalid character class range"),
    ],
)
def test_patterns_outside_the_dialect_are_refused_when_built(pattern: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=rf"Matches: invalid regular expression .*{reason}"):
        compile_check("Matches", pattern)


def test_a_pattern_that_backtracks_exponentially_elsewhere_answers_at_once() -> None:
    # A backtracking engine needs about 2**n steps here; this one reads the text once.
    check = compile_check("Matches", "(a+)+$")
    assert "does not match" in str(check("a" * 40 + "b", {}))
    assert check("a" * 40, {}) is None
    assert compile_check("NotMatches", "(a+)+c")("a" * 40 + "b", {}) is None


@pytest.mark.parametrize("operator", ["AllItems", "AnyItem"])
def test_item_checks_over_many_records_answer_as_one_record_at_a_time(operator: str) -> None:
    check = compile_check(
        operator,
        {"operator": "Matches", "expected_value": r"^\p{Lu}", "item_context_path": "name"},
    )
    actuals: list[Any] = [
        [{"name": "Paris"}, {"name": "Rome"}],
        [{"name": "Paris"}, {"name": "rome"}],
        [{"name": "paris"}, {"other": 1}],
        [{"name": 3}],
        [],
        "not a list",
    ]
    batch = check.check_all
    assert batch is not None
    answers = batch(actuals, check.prepared)
    assert answers == [check(a, {}) for a in actuals]
    assert answers[0] is None
    assert (answers[1] is None) is (operator == "AnyItem")
    assert answers[2] is not None
    assert "empty" in str(answers[4])
