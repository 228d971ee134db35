"""Reports of drift runs: PSI, SPC and custom (or performance) metrics.

Example:
    >>> import numpy as np
    >>> from scouter_flows import Drifter, PsiDriftConfig
    >>> rng = np.random.default_rng(0)
    >>> profile = Drifter().create_drift_profile(
    ...     {"age": rng.normal(40, 9, 2000)}, PsiDriftConfig(space="s", name="m", version="1"))
    >>> result = Drifter().compute_drift({"age": rng.normal(48, 9, 2000)}, profile)
    >>> report = drift_report(profile, result)
    >>> report.kind, report.status, [s.heading for s in report.sections]
    ('psi', 'drift', ['age'])
    >>> "<svg" in report.html()
    True
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import altair as alt

from scouter_flows.errors import ConfigError
from scouter_flows.profiles.custom import CustomDriftProfile
from scouter_flows.profiles.psi import MISSING_BIN, OTHER_BIN, PsiDriftProfile, PsiFeatureProfile
from scouter_flows.profiles.results import (
    AnyResult,
    CustomDriftResult,
    FeatureDrift,
    PsiDriftResult,
    SpcDriftResult,
    SpcFeatureDrift,
)
from scouter_flows.profiles.spc import SpcDriftProfile
from scouter_flows.reports.charts import (
    bins_chart,
    metric_chart,
    spc_chart,
    value_against_threshold_chart,
)
from scouter_flows.reports.page import Report, Section, Table
from scouter_flows.store.drift_runs import run_status
from scouter_flows.window import Window

_ORDER = {"drift": 0, "insufficient_data": 1, "ok": 2}


def drift_report(
    profile: Any,
    result: AnyResult,
    *,
    window: Window | None = None,
    run_id: int | None = None,
) -> Report:
    """The report of one drift run: `result` judged against `profile` (of the same kind).

    Raises:
        ConfigError: the result is not of the profile's kind or identity.
    """
    if profile.drift_type != result.drift_type:
        raise ConfigError(
            f"a {result.drift_type} result cannot be reported against a {profile.drift_type} "
            f"profile ({_key(profile.config)})"
        )
    facts = _run_facts(profile, result, window, run_id)
    if isinstance(result, PsiDriftResult):
        assert isinstance(profile, PsiDriftProfile)
        return _psi_report(profile, result, facts)
    if isinstance(result, SpcDriftResult):
        assert isinstance(profile, SpcDriftProfile)
        return _spc_report(profile, result, facts)
    assert isinstance(profile, CustomDriftProfile)
    return _custom_report(profile, result, facts)


def drift_headline(result: AnyResult) -> Any:
    """The chart that sums a drift run up (the report's first, and a run artifact's image):
    PSI or largest |z| per feature against its threshold, drifted first; or each metric's
    value against its bounds. It needs the result only, not the profile.

    Example:
        >>> from scouter_flows.profiles.results import PsiDriftResult, FeatureDrift
        >>> result = PsiDriftResult(space="s", name="m", version="1", rows=9, drift_type="psi",
        ...     features=[FeatureDrift(feature="age", value=0.4, threshold=0.1, status="drift",
        ...     observed_rows=9, effective_bins=4, missing_rate=0.0)])
        >>> drift_headline(result).to_dict()["layer"][0]["name"]
        'values'
    """
    if isinstance(result, PsiDriftResult | SpcDriftResult):
        psi = isinstance(result, PsiDriftResult)
        value, threshold = ("value", "threshold") if psi else ("max_abs_z", "limit")
        ranked = _ranked(result.features, value, threshold)
        return value_against_threshold_chart(
            [f.feature for f in ranked],
            [getattr(f, value) for f in ranked],
            [getattr(f, threshold) for f in ranked],
            [f.status for f in ranked],
            title="PSI (tick: threshold)"
            if psi
            else "largest |mean - centre| in standard errors (tick: limit)",
        )
    charts = [
        metric_chart(m.metric, m.value, m.baseline_value, m.lower, m.upper, m.status)
        for m in _ranked_metrics(result)
    ]
    if not charts:
        return value_against_threshold_chart([], [], [], [], title="no metric")
    return alt.vconcat(*charts)


def _ranked_metrics(result: CustomDriftResult) -> list[Any]:
    return sorted(result.metrics, key=lambda m: (_ORDER.get(m.status, 3), m.metric))


def _key(config: Any) -> str:
    return f"{config.space}/{config.name}/{config.version}"


def _run_facts(
    profile: Any, result: AnyResult, window: Window | None, run_id: int | None
) -> list[tuple[str, str]]:
    facts = [("profile", f"{_key(profile.config)} ({profile.drift_type})")]
    if window is not None:
        facts.append(
            ("window", f"{window.start:%Y-%m-%d %H:%M} to {window.end:%Y-%m-%d %H:%M} UTC")
        )
    if run_id is not None:
        facts.append(("run", str(run_id)))
    facts.append(("rows observed", f"{result.rows:,}"))
    judged = result.statuses()
    facts.append(("drifted", f"{len(result.drifted)} of {len(judged)}"))
    return facts


def _number(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "n/a"
    if not math.isfinite(value):
        return str(value)
    return f"{value:.{digits}g}"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def _ranked(features: Sequence[Any], value: str, threshold: str) -> list[Any]:
    """Drifted features first, most over their threshold first; then the rest."""

    def over(f: Any) -> float:
        v, t = getattr(f, value), getattr(f, threshold)
        if v is None:
            return -math.inf
        return float(v / t if t else v)

    return sorted(features, key=lambda f: (_ORDER.get(f.status, 3), -over(f), f.feature))


# -- PSI ----------------------------------------------------------------------------------------


def bin_names(feature: PsiFeatureProfile) -> list[str]:
    """Short bin names for a chart axis: `<= 1.5`, `(1.5, 3]`, `> 3`, categories, `missing`.

    Example:
        >>> bin_names(PsiFeatureProfile(kind="numeric", edges=[1.5, 3.0], counts=[1, 1, 1, 0]))
        ['<= 1.5', '(1.5, 3]', '> 3', 'missing']
    """
    if feature.kind == "categorical":
        return [*feature.categories, OTHER_BIN, MISSING_BIN]
    edges = [_number(e) for e in feature.edges]
    if not edges:
        return ["all values", MISSING_BIN]
    inner = [f"({lo}, {hi}]" for lo, hi in itertools.pairwise(edges)]
    return [f"<= {edges[0]}", *inner, f"> {edges[-1]}", MISSING_BIN]


def _psi_report(
    profile: PsiDriftProfile, result: PsiDriftResult, facts: list[tuple[str, str]]
) -> Report:
    ranked: list[FeatureDrift] = _ranked(result.features, "value", "threshold")
    if result.feature_alpha is not None:
        facts.append(("per-feature alpha", _number(result.feature_alpha)))
    if result.weighted_psi is not None:
        facts.append(("weighted PSI", _number(result.weighted_psi)))
    headline = drift_headline(result)
    sections = []
    for f in ranked:
        baseline = profile.features.get(f.feature)
        chart = None
        if baseline is not None:
            observed = f.observed_proportions or [0.0] * len(baseline.proportions())
            chart = bins_chart(bin_names(baseline), baseline.proportions(), observed)
        section_facts = [
            ("PSI", f"{_number(f.value)} against threshold {_number(f.threshold)}"),
            ("rows", f"{f.observed_rows:,}"),
            ("missing", _share(f.missing_rate)),
            ("bins", f"{f.effective_bins} with baseline rows"),
        ]
        if f.p_value is not None:
            section_facts.append(("p-value", _number(f.p_value)))
        if f.unseen_rate is not None:
            section_facts.append(("unseen categories", _share(f.unseen_rate)))
        if not f.observed_proportions:
            section_facts.append(("observed", "no rows to bin in this window"))
        sections.append(Section(f.feature, f.status, section_facts, chart))
    return Report(
        "psi",
        f"PSI drift: {_key(profile.config)}",
        facts,
        headline,
        sections,
        run_status(result),
    )


# -- SPC ----------------------------------------------------------------------------------------


def rule_breaks(chart: SpcFeatureDrift, center: float, standard_error: float) -> list[int]:
    """Indices of the means to mark: beyond the chart's limit, or completing a rule."""
    broke = {alert.index for alert in chart.alerts}
    if standard_error > 0:
        broke |= {
            i for i, m in enumerate(chart.means) if abs(m - center) / standard_error > chart.limit
        }
    return sorted(i for i in broke if 0 <= i < len(chart.means))


def _spc_report(
    profile: SpcDriftProfile, result: SpcDriftResult, facts: list[tuple[str, str]]
) -> Report:
    ranked: list[SpcFeatureDrift] = _ranked(result.features, "max_abs_z", "limit")
    facts.append(("rows per subgroup", str(profile.config.sample_size)))
    headline = drift_headline(result)
    sections = []
    for f in ranked:
        baseline = profile.features.get(f.feature)
        chart = None
        if baseline is not None and len(f.means):
            se = baseline.standard_error
            chart = spc_chart(
                list(f.means), baseline.center, se, rule_breaks(f, baseline.center, se)
            )
        section_facts = [
            ("subgroups", str(f.subgroups)),
            ("largest |z|", f"{_number(f.max_abs_z)} against limit {_number(f.limit)}"),
        ]
        if baseline is not None:
            section_facts.append(
                ("centre", f"{_number(baseline.center)}, SE {_number(baseline.standard_error)}")
            )
        table = None
        if f.alerts:
            table = Table(
                ["rule", "zone", "first at subgroup", "time", "times"],
                [
                    [
                        a.kind.replace("_", " "),
                        "" if a.zone is None else str(a.zone),
                        str(a.index),
                        "" if a.time is None else a.time.isoformat(),
                        str(a.occurrences),
                    ]
                    for a in f.alerts
                ],
            )
        sections.append(Section(f.feature, f.status, section_facts, chart, table))
    return Report(
        "spc",
        f"SPC drift: {_key(profile.config)}",
        facts,
        headline,
        sections,
        run_status(result),
    )


# -- custom and performance metrics ---------------------------------------------------------------


def _custom_report(
    profile: CustomDriftProfile, result: CustomDriftResult, facts: list[tuple[str, str]]
) -> Report:
    metrics = _ranked_metrics(result)
    headline = drift_headline(result)
    sections = [
        Section(
            m.metric,
            m.status,
            [
                ("value", _number(m.value)),
                ("baseline", _number(m.baseline_value)),
                ("alert", f"{m.alert_threshold}, {_bounds(m.lower, m.upper)}"),
                ("observations", f"{m.observations:,}"),
            ],
        )
        for m in metrics
    ]
    return Report(
        "custom",
        f"Metrics: {_key(profile.config)}",
        facts,
        headline,
        sections,
        run_status(result),
    )


def _bounds(lower: float | None, upper: float | None) -> str:
    if lower is not None and upper is not None:
        return f"breach outside [{_number(lower)}, {_number(upper)}]"
    if lower is not None:
        return f"breach below {_number(lower)}"
    return f"breach above {_number(upper)}"
