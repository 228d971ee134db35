"""Alert records of every result type: stable keys, values, thresholds, severities."""

from __future__ import annotations

import numpy as np
import polars as pl

from scouter_flows import (
    AgentAlertConfig,
    AlertCondition,
    CustomMetric,
    CustomMetricAlertConfig,
    Drifter,
    SpcAlertConfig,
    SpcDriftConfig,
    SpcRule,
    Store,
)
from scouter_flows.alerts import alert_policy, drift_alerts, pass_rate_alerts
from scouter_flows.profiles.custom import CustomDriftProfile, CustomMetricDriftConfig
from tests.alerts.helpers import day


def test_spc_alerts_are_keyed_by_feature_rule_and_zone() -> None:
    rng = np.random.default_rng(7)
    baseline = pl.DataFrame({"x": rng.normal(0, 1, 5000), "y": rng.normal(0, 1, 5000)})
    config = SpcDriftConfig(
        space="s",
        name="chart",
        sample_size=25,
        rule=SpcRule(),
        alert_config=SpcAlertConfig(severity="critical"),
    )
    profile = Drifter().create_drift_profile(baseline, config)
    window = baseline.with_columns(pl.col("x") + 2.0)
    result = Drifter().compute_drift(window, profile)
    records = drift_alerts(result, profile.config.alert_config)
    keys = {r.dedup_key for r in records}
    assert "s/chart/0.1.0:x:spc_out_of_bounds:zone4" in keys
    assert {r.severity for r in records} == {"critical"}
    oob = next(r for r in records if r.kind == "spc_out_of_bounds")
    assert oob.threshold == 3.0
    assert oob.value is not None
    assert oob.value > 3.0
    assert oob.details is not None
    assert oob.details["occurrences"] >= 1
    narrowed = drift_alerts(result, SpcAlertConfig(features_to_monitor=["y"]))
    assert {r.entity for r in narrowed} <= {"y"}


def test_calibrated_spc_alerts_carry_the_limit_they_crossed() -> None:
    rng = np.random.default_rng(7)
    baseline = pl.DataFrame({"x": rng.normal(0, 1, 5000)})
    profile = Drifter().create_drift_profile(baseline, SpcDriftConfig(space="s", name="chart"))
    result = Drifter().compute_drift(baseline.with_columns(pl.col("x") + 2.0), profile)
    records = {r.dedup_key: r for r in drift_alerts(result, profile.config.alert_config)}
    assert set(records) == {"s/chart/0.1.0:x:spc_cusum", "s/chart/0.1.0:x:spc_out_of_bounds"}
    for record in records.values():
        assert record.threshold is not None
        assert record.value is not None
        assert record.value > record.threshold > 3.0


def test_custom_metric_alerts_name_the_breached_bound() -> None:
    profile = CustomDriftProfile(
        config=CustomMetricDriftConfig(space="s", name="kpi", sample_size=1),
        metrics={
            "accuracy": CustomMetric(
                name="accuracy", baseline_value=0.9, alert_threshold="Below", delta=0.02
            ),
            "latency": CustomMetric(name="latency", baseline_value=100.0, alert_threshold="Above"),
        },
    )
    result = Drifter().compute_drift(
        pl.DataFrame({"accuracy": [0.8, 0.84], "latency": [90.0, 95.0]}), profile
    )
    (record,) = drift_alerts(result, CustomMetricAlertConfig())
    assert record.dedup_key == "s/kpi/0.1.0:accuracy:custom_below"
    assert record.value is not None
    assert abs(record.value - 0.82) < 1e-12
    assert record.threshold is not None
    assert abs(record.threshold - 0.88) < 1e-12
    assert "0.8200 < 0.8800" in record.message


def test_pass_rate_alert_dedups_across_eval_windows(store_url: str) -> None:
    config = AgentAlertConfig(
        alert_condition=AlertCondition(baseline_value=0.9, alert_threshold="Below", delta=0.05)
    )
    assert pass_rate_alerts("s", "bot", "1", 0.86, 50, config) == []
    with Store(store_url, auto_upgrade=True) as store:
        profile = Drifter().create_drift_profile(
            pl.DataFrame({"x": [float(i) for i in range(100)]}),
            SpcDriftConfig(space="s", name="bot", version="1"),
        )
        pid = store.register_profile(profile)
        results = pl.DataFrame(
            {
                "record_id": ["r1", "r2"],
                "task_id": ["t", "t"],
                "status": ["pass", "fail"],
                "value": [None, None],
                "message": [None, "wrong"],
            },
            schema_overrides={"value": pl.String, "message": pl.String},
        )
        statuses = []
        for n in range(2):
            alerts = pass_rate_alerts("s", "bot", "1", 0.5, 2, config)
            written = store.write_eval_run(
                pid,
                day(n),
                results,
                records=2,
                pass_rate=0.5,
                alerts=alerts,
                policy=alert_policy(config),
            )
            statuses.append([a.status for a in store.alerts(eval_run_id=written.run_id)])
        assert statuses == [["pending"], ["suppressed"]]
        (alert,) = store.alerts(status="pending")
        assert alert.dedup_key == "s/bot/1:pass_rate:genai_pass_rate"
        assert "pass rate 50.00% < 85.00%" in alert.message
