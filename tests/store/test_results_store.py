"""Every kind of result in the store, on SQLite and a real Postgres: writes, reads, retention."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
import sqlalchemy as sa

from scouter_flows import (
    AlertRecord,
    ConfigError,
    CustomMetric,
    CustomMetricDriftConfig,
    DataError,
    DataProfiler,
    Drifter,
    PsiDriftConfig,
    SpcDriftConfig,
    SpcRule,
    Store,
    StoreError,
    Window,
)
from scouter_flows.sqla import create_engine

DAY = timedelta(days=1)
START = datetime(2026, 11, 20, tzinfo=UTC)


def _window(day: int) -> Window:
    return Window(START + day * DAY, START + (day + 1) * DAY)


def _alert(entity: str) -> AlertRecord:
    return AlertRecord(
        dedup_key=f"s/n/1:{entity}:x",
        entity=entity,
        kind="x",
        severity="warning",
        value=1.0,
        threshold=0.5,
        message=f"{entity} breached",
    )


def test_spc_and_custom_runs_and_their_series(store_url: str) -> None:
    rng = np.random.default_rng(0)
    spc_profile = Drifter().create_drift_profile(
        pl.DataFrame({"x": rng.normal(size=1000)}),
        SpcDriftConfig(space="s", name="n", rule=SpcRule()),  # the rule string: 3 SE limit
    )
    custom_profile = Drifter().create_drift_profile(
        [CustomMetric(name="accuracy", baseline_value=0.9, alert_threshold="Below", delta=0.05)],
        CustomMetricDriftConfig(space="s", name="n", sample_size=1),
    )
    with Store(store_url, auto_upgrade=True) as store:
        spc_id = store.register_profile(spc_profile)
        custom_id = store.register_profile(custom_profile)
        for day, shift in enumerate([0.0, 0.0, 2.0]):
            spc = Drifter().compute_drift(
                pl.DataFrame({"x": rng.normal(shift, 1.0, 500)}), spc_profile
            )
            store.write_drift_run(spc_id, _window(day), spc)
            custom = Drifter().compute_drift({"accuracy": [0.9 - 0.04 * day]}, custom_profile)
            store.write_drift_run(custom_id, _window(day), custom)

        series = store.series("s", "n", "0.1.0", "x")
        assert series["status"].to_list() == ["ok", "ok", "drift"]
        assert series["threshold"].to_list() == [3.0] * 3
        assert series["value"][2] > 3.0  # largest |z| of a 2-sigma shift
        assert series["window_end"].to_list() == [_window(d).end for d in range(3)]
        accuracy = store.series("s", "n", "0.1.0", "accuracy", start=_window(1).end)
        assert accuracy["status"].to_list() == ["ok", "drift"]
        assert accuracy["value"].to_list() == pytest.approx([0.86, 0.82])
        assert accuracy["lower"].to_list() == pytest.approx([0.85, 0.85])

        latest = store.latest_runs()
        assert latest.height == 2
        assert latest["window_end"].to_list() == [_window(2).end] * 2
        assert sorted(latest["drift_type"].to_list()) == ["custom", "spc"]

        with pytest.raises(StoreError, match=r"stored as \['custom', 'spc'\]: say which"):
            store.get_profile("s", "n", "0.1.0")
        assert store.get_profile("s", "n", "0.1.0", "spc")[1] == spc_profile
        payload = _stored_payload(store_url, "x")
        assert len(payload["means"]) == 20  # 500 rows in subgroups of 25, for charts


def _stored_payload(url: str, feature: str) -> dict[str, object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            raw = conn.execute(
                sa.text("SELECT payload FROM drift_results WHERE feature = :f LIMIT 1"),
                {"f": feature},
            ).scalar_one()
    finally:
        engine.dispose()
    return raw if isinstance(raw, dict) else json.loads(raw)


def _eval_results(records: int, failing: int) -> pl.DataFrame:
    ids = [f"r{i:05d}" for i in range(records)]
    return pl.DataFrame(
        {
            "record_id": ids * 2,
            "task_id": ["relevance"] * records + ["format"] * records,
            "status": ["pass"] * (2 * records - failing) + ["fail"] * failing,
            "value": [json.dumps({"score": i % 5}) for i in range(2 * records)],
            "message": [None] * (2 * records - failing) + ["score below 3"] * failing,
        }
    )


def test_eval_runs_replace_their_results_and_chart_pass_rates(store_url: str) -> None:
    profile = Drifter().create_drift_profile(
        pl.DataFrame({"x": np.arange(100.0)}), PsiDriftConfig(space="s", name="chat")
    )
    with Store(store_url, auto_upgrade=True) as store:
        pid = store.register_profile(profile)
        first = store.write_eval_run(
            pid, _window(0), _eval_results(300, 30), records=1000, pass_rate=0.95
        )
        again = store.write_eval_run(
            pid,
            _window(0),
            _eval_results(200, 100),
            records=1000,
            pass_rate=0.75,
            alerts=[_alert("pass_rate")],
        )
        assert again.run_id == first.run_id
        assert (again.evaluated, again.pending_alerts) == (200, 1)
        stored = store.eval_results(first.run_id)
        assert stored.height == 400
        assert stored.filter(pl.col("status") == "fail").height == 100
        store.write_eval_run(pid, _window(1), _eval_results(10, 0), records=10, pass_rate=1.0)
        rates = store.eval_pass_rates("s", "chat")
        assert rates["pass_rate"].to_list() == [0.75, 1.0]
        assert rates["records"].to_list() == [1000, 10]
        alerts = store.open_alerts()
        assert alerts["name"].to_list() == ["chat"]
        assert alerts["entity"].to_list() == ["pass_rate"]


def test_eval_results_with_an_unknown_status_are_refused_before_writing(store_url: str) -> None:
    profile = Drifter().create_drift_profile(
        pl.DataFrame({"x": np.arange(100.0)}), PsiDriftConfig(space="s", name="chat")
    )
    bad = _eval_results(3, 0).with_columns(status=pl.lit("passed"))
    with Store(store_url, auto_upgrade=True) as store:
        pid = store.register_profile(profile)
        with pytest.raises(DataError, match=r"unknown statuses \['passed'\]"):
            store.write_eval_run(pid, _window(0), bad, records=3, pass_rate=1.0)
        with pytest.raises(DataError, match="must have the columns"):
            store.write_eval_run(
                pid, _window(0), bad.drop("message", "status"), records=3, pass_rate=1.0
            )
        assert store.eval_pass_rates("s", "chat").height == 0


def _spans(trace: str, names: list[str]) -> pl.DataFrame:
    start = START + timedelta(hours=1)
    return pl.DataFrame(
        {
            "trace_id": [trace] * len(names),
            "span_id": [f"{i:016x}" for i in range(len(names))],
            "parent_span_id": [None] + ["0" * 16] * (len(names) - 1),
            "name": names,
            "kind": ["INTERNAL"] * len(names),
            "start_time": [start + timedelta(milliseconds=i) for i in range(len(names))],
            "end_time": [start + timedelta(milliseconds=i + 5) for i in range(len(names))],
            "duration_ms": [5.0] * len(names),
            "status": ["OK"] * len(names),
            "service_name": ["chat-api"] * len(names),
            "attributes": [json.dumps({"llm.model": "m", "i": i}) for i in range(len(names))],
            "events": ["[]"] * len(names),
        }
    )


def test_spans_are_upserted_by_trace_and_span(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store:
        assert store.write_spans(_spans("a" * 32, ["root", "retrieve", "generate"])) == 3
        store.write_spans(_spans("a" * 32, ["root", "retrieve", "answer"]))  # re-ingested
        store.write_spans(_spans("b" * 32, ["root"]))
        stored = store.spans(["a" * 32])
        assert stored["name"].to_list() == ["root", "retrieve", "answer"]
        assert json.loads(stored["attributes"][2]) == {"llm.model": "m", "i": 2}
        assert stored["start_time"].dtype == pl.Datetime("ns", "UTC")
        assert store.spans(["b" * 32, "c" * 32]).height == 1


def test_spans_keep_their_nanoseconds(store_url: str) -> None:
    # Two spans in one microsecond: a timestamp column alone would make them start together.
    spans = _spans("c" * 32, ["root", "child"]).with_columns(
        pl.col("start_time", "end_time").dt.cast_time_unit("ns")
        + pl.duration(nanoseconds=pl.Series([123, 999]))
    )
    with Store(store_url, auto_upgrade=True) as store:
        store.write_spans(spans)
        stored = store.spans(["c" * 32])
    assert stored["start_time"].to_list() == spans["start_time"].to_list()
    assert stored["end_time"].dt.nanosecond().to_list() == [5_000_123, 6_000_999]


def _logs(day: int, rows: int) -> pl.DataFrame:
    first = START + day * DAY
    return pl.DataFrame(
        {
            "logged_at": [first + timedelta(seconds=30 * i) for i in range(rows)],
            "record_id": [f"{day}-{i}" for i in range(rows)],
            "age": list(range(rows)),
            "income": [1000.0 + i for i in range(rows)],
            "segment": ["a", "b"] * (rows // 2),
        }
    )


def test_inference_logs_are_appended_once_and_read_back_by_window(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store:
        store.write_inference_logs("credit", "default-risk", _logs(0, 10))
        store.write_inference_logs("credit", "default-risk", _logs(1, 10))
        store.write_inference_logs("credit", "default-risk", _logs(1, 10))  # a retried batch
        day = store.inference_logs("credit", "default-risk", _window(1))
        assert day.height == 10
        assert day.columns == ["logged_at", "record_id", "age", "income", "segment"]
        assert day["income"].to_list() == [1000.0 + i for i in range(10)]
        assert store.inference_logs("credit", "other", _window(1)).height == 0
    if store_url.startswith("postgresql"):
        assert _partitions(store_url) == ["inference_logs_p20261120", "inference_logs_p20261121"]


def test_inference_logs_without_ids_keep_distinct_rows_and_drop_retries(store_url: str) -> None:
    at = START + timedelta(hours=3)
    batch = pl.DataFrame({"logged_at": [at] * 4, "score": [0.1, 0.2, 0.2, 0.3]})
    with Store(store_url, auto_upgrade=True) as store:
        store.write_inference_logs("s", "n", batch)
        store.write_inference_logs("s", "n", batch)  # retried: nothing new
        store.write_inference_logs("s", "n", batch.head(1).with_columns(score=pl.lit(0.9)))
        logged = store.inference_logs("s", "n", _window(0))
    assert sorted(logged["score"].to_list()) == [0.1, 0.2, 0.2, 0.3, 0.9]


def _partitions(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(
                conn.execute(
                    sa.text(
                        "SELECT c.relname FROM pg_inherits i JOIN pg_class c "
                        "ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
                        "WHERE p.relname = 'inference_logs'"
                    )
                ).scalars()
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (pl.DataFrame({"age": [1]}), "need a 'logged_at' column"),
        (pl.DataFrame({"logged_at": [datetime(2026, 11, 21)]}), "expected a Datetime with a"),
        (
            pl.DataFrame(
                {"logged_at": [START, None]}, schema={"logged_at": pl.Datetime("us", "UTC")}
            ),
            "1 null values",
        ),
    ],
)
def test_bad_inference_logs_are_refused(store_url: str, rows: pl.DataFrame, message: str) -> None:
    with Store(store_url, auto_upgrade=True) as store, pytest.raises(DataError, match=message):
        store.write_inference_logs("s", "n", rows)


PROFILE = DataProfiler().create_data_profile(
    pl.DataFrame({"x": [1.0, 2.0, None, 4.0], "c": ["a", "b", "a", None]})
)


def test_data_profiles_are_kept_per_window_and_replaced_on_rerun(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store:
        first = store.write_data_profile("s", "n", "1", _window(0), PROFILE)
        other = DataProfiler().create_data_profile(pl.DataFrame({"x": [5.0, 6.0]}))
        again = store.write_data_profile("s", "n", "1", _window(0), other)
        later = store.write_data_profile("s", "n", "1", _window(1), PROFILE)
        store.write_data_profile("s", "other", "1", _window(1), PROFILE)
        assert again == first != later
        assert store.get_data_profile(first) == other
        listed = store.data_profiles("s", "n")
        assert listed["data_profile_id"].to_list() == [later, first]
        assert listed["rows_observed"].to_list() == [4, 2]
        assert store.data_profiles().height == 3
        with pytest.raises(ConfigError, match="no data profile with id 999"):
            store.get_data_profile(999)


def test_prune_deletes_everything_older_than_the_cutoff(store_url: str) -> None:
    profile = Drifter().create_drift_profile(
        pl.DataFrame({"x": np.arange(500.0)}), PsiDriftConfig(space="s", name="n")
    )
    result = Drifter().compute_drift(pl.DataFrame({"x": np.arange(500.0)}), profile)
    with Store(store_url, auto_upgrade=True) as store:
        pid = store.register_profile(profile)
        evals = []
        for day in range(4):
            store.write_drift_run(pid, _window(day), result, [_alert("x")])
            evals.append(
                store.write_eval_run(
                    pid, _window(day), _eval_results(5, 0), records=5, pass_rate=1.0
                ).run_id
            )
            store.write_inference_logs("s", "n", _logs(day, 4))
            store.write_data_profile("s", "n", "0.1.0", _window(day), PROFILE)
        store.write_spans(_spans("a" * 32, ["root"]))
        # Cutoff: the end of day 1. Runs ending before it go (day 0 only); logs and spans
        # timed before it go (days 0 and 1).
        deleted = store.prune(timedelta(days=2), now=START + 4 * DAY)
        assert deleted == {
            "drift_runs": 1,
            "eval_runs": 1,
            "spans": 1,
            "data_profiles": 1,
            "inference_logs": 8,
        }
        assert store.data_profiles()["window_end"].to_list() == [_window(d).end for d in (3, 2, 1)]
        assert store.runs()["window_end"].to_list() == [_window(d).end for d in (3, 2, 1)]
        # Day 0's alert went with its run; days 1-3 repeat it, so they were suppressed.
        assert [a.status for a in store.alerts()] == ["suppressed"] * 3
        assert [store.eval_results(r).height for r in evals] == [0, 10, 10, 10]
        assert store.inference_logs("s", "n", Window(START, START + 5 * DAY)).height == 8
        with pytest.raises(Exception, match="older_than must be positive"):
            store.prune(timedelta(0))
