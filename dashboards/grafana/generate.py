"""Write the scouter-flows Grafana dashboard (`scouter-flows.json`) with Grafana's foundation SDK.

    python dashboards/grafana/generate.py   # after a change here; the tests check the file matches

Every panel reads the store's tables in Postgres through the data source `scouter-store`
(provisioning/datasource.yaml). The variables pick a profile: space, then name, then version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import dashboard, table, timeseries
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef, VariableRefresh

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "scouter-flows.json"
STORE = DataSourceRef(type_val="grafana-postgresql-datasource", uid="scouter-store")

# The profile the variables chose, as a WHERE clause over `profiles p`.
PROFILE = "p.space = '$space' AND p.name = '$name' AND p.version = '$version'"


class SqlQuery(cogvariants.Dataquery):
    """A raw SQL query of the Postgres data source."""

    def __init__(self, ref_id: str, sql: str, fmt: str) -> None:
        self.ref_id, self.sql, self.fmt = ref_id, sql, fmt

    def to_json(self) -> dict[str, Any]:
        return {
            "refId": self.ref_id,
            "datasource": STORE.to_json(),
            "editorMode": "code",
            "format": self.fmt,
            "rawQuery": True,
            "rawSql": self.sql,
        }


class Sql(cogbuilder.Builder[SqlQuery]):
    """A builder of one SQL target."""

    def __init__(self, sql: str, *, ref_id: str = "A", fmt: str = "time_series") -> None:
        self._query = SqlQuery(ref_id, " ".join(sql.split()), fmt)

    def build(self) -> SqlQuery:
        return self._query


def _sql(*lines: str) -> str:
    return "\n".join(lines)


PSI = _sql(
    'SELECT r.window_end AS "time", d.feature AS metric, d.value',
    "FROM drift_runs r JOIN profiles p ON p.id = r.profile_id",
    "JOIN drift_results d ON d.run_id = r.id",
    f"WHERE {PROFILE} AND p.drift_type = 'psi' AND $__timeFilter(r.window_end)",
    "ORDER BY 1, 2",
)
PSI_THRESHOLDS = _sql(
    "SELECT r.window_end AS \"time\", d.feature || ' threshold' AS metric, d.threshold AS value",
    "FROM drift_runs r JOIN profiles p ON p.id = r.profile_id",
    "JOIN drift_results d ON d.run_id = r.id",
    f"WHERE {PROFILE} AND p.drift_type = 'psi' AND $__timeFilter(r.window_end)",
    "ORDER BY 1, 2",
)
DRIFTED_SHARE = _sql(
    'SELECT r.window_end AS "time", p.drift_type AS metric,',
    "  avg(CASE WHEN d.status = 'drift' THEN 1.0 ELSE 0.0 END) AS value",
    "FROM drift_runs r JOIN profiles p ON p.id = r.profile_id",
    "JOIN drift_results d ON d.run_id = r.id",
    f"WHERE {PROFILE} AND $__timeFilter(r.window_end)",
    "GROUP BY 1, 2 ORDER BY 1, 2",
)
SPC_MEANS = _sql(
    # A window's subgroups, spread evenly over it (the store keeps their order, not their times).
    "SELECT r.window_start + (m.i::float8 / jsonb_array_length(d.payload -> 'means'))",
    '  * (r.window_end - r.window_start) AS "time", d.feature AS metric, m.value::float8 AS value',
    "FROM drift_runs r JOIN profiles p ON p.id = r.profile_id",
    "JOIN drift_results d ON d.run_id = r.id",
    "CROSS JOIN LATERAL jsonb_array_elements_text(d.payload -> 'means')",
    "  WITH ORDINALITY AS m(value, i)",
    f"WHERE {PROFILE} AND p.drift_type = 'spc' AND $__timeFilter(r.window_end)",
    "ORDER BY 1, 2",
)
SPC_Z = _sql(
    "SELECT r.window_end AS \"time\", d.feature || ' |z|' AS metric, d.value",
    "FROM drift_runs r JOIN profiles p ON p.id = r.profile_id",
    "JOIN drift_results d ON d.run_id = r.id",
    f"WHERE {PROFILE} AND p.drift_type = 'spc' AND $__timeFilter(r.window_end)",
    "UNION ALL",
    "SELECT r.window_end, d.feature || ' limit', d.threshold",
    "FROM drift_runs r JOIN profiles p ON p.id = r.profile_id",
    "JOIN drift_results d ON d.run_id = r.id",
    f"WHERE {PROFILE} AND p.drift_type = 'spc' AND $__timeFilter(r.window_end)",
    "ORDER BY 1, 2",
)
CUSTOM = _sql(
    'SELECT r.window_end AS "time", m.metric AS metric, m.value',
    "FROM drift_runs r JOIN profiles p ON p.id = r.profile_id",
    "JOIN metric_results m ON m.run_id = r.id",
    f"WHERE {PROFILE} AND $__timeFilter(r.window_end)",
    "UNION ALL",
    "SELECT r.window_end, m.metric || ' lower bound', m.lower",
    "FROM drift_runs r JOIN profiles p ON p.id = r.profile_id",
    "JOIN metric_results m ON m.run_id = r.id",
    f"WHERE {PROFILE} AND m.lower IS NOT NULL AND $__timeFilter(r.window_end)",
    "UNION ALL",
    "SELECT r.window_end, m.metric || ' upper bound', m.upper",
    "FROM drift_runs r JOIN profiles p ON p.id = r.profile_id",
    "JOIN metric_results m ON m.run_id = r.id",
    f"WHERE {PROFILE} AND m.upper IS NOT NULL AND $__timeFilter(r.window_end)",
    "ORDER BY 1, 2",
)
OPEN_ALERTS = _sql(
    "SELECT a.id AS alert, a.created_at AS raised, p.version, p.drift_type AS kind_of_run,",
    "  a.entity, a.kind, a.severity, a.destination, a.status, a.attempts, a.last_error, a.message",
    "FROM alerts a",
    "LEFT JOIN drift_runs r ON r.id = a.run_id",
    "LEFT JOIN eval_runs e ON e.id = a.eval_run_id",
    "JOIN profiles p ON p.id = COALESCE(r.profile_id, e.profile_id)",
    "WHERE p.space = '$space' AND p.name = '$name'",
    "  AND a.status IN ('pending', 'failed', 'abandoned')",
    "ORDER BY a.id DESC",
)
EVAL_PASS_RATES = _sql(
    'SELECT r.window_end AS "time", x.task_id AS metric,',
    "  avg(CASE WHEN x.status = 'pass' THEN 1.0 ELSE 0.0 END) AS value",
    "FROM eval_runs r JOIN profiles p ON p.id = r.profile_id",
    "JOIN eval_results x ON x.run_id = r.id",
    "WHERE p.space = '$space' AND p.name = '$name' AND x.status <> 'skipped'",
    "  AND $__timeFilter(r.window_end)",
    "GROUP BY 1, 2 ORDER BY 1, 2",
)


def _variable(name: str, sql: str) -> dashboard.QueryVariable:
    return (
        dashboard.QueryVariable(name)
        .label(name)
        .datasource(STORE)
        .query(sql)
        .refresh(VariableRefresh.ON_DASHBOARD_LOAD)
    )


def _series(title: str, description: str, *queries: str, unit: str = "none") -> Any:
    panel = timeseries.Panel().title(title).description(description).datasource(STORE).unit(unit)
    for ref_id, sql in zip("ABC", queries, strict=False):
        panel = panel.with_target(Sql(sql, ref_id=ref_id))
    return panel.height(9).span(12)


def build() -> dict[str, Any]:
    """The dashboard as Grafana's JSON model."""
    board = (
        dashboard.Dashboard("scouter-flows")
        .uid("scouter-flows")
        .description("Drift, metrics, alerts and eval pass rates from the scouter-flows store.")
        .tags(["scouter-flows", "ml-monitoring"])
        .time("now-30d", "now")
        .timezone("utc")
        .with_variable(_variable("space", "SELECT DISTINCT space FROM profiles ORDER BY 1"))
        .with_variable(
            _variable(
                "name", "SELECT DISTINCT name FROM profiles WHERE space = '$space' ORDER BY 1"
            )
        )
        .with_variable(
            _variable(
                "version",
                "SELECT DISTINCT version FROM profiles WHERE space = '$space' AND name = '$name' "
                "ORDER BY 1",
            )
        )
        .with_panel(
            _series(
                "PSI per feature",
                "Each feature's PSI per window, with its threshold: above it, the feature drifted.",
                PSI,
                PSI_THRESHOLDS,
            )
        )
        .with_panel(
            _series(
                "Drifted share per run",
                "The share of the profile's features that drifted in each window.",
                DRIFTED_SHARE,
                unit="percentunit",
            )
        )
        .with_panel(
            _series(
                "SPC subgroup means",
                "Each subgroup's mean, spread evenly over its window.",
                SPC_MEANS,
            )
        )
        .with_panel(
            _series(
                "SPC largest |z| against the limit",
                "The largest |mean - centre| in standard errors per window, and its limit.",
                SPC_Z,
            )
        )
        .with_panel(
            _series(
                "Custom metrics and their bounds",
                "Each metric's value per window; beyond a bound, it breached.",
                CUSTOM,
            )
        )
        .with_panel(
            _series(
                "Eval pass rate per task",
                "The share of judged results that passed, per task and window (skipped left out).",
                EVAL_PASS_RATES,
                unit="percentunit",
            )
        )
        .with_panel(
            table.Panel()
            .title("Open and abandoned alerts")
            .description("Alerts not delivered: pending, failed (to be retried) or abandoned.")
            .datasource(STORE)
            .with_target(Sql(OPEN_ALERTS, fmt="table"))
            .height(9)
            .span(24)
        )
    )
    encoded: dict[str, Any] = json.loads(json.dumps(board.build(), cls=JSONEncoder))
    return encoded


def main() -> None:
    OUTPUT.write_text(json.dumps(build(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
