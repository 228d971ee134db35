"""Ages for retention, and the prune step any orchestrator schedules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scouter_flows import ConfigError, Store
from scouter_flows.tasks import parse_age, prune_results


@pytest.mark.parametrize(
    ("text", "age"),
    [("90d", timedelta(days=90)), ("12h", timedelta(hours=12)), (" 2w", timedelta(weeks=2))],
)
def test_ages(text: str, age: timedelta) -> None:
    assert parse_age(text) == age


@pytest.mark.parametrize("text", ["0d", "90", "d", "1.5d", "-3d", "90 days"])
def test_bad_ages(text: str) -> None:
    with pytest.raises(ConfigError, match="positive whole number followed by a unit"):
        parse_age(text)


def test_prune_step_reports_what_it_deleted(store_url: str) -> None:
    Store(store_url, auto_upgrade=True).close()
    assert prune_results("30d", store_url) == {
        "drift_runs": 0,
        "eval_runs": 0,
        "spans": 0,
        "data_profiles": 0,
        "inference_logs": 0,
    }
