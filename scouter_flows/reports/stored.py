"""Reports of what the store holds: one stored drift or eval run, and a profile's history.

Example:
    >>> import numpy as np
    >>> from scouter_flows import Drifter, PsiDriftConfig, Store, Window
    >>> store = Store("sqlite://")
    >>> rng = np.random.default_rng(1)
    >>> profile = Drifter().create_drift_profile(
    ...     {"age": rng.normal(40, 9, 2000)}, PsiDriftConfig(space="s", name="m", version="1"))
    >>> profile_id = store.register_profile(profile)
    >>> for day in (1, 2, 3):
    ...     result = Drifter().compute_drift({"age": rng.normal(36 + 4 * day, 9, 2000)}, profile)
    ...     window = Window.parse(f"2026-11-0{day}T00:00Z", f"2026-11-0{day + 1}T00:00Z")
    ...     run_id = store.write_drift_run(profile_id, window, result).run_id
    >>> stored_run_report(store, run_id).status
    'drift'
    >>> history = history_report(store, "s", "m", "1")
    >>> history.kind, history.facts[1]
    ('history', ('windows', '3 (2026-11-01 to 2026-11-04)'))
"""

from __future__ import annotations

from typing import Any

import polars as pl

from scouter_flows.drift.psi import psi_result
from scouter_flows.errors import StoreError
from scouter_flows.profiles.custom import CustomDriftProfile
from scouter_flows.profiles.psi import PsiDriftProfile
from scouter_flows.profiles.results import (
    AnyResult,
    CustomDriftResult,
    CustomMetricResult,
    FeatureDrift,
    SpcDriftResult,
    SpcFeatureDrift,
)
from scouter_flows.reports.charts import history_chart
from scouter_flows.reports.drift import drift_report
from scouter_flows.reports.evaluation import eval_report
from scouter_flows.reports.page import Report, Section, Table
from scouter_flows.store import Store
from scouter_flows.window import Window

DEFAULT_HISTORY = 20
"""Windows shown by a history report unless told otherwise."""

HEADLINE_FEATURES = 10
"""Features drawn together in a history report's headline (each has its own chart below)."""


def stored_result(store: Store, run_id: int) -> tuple[Any, AnyResult, Window]:
    """The profile, the rebuilt result and the window of stored drift run `run_id`.

    Raises:
        StoreError: no drift run has that id.
    """
    run = store.drift_run(run_id)
    if run is None:
        raise StoreError(f"no drift run has id {run_id}: `scouter-flows runs` lists them")
    _, profile = store.get_profile(run["space"], run["name"], run["version"], run["drift_type"])
    identity = {"space": run["space"], "name": run["name"], "version": run["version"]}
    rows: list[dict[str, Any]] = run["results"]
    result: AnyResult
    if run["drift_type"] == "psi":
        assert isinstance(profile, PsiDriftProfile)
        result = psi_result(
            _features(FeatureDrift, rows, "value", "threshold"),
            profile,
            run["rows_observed"],
        )
    elif run["drift_type"] == "spc":
        result = SpcDriftResult(
            **identity,
            rows=run["rows_observed"],
            leftover_rows=0,  # not stored; the report does not show it
            features=_features(SpcFeatureDrift, rows, "max_abs_z", "limit"),
        )
    else:
        assert isinstance(profile, CustomDriftProfile)
        result = CustomDriftResult(
            **identity,
            rows=run["rows_observed"],
            metrics=[
                CustomMetricResult(
                    metric=r["metric"],
                    value=r["value"],
                    baseline_value=r["baseline_value"],
                    alert_threshold=_side(profile, r["metric"]),
                    lower=r["lower"],
                    upper=r["upper"],
                    observations=r["observations"],
                    status=r["status"],
                )
                for r in rows
            ],
        )
    return profile, result, Window(run["window_start"], run["window_end"])


def _features(model: Any, rows: list[dict[str, Any]], value: str, threshold: str) -> list[Any]:
    """The per-feature verdicts of `model` from stored rows: the judged value and threshold
    are columns, the rest is the payload."""
    return [
        model(
            feature=r["feature"],
            status=r["status"],
            **{value: r["value"], threshold: r["threshold"]},
            **r["payload"],
        )
        for r in rows
    ]


def _side(profile: CustomDriftProfile, metric: str) -> str:
    found = profile.metrics.get(metric)
    return str(found.alert_threshold) if found is not None else "unknown"


def stored_run_report(store: Store, run_id: int) -> Report:
    """The report of stored drift run `run_id` (PSI, SPC or custom).

    Raises:
        StoreError: no drift run has that id.
    """
    profile, result, window = stored_result(store, run_id)
    return drift_report(profile, result, window=window, run_id=run_id)


def stored_eval_report(store: Store, run_id: int, *, baseline_run_id: int | None = None) -> Report:
    """The report of stored eval run `run_id`, compared with `baseline_run_id` (default: the
    profile's run on the window before, when there is one).

    Raises:
        StoreError: no eval run has that id (or the baseline's).
    """
    run = store.eval_run(run_id)
    if run is None:
        raise StoreError(f"no eval run has id {run_id}: `scouter-flows runs --eval` lists them")
    baseline_id = baseline_run_id if baseline_run_id is not None else run["previous"]
    baseline = None
    if baseline_id is not None:
        if store.eval_run(baseline_id) is None:
            raise StoreError(f"no eval run has id {baseline_id} (the baseline asked for)")
        baseline = store.eval_results(baseline_id)
    return eval_report(
        store.eval_results(run_id),
        baseline,
        title=f"{run['space']}/{run['name']}/{run['version']}",
        window=Window(run["window_start"], run["window_end"]),
        run_id=run_id,
        baseline_run_id=baseline_id,
    )


def history_report(
    store: Store,
    space: str,
    name: str,
    version: str,
    *,
    drift_type: str | None = None,
    limit: int = DEFAULT_HISTORY,
) -> Report:
    """One profile over its newest `limit` windows: each feature's value per window against
    its threshold, the windows that raised an alert ringed, and a table of the runs.

    Raises:
        StoreError: no such profile.
    """
    profile_id, profile = store.get_profile(space, name, version, drift_type)
    history = store.feature_history(profile_id, limit)
    key = f"{space}/{name}/{version}"
    runs = store.run_history(profile_id, limit)
    facts = [("profile", f"{key} ({profile.drift_type})")]
    if runs:
        first, last = runs[-1]["window_start"], runs[0]["window_end"]
        facts.append(("windows", f"{len(runs)} ({first:%Y-%m-%d} to {last:%Y-%m-%d})"))
        drifted = sum(1 for r in runs if r["status"] == "drift")
        facts.append(("windows with drift", f"{drifted} of {len(runs)}"))
    else:
        facts.append(("windows", "0 (no run is stored yet)"))
    measure = {"psi": "PSI", "spc": "largest |z|", "custom": "metric value"}.get(
        profile.drift_type, "value"
    )
    series = history.select(
        "window_end",
        "feature",
        "value",
        # A custom metric has bounds, not one threshold: the side that can be crossed is shown.
        pl.coalesce("threshold", "upper", "lower").alias("threshold"),
        "alerted",
    )
    features = _by_feature(history)
    shown = [f for f, _ in features[:HEADLINE_FEATURES]]
    headline = history_chart(series.filter(pl.col("feature").is_in(shown)), title=measure)
    if len(features) > HEADLINE_FEATURES:
        facts.append(("headline", f"the {HEADLINE_FEATURES} features that drifted most often"))
    sections = [
        _feature_section(f, rows, series.filter(pl.col("feature") == f), measure)
        for f, rows in features
    ]
    sections.append(
        Section(
            "Runs",
            table=Table(
                ["run", "window end", "status", "rows", "drifted"],
                [
                    [
                        r["run_id"],
                        f"{r['window_end']:%Y-%m-%d %H:%M}",
                        r["status"],
                        f"{r['rows']:,}" if r["rows"] is not None else "",
                        ", ".join(r["drifted"]),
                    ]
                    for r in runs
                ],
            ),
            anchor="runs",
        )
    )
    status = runs[0]["status"] if runs else None
    return Report("history", f"History: {key}", facts, headline, sections, status)


def _by_feature(history: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    """Features that drifted most often first."""
    groups = [(str(key[0]), rows) for key, rows in history.group_by("feature", maintain_order=True)]
    return sorted(groups, key=lambda g: (-int(g[1]["status"].eq("drift").sum()), g[0]))


def _feature_section(
    feature: str, rows: pl.DataFrame, series: pl.DataFrame, measure: str
) -> Section:
    drifted = int(rows["status"].eq("drift").sum())
    alerted = int(rows["alerted"].sum())
    newest = rows.row(-1, named=True)
    value = "n/a" if newest["value"] is None else f"{newest['value']:.4g}"
    facts = [
        ("newest", f"{measure} {value} ({newest['status']})"),
        ("windows with drift", f"{drifted} of {rows.height}"),
        ("windows that alerted", str(alerted)),
    ]
    chart = history_chart(series, title=measure, legend=False, height=120)
    return Section(feature, newest["status"], facts, chart, anchor=f"feature-{feature}")
