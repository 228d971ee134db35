"""The schema's length and charset limits, checked when input is built, alike on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from scouter_flows import (
    CustomMetric,
    DataError,
    Drifter,
    PsiDriftConfig,
    SlackDispatchConfig,
    Store,
    limits,
)
from scouter_flows.evaluate import AssertionTask, EvalRecord
from scouter_flows.store import schema

WINDOW_START = datetime(2026, 11, 21, tzinfo=UTC)


def test_the_limits_are_the_schemas_column_sizes() -> None:
    sizes = {
        (t.name, c.name): c.type.length
        for t in schema.metadata.tables.values()
        for c in t.columns
        if isinstance(c.type, sa.String)
    }
    assert sizes[("profiles", "space")] == limits.SPACE
    assert sizes[("profiles", "name")] == limits.NAME
    assert sizes[("profiles", "version")] == limits.VERSION
    assert sizes[("drift_results", "feature")] == limits.FEATURE
    assert sizes[("metric_results", "metric")] == limits.FEATURE
    assert sizes[("alerts", "entity")] == limits.FEATURE
    assert sizes[("eval_results", "record_id")] == limits.RECORD_ID
    assert sizes[("eval_results", "task_id")] == limits.TASK_ID
    assert sizes[("alerts", "destination")] == limits.DESTINATION
    assert sizes[("alerts", "dedup_key")] == limits.DEDUP_KEY


def test_the_longest_dedup_keys_fit_and_stay_distinct() -> None:
    from scouter_flows.alerts.rules import dedup_key

    head = f"{'s' * limits.SPACE}/{'n' * limits.NAME}/{'v' * limits.VERSION}"
    keys = {dedup_key(f"{head}:{'f' * 254}{i}:psi_drift") for i in range(3)}
    assert len(keys) == 3
    assert all(len(k) == limits.DEDUP_KEY for k in keys)
    assert dedup_key("credit/scores/1.0:age:psi_drift") == "credit/scores/1.0:age:psi_drift"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "space",
            "s" * 10_000,
            "space 'sss.*is 10000 characters long; the store holds at most 255",
        ),
        ("name", "n" * 256, "name 'nnn.*is 256 characters long; the store holds at most 255"),
        ("version", "1" * 65, "version '111.*is 65 characters long; the store holds at most 64"),
        ("space", "crédit", "not a valid identifier: use ASCII letters"),
    ],
)
def test_identities_beyond_the_schema_are_refused_when_built(
    field: str, value: str, message: str
) -> None:
    identity = {"space": "credit", "name": "scores", field: value}
    with pytest.raises(ValidationError, match=message):
        PsiDriftConfig(**identity)


def test_a_feature_name_beyond_the_schema_is_refused_before_the_profile_exists(
    store_url: str,
) -> None:
    long = "f" * 300
    frame = pl.DataFrame({long: np.arange(1_000.0), "ok": np.arange(1_000.0)})
    with pytest.raises(ValueError, match=r"feature 'fff.*is 300 characters long"):
        Drifter().create_drift_profile(frame, PsiDriftConfig(space="s", name="n"))
    with Store(store_url, auto_upgrade=True) as store:
        assert store.profiles().height == 0


@pytest.mark.parametrize(
    "build",
    [
        lambda: CustomMetric(name="m" * 256, baseline_value=1, alert_threshold="Above"),
        lambda: SlackDispatchConfig(channel="#" + "c" * 300),
        lambda: AssertionTask(id="t" * 256, context_path="a", operator="IsNotEmpty"),
        lambda: EvalRecord(id="r" * 256, context={"a": 1}),
        lambda: EvalRecord(context={"a": 1}, trace_id="f" * 65),
        lambda: EvalRecord(id="nul\x00byte", context={"a": 1}),
    ],
)
def test_other_names_beyond_the_schema_are_refused_when_built(build: object) -> None:
    with pytest.raises(ValidationError, match=r"characters long|NUL character"):
        build()  # type: ignore[operator]


def test_rows_beyond_the_schema_fail_alike_on_both_backends_and_write_nothing(
    store_url: str,
) -> None:
    results = pl.DataFrame(
        {
            "record_id": ["ok", "x" * 256],
            "task_id": ["t", "t"],
            "status": ["pass", "pass"],
            "value": [None, None],
            "message": [None, None],
        },
        schema_overrides={"value": pl.String, "message": pl.String},
    )
    from tests.store.test_concurrency import WINDOW, _profile

    with Store(store_url, auto_upgrade=True) as store:
        profile_id = store.register_profile(_profile())
        with pytest.raises(DataError, match=r"column 'record_id' row 1.*at most 255"):
            store.write_eval_run(profile_id, WINDOW, results, records=2, pass_rate=1.0)
        assert store.eval_pass_rates("s", "n").height == 0
        spans = _span_frame(pl.DataFrame({"trace_id": ["t" * 65]}))
        with pytest.raises(DataError, match=r"column 'trace_id' row 0.*at most 64"):
            store.write_spans(spans)


def _span_frame(ids: pl.DataFrame) -> pl.DataFrame:
    from scouter_flows.traces.schema import SPAN_SCHEMA

    row = {
        "trace_id": ids["trace_id"][0],
        "span_id": "s",
        "parent_span_id": None,
        "name": "n",
        "kind": "internal",
        "start_time": WINDOW_START,
        "end_time": WINDOW_START,
        "status": "ok",
        "service_name": None,
        "attributes": "{}",
        "events": "[]",
    }
    return pl.DataFrame([row], schema=SPAN_SCHEMA)
