"""The Grafana dashboard: built by the foundation SDK, and every panel's SQL run on a real
Postgres store filled by real runs."""

from __future__ import annotations

import importlib.util
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import sqlalchemy as sa

from scouter_flows import Drifter, PsiDriftConfig, SpcDriftConfig, Store, Window
from scouter_flows.alerts.rules import drift_alerts
from scouter_flows.profiles.custom import CustomDriftProfile, CustomMetric, CustomMetricDriftConfig
from tests.support import RESET_POSTGRES, ROOT, run_sql

BOARD = ROOT / "dashboards" / "grafana"
DAY = datetime(2026, 11, 2, tzinfo=UTC)
WINDOWS = 3


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate", BOARD / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _panels() -> dict[str, dict[str, Any]]:
    board = json.loads((BOARD / "scouter-flows.json").read_text())
    return {p["title"]: p for p in board["panels"]}


def test_the_committed_dashboard_is_what_the_sdk_builds() -> None:
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.models.dashboard import Dashboard

    committed = json.loads((BOARD / "scouter-flows.json").read_text())
    assert committed == _generator().build(), "run python dashboards/grafana/generate.py"
    # The SDK's model reads it back whole: every panel and target survives the round trip.
    model = Dashboard.from_json(committed)
    again = json.loads(json.dumps(model, cls=JSONEncoder))
    assert [p["title"] for p in again["panels"]] == [p["title"] for p in committed["panels"]]
    assert [v["name"] for v in again["templating"]["list"]] == ["space", "name", "version"]
    sources = {t["datasource"]["uid"] for p in committed["panels"] for t in p["targets"]}
    assert sources == {"scouter-store"}
    provisioned = (BOARD / "provisioning" / "datasource.yaml").read_text()
    assert "uid: scouter-store" in provisioned


def _expand(sql: str, start: datetime, end: datetime, **variables: str) -> str:
    """The SQL Grafana sends: its time macro and the chosen variables filled in."""
    sql = re.sub(
        r"\$__timeFilter\(([^)]+)\)",
        lambda m: f"{m[1]} BETWEEN '{start.isoformat()}' AND '{end.isoformat()}'",
        sql,
    )
    for name, value in variables.items():
        sql = sql.replace(f"${name}", value)
    assert "$" not in sql, sql
    return sql


@pytest.fixture
def filled(postgres_url: str) -> dict[str, Any]:
    """A store with PSI, SPC and custom runs of credit/scorer/1 over three days (the last drifts
    on age and raises an alert), and two eval runs of the same space and name."""
    from scouter_flows.evaluate.profile import AgentEvalConfig, AgentEvalProfile
    from scouter_flows.evaluate.task_graph import AssertionTask

    run_sql(postgres_url, RESET_POSTGRES)
    rng = np.random.default_rng(23)
    identity = {"space": "credit", "name": "scorer", "version": "1"}
    baseline = pl.DataFrame({"age": rng.normal(40, 9, 3000), "income": rng.normal(5, 1, 3000)})
    psi = Drifter().create_drift_profile(baseline, PsiDriftConfig(**identity))
    spc = Drifter().create_drift_profile(baseline, SpcDriftConfig(**identity, sample_size=50))
    custom = CustomDriftProfile(
        config=CustomMetricDriftConfig(**identity, sample_size=1),
        metrics={
            "accuracy": CustomMetric(
                name="accuracy", baseline_value=0.9, alert_threshold="Below", delta=0.02
            )
        },
    )
    task = AssertionTask(id="tone", context_path="response", operator="Equals", expected_value="ok")
    evals = AgentEvalProfile(config=AgentEvalConfig(space="credit", name="scorer"), tasks=[task])
    facts: dict[str, Any] = {"psi": [], "spc": [], "custom": [], "eval": []}
    with Store(postgres_url, auto_upgrade=True) as store:
        ids = {kind: store.register_profile(p) for kind, p in
               (("psi", psi), ("spc", spc), ("custom", custom), ("eval", evals))}  # fmt: skip
        for day in range(WINDOWS):
            window = Window(DAY + timedelta(days=day), DAY + timedelta(days=day + 1))
            shift = 8.0 if day == WINDOWS - 1 else 0.0
            current = pl.DataFrame(
                {"age": rng.normal(40 + shift, 9, 1000), "income": rng.normal(5, 1, 1000)}
            )
            for kind, profile in (("psi", psi), ("spc", spc)):
                result = Drifter().compute_drift(current, profile)
                alerts = drift_alerts(result, profile.config.alert_config) if kind == "psi" else []
                store.write_drift_run(ids[kind], window, result, alerts)
                facts[kind].append(result)
            accuracy = pl.DataFrame({"accuracy": [0.91, 0.92 - 0.05 * day]})
            result = Drifter().compute_drift(accuracy, custom)
            store.write_drift_run(ids["custom"], window, result)
            facts["custom"].append(result)
            if day:
                statuses = ["pass", "fail", "pass", "skipped"] if day == 1 else ["pass"] * 4
                frame = pl.DataFrame(
                    {
                        "record_id": [f"r{i}" for i in range(4)],
                        "task_id": ["tone"] * 4,
                        "status": statuses,
                        "value": [None] * 4,
                        "message": [None] * 4,
                    },
                    schema_overrides={"value": pl.String, "message": pl.String},
                )
                store.write_eval_run(ids["eval"], window, frame, records=4, pass_rate=None)
        facts["open_alerts"] = store.open_alerts().height
    facts["url"] = postgres_url
    return facts


def _query(url: str, title: str, ref_id: str = "A", **variables: str) -> list[dict[str, Any]]:
    (target,) = [t for t in _panels()[title]["targets"] if t["refId"] == ref_id]
    chosen = {"space": "credit", "name": "scorer", "version": "1", **variables}
    sql = _expand(target["rawSql"], DAY - timedelta(days=1), DAY + timedelta(days=30), **chosen)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_every_panel_returns_the_rows_it_charts(filled: dict[str, Any]) -> None:
    url = filled["url"]
    psi = _query(url, "PSI per feature")
    assert len(psi) == WINDOWS * 2
    last = filled["psi"][-1]
    assert {r["metric"]: r["value"] for r in psi[-2:]} == pytest.approx(
        {f.feature: f.value for f in last.features}
    )
    thresholds = _query(url, "PSI per feature", "B")
    assert {r["metric"] for r in thresholds} == {"age threshold", "income threshold"}

    share = _query(url, "Drifted share per run")
    expected = {
        (i, kind): sum(f.status == "drift" for f in filled[kind][i].features) / 2
        for i in range(WINDOWS)
        for kind in ("psi", "spc")
    }
    got = {(i // 2, r["metric"]): float(r["value"]) for i, r in enumerate(share)}
    assert got == pytest.approx(expected)
    assert got[(WINDOWS - 1, "psi")] > 0  # the drifted day shows

    means = _query(url, "SPC subgroup means")
    assert len(means) == sum(f.subgroups for r in filled["spc"] for f in r.features)
    first_age = [r["value"] for r in means if r["metric"] == "age"][:20]
    assert first_age == pytest.approx(list(filled["spc"][0].features[0].means))
    zs = _query(url, "SPC largest |z| against the limit")
    assert len(zs) == WINDOWS * 2 * 2  # |z| and limit for two features per window

    custom = _query(url, "Custom metrics and their bounds")
    values = [r["value"] for r in custom if r["metric"] == "accuracy"]
    assert values == pytest.approx([m.metrics[0].value for m in filled["custom"]])
    assert {r["metric"] for r in custom} == {"accuracy", "accuracy lower bound"}

    alerts = _query(url, "Open and abandoned alerts")
    assert len(alerts) == filled["open_alerts"] > 0
    assert {a["entity"] for a in alerts} == {"age"}

    rates = _query(url, "Eval pass rate per task")
    assert [float(r["value"]) for r in rates] == pytest.approx([2 / 3, 1.0])
    assert _query(url, "PSI per feature", version="2") == []  # the variables narrow


def test_the_readme_gives_the_three_steps() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Grafana") :]
    for step in ("1. **Data source**", "2. **Dashboard**", "3. **Variables**"):
        assert step in section
    assert Path(BOARD / "README.md").exists()
