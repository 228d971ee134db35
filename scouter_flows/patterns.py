"""Regular expressions in the dialect of Rust's `regex` crate, matched in linear time.

Task files written for Scouter use that crate's syntax (`\\p{Lu}`, `\\z`, `(?<name>...)`,
`\\x{e9}`, `[[:alpha:]]`, class intersection `[\\w&&[^\\d]]`), and its `$` matches only at the
very end of the text (LLM output often ends in a newline, which Python's `$` lets through).
Polars matches with the same crate, so a pattern means here what it means in Scouter, and no
pattern can stall an evaluation: matching is linear in the text. Backreferences and
look-around do not exist in that dialect; a pattern using them is refused when the task is
built, with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import polars as pl

_MEMO_SIZE = 4096  # single-text answers kept per pattern (span names repeat)


class PatternError(ValueError):
    """A pattern the dialect refuses; `reason` is the engine's reason."""

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"invalid regular expression {pattern!r}: {reason}")
        self.pattern, self.reason = pattern, reason


class Pattern:
    """A compiled pattern. `search` answers one text, `search_all` many at once (one call
    into the engine for the whole list, tens of nanoseconds per text).

    Example:
        >>> Pattern(r"^\\p{Lu}").search("Paris")
        True
        >>> Pattern("^hello$").search_all(["hello", "hello\\n"])
        [True, False]
        >>> try:
        ...     Pattern(r"(a)\\1")
        ... except PatternError as exc:
        ...     print(exc.reason)
        backreferences are not supported
    """

    __slots__ = ("_memo", "pattern")

    def __init__(self, pattern: str) -> None:
        try:
            pl.Series([""], dtype=pl.String).str.contains(pattern, strict=True)
        except pl.exceptions.ComputeError as exc:
            raise PatternError(pattern, _reason(exc)) from None
        self.pattern = pattern
        self._memo: dict[str, bool] = {}

    def search(self, text: str) -> bool:
        """Whether the pattern matches anywhere in `text`."""
        found = self._memo.get(text)
        if found is None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            found = self._memo[text] = bool(self.search_all([text])[0])
        return found

    def search_all(self, texts: Sequence[str | None]) -> list[bool | None]:
        """Whether the pattern matches anywhere in each of `texts` (None for a None).

        Raises:
            TypeError: an item is neither a string nor None.
        """
        try:
            series = pl.Series(texts, dtype=pl.String, strict=True)
        except (TypeError, pl.exceptions.PolarsError) as exc:
            raise TypeError(f"search_all takes strings; {exc}") from None
        return series.str.contains(self.pattern, strict=True).to_list()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pattern) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"Pattern({self.pattern!r})"


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Pattern:
    """`Pattern(pattern)`, compiled once per distinct pattern.

    Raises:
        PatternError: the pattern is not valid in the dialect; the message says why.
    """
    return Pattern(pattern)


def _reason(exc: Exception) -> str:
    """The engine's one-line reason (`error: ...`) out of its multi-line report."""
    lines = [line.strip() for line in str(exc).splitlines()]
    found = [line.removeprefix("error: ") for line in lines if line.startswith("error: ")]
    return found[0] if found else lines[0]
