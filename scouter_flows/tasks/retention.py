"""Retention: delete results older than an age, as a step any orchestrator can schedule."""

from __future__ import annotations

import re
from datetime import timedelta

from scouter_flows.errors import ConfigError
from scouter_flows.store.store import Store

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_AGE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")


def parse_age(text: str) -> timedelta:
    """`90d`, `12h`, `2w`, `30m` or `45s` as a timedelta.

    Raises:
        ConfigError: anything else, or an age of zero.
    """
    match = _AGE.match(text)
    if not match or int(match.group(1)) == 0:
        raise ConfigError(
            f"age {text!r} is not a positive whole number followed by a unit: s, m, h, d or w "
            "(for example 90d)"
        )
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def prune_results(older_than: str | timedelta, store_url: str | None = None) -> dict[str, int]:
    """Delete runs, eval runs, spans and inference logs older than `older_than`; return the
    rows deleted per kind."""
    age = parse_age(older_than) if isinstance(older_than, str) else older_than
    with Store(store_url) as store:
        return store.prune(age)
