"""The charts of the reports, as Vega-Lite specs built with altair and drawn to static SVG.

vl-convert draws a spec in-process (no browser, no network), so a report holds plain SVG: it
opens offline, in a mail client or with scripts blocked, and a test can count its marks. Each
layer is named, so the SVG's mark groups carry the class `<name>_marks`.

Example:
    >>> chart = pass_rate_chart(["a", "b"], [1.0, 0.5])
    >>> svg = to_svg(chart)
    >>> svg.startswith("<svg"), svg.count('class="mark-rect role-mark rates_marks"')
    (True, 1)
"""

from __future__ import annotations

import base64
import itertools
import re
from collections.abc import Sequence
from typing import Any

import altair as alt
import polars as pl

STATUS_COLOURS = {
    "drift": "#c0392b",
    "ok": "#2e7d4f",
    "insufficient_data": "#9e9e9e",
    "pass": "#2e7d4f",
    "fail": "#c0392b",
    "error": "#8e44ad",
    "skipped": "#9e9e9e",
}
"""One colour per status, the same in every chart and in the page's badges."""

BASELINE_COLOUR = "#7f8c9a"
OBSERVED_COLOUR = "#2c6fbb"
WIDTH = 520
_counter = itertools.count()


def _status_scale(statuses: Sequence[str]) -> alt.Scale:
    present = [s for s in STATUS_COLOURS if s in set(statuses)]
    return alt.Scale(domain=present, range=[STATUS_COLOURS[s] for s in present])


def bins_chart(labels: Sequence[str], baseline: Sequence[float], observed: Sequence[float]) -> Any:
    """The baseline against the observed proportion of each bin (two bars per bin)."""
    frame = pl.DataFrame(
        {
            "bin": [*labels, *labels],
            "share": [*baseline, *observed],
            "set": ["baseline"] * len(labels) + ["observed"] * len(labels),
        }
    )
    return (
        alt.Chart(frame, name="bins")
        .mark_bar()
        .encode(
            x=alt.X("bin:N", sort=list(labels), title=None, axis=alt.Axis(labelAngle=-30)),
            xOffset=alt.XOffset("set:N", sort=["baseline", "observed"]),
            y=alt.Y("share:Q", title="share of rows", axis=alt.Axis(format="%")),
            color=alt.Color(
                "set:N",
                title=None,
                scale=alt.Scale(
                    domain=["baseline", "observed"], range=[BASELINE_COLOUR, OBSERVED_COLOUR]
                ),
                legend=alt.Legend(orient="top"),
            ),
        )
        .properties(width=WIDTH, height=150)
    )


def value_against_threshold_chart(
    names: Sequence[str],
    values: Sequence[float | None],
    thresholds: Sequence[float | None],
    statuses: Sequence[str],
    *,
    title: str,
) -> Any:
    """One bar per feature (its value) with a tick at its threshold, coloured by status."""
    frame = pl.DataFrame(
        {"feature": names, "value": values, "threshold": thresholds, "status": statuses},
        schema={
            "feature": pl.String,
            "value": pl.Float64,
            "threshold": pl.Float64,
            "status": pl.String,
        },
    )
    y = alt.Y("feature:N", sort=list(names), title=None)
    bars = (
        alt.Chart(frame, name="values")
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("value:Q", title=title),
            color=alt.Color(
                "status:N",
                scale=_status_scale(statuses),
                legend=alt.Legend(orient="top", title=None),
            ),
        )
    )
    ticks = (
        alt.Chart(frame, name="thresholds")
        .mark_tick(color="#222", thickness=2)
        .encode(y=y, x="threshold:Q")
    )
    return alt.layer(bars, ticks).properties(width=WIDTH, height=max(60, 18 * len(names)))


MAX_POINTS = 300
"""A chart is about this many pixels wide: longer series are drawn as per-bucket ranges."""


def spc_chart(
    means: Sequence[float],
    center: float,
    standard_error: float,
    broke: Sequence[int],
) -> Any:
    """Subgroup means over the window against the centre and its 1, 2 and 3 SE limits, the
    zones shaded, and the means that completed a rule marked (`broke`: their indices).

    More than `MAX_POINTS` means are drawn as the range and average of each run of consecutive
    means (a 520-pixel chart shows no more); the marked means are always drawn one by one.
    """
    se = standard_error
    zones = pl.DataFrame(
        {
            "low": [center + k * se for k in (-3, -2, -1, 0, 1, 2)],
            "high": [center + k * se for k in (-2, -1, 0, 1, 2, 3)],
            "zone": ["3", "2", "1", "1", "2", "3"],
        }
    )
    limits = pl.DataFrame(
        {
            "value": [center + k * se for k in (-3, -2, -1, 0, 1, 2, 3)],
            "line": ["-3 SE", "-2 SE", "-1 SE", "centre", "+1 SE", "+2 SE", "+3 SE"],
        }
    )
    band = (
        alt.Chart(zones, name="zones")
        .mark_rect(opacity=0.35)
        .encode(
            y=alt.Y("low:Q", scale=alt.Scale(zero=False), title="subgroup mean"),
            y2="high:Q",
            color=alt.Color(
                "zone:N",
                scale=alt.Scale(domain=["1", "2", "3"], range=["#eef5ee", "#fdf3dc", "#fbe3e0"]),
                legend=alt.Legend(orient="top", title="zone"),
            ),
        )
    )
    rules = (
        alt.Chart(limits, name="limits")
        .mark_rule(strokeDash=[4, 3], color="#555")
        .encode(y="value:Q")
    )
    x = alt.X("subgroup:Q", title="subgroup (oldest first)")
    series = pl.DataFrame({"mean": list(means)}, schema={"mean": pl.Float64}).with_row_index(
        "subgroup"
    )
    layers = [band, rules]
    if len(means) > MAX_POINTS:
        size = -(-len(means) // MAX_POINTS)
        buckets = series.group_by(
            (pl.col("subgroup") // size * size).alias("subgroup"), maintain_order=True
        ).agg(
            pl.col("mean").min().alias("low"),
            pl.col("mean").max().alias("high"),
            pl.col("mean").mean(),
        )
        layers.append(
            alt.Chart(buckets, name="ranges")
            .mark_area(color=OBSERVED_COLOUR, opacity=0.3)
            .encode(x=x, y="low:Q", y2="high:Q")
        )
        series = buckets
    layers.append(
        alt.Chart(series, name="means").mark_line(color=OBSERVED_COLOUR).encode(x=x, y="mean:Q")
    )
    marked = [i for i in broke if 0 <= i < len(means)]
    points = pl.DataFrame(
        {"subgroup": marked, "mean": [means[i] for i in marked]},
        schema={"subgroup": pl.Int64, "mean": pl.Float64},
    )
    layers.append(
        alt.Chart(points, name="breaks")
        .mark_point(filled=True, size=36, color=STATUS_COLOURS["drift"])
        .encode(x=x, y="mean:Q")
    )
    return alt.layer(*layers).properties(width=WIDTH, height=200)


def metric_chart(
    metric: str,
    value: float | None,
    baseline: float,
    lower: float | None,
    upper: float | None,
    status: str,
) -> Any:
    """One metric's value (a point) against its baseline (a tick) and the bounds it must stay
    within (a shaded band; an open side reaches the edge of the axis)."""
    known = [v for v in (value, baseline, lower, upper) if v is not None]
    span = (max(known) - min(known)) or abs(baseline) or 1.0
    low = lower if lower is not None else min(known) - span
    high = upper if upper is not None else max(known) + span
    x_scale = alt.Scale(domain=[min(low, *known) - 0.1 * span, max(high, *known) + 0.1 * span])
    x = alt.X("v:Q", scale=x_scale, title=metric)
    band = (
        alt.Chart(pl.DataFrame({"v": [low], "v2": [high]}), name="bounds")
        .mark_rect(color="#eef5ee", stroke="#2e7d4f")
        .encode(x=x, x2="v2:Q")
    )
    base = (
        alt.Chart(pl.DataFrame({"v": [baseline]}), name="baseline")
        .mark_tick(color="#222", thickness=2, size=30)
        .encode(x=x)
    )
    layers = [band, base]
    if value is not None:
        layers.append(
            alt.Chart(pl.DataFrame({"v": [value]}), name="value")
            .mark_point(filled=True, size=120, color=STATUS_COLOURS.get(status, OBSERVED_COLOUR))
            .encode(x=x)
        )
    return alt.layer(*layers).properties(width=WIDTH, height=40)


def pass_rate_chart(
    tasks: Sequence[str],
    rates: Sequence[float | None],
    baseline: Sequence[float | None] | None = None,
) -> Any:
    """Pass rate per task (bars), with the baseline's rate as a tick when one is given."""
    frame = pl.DataFrame(
        {"task": tasks, "rate": rates, "baseline": baseline or [None] * len(tasks)},
        schema={"task": pl.String, "rate": pl.Float64, "baseline": pl.Float64},
    )
    y = alt.Y("task:N", sort=list(tasks), title=None)
    x = alt.X(
        "rate:Q", title="pass rate", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
    )
    bars = alt.Chart(frame, name="rates").mark_bar(color=STATUS_COLOURS["pass"]).encode(y=y, x=x)
    layers = [bars]
    if baseline is not None:
        layers.append(
            alt.Chart(frame.drop_nulls("baseline"), name="baselines")
            .mark_tick(color="#222", thickness=2)
            .encode(y=y, x="baseline:Q")
        )
    return alt.layer(*layers).properties(width=WIDTH, height=max(60, 18 * len(tasks)))


def history_chart(
    series: pl.DataFrame, *, title: str, legend: bool = True, height: int = 260
) -> Any:
    """Each feature's value per window (`series`: window_end, feature, value, threshold,
    alerted), a line and a point per window for each feature, with the thresholds dashed and
    the windows that alerted ringed."""
    x = alt.X("window_end:T", title="window end (UTC)")
    colour = alt.Color(
        "feature:N", legend=alt.Legend(orient="right", title=None) if legend else None
    )
    y = alt.Y("value:Q", title=title)
    lines = alt.Chart(series, name="series").mark_line().encode(x=x, y=y, color=colour)
    points = (
        alt.Chart(series.drop_nulls("value"), name="points")
        .mark_point(filled=True, size=28)
        .encode(x=x, y=y, color=colour)
    )
    thresholds = (
        alt.Chart(series.drop_nulls("threshold"), name="thresholds")
        .mark_line(strokeDash=[4, 3], opacity=0.7)
        .encode(x=x, y="threshold:Q", color=colour)
    )
    alerts = (
        alt.Chart(series.filter(pl.col("alerted")).drop_nulls("value"), name="alerts")
        .mark_point(shape="circle", size=160, color=STATUS_COLOURS["drift"], strokeWidth=2)
        .encode(x=x, y="value:Q")
    )
    return alt.layer(lines, points, thresholds, alerts).properties(width=WIDTH + 80, height=height)


# Vega writes coordinates to 15 digits; a tenth of a pixel is plenty.
_GEOMETRY = re.compile(r'(\s(?:d|transform|points|x|y|x1|x2|y1|y2|width|height)=")([^"]*)"')
_DECIMALS = re.compile(r"(\.\d)\d+")


def to_svg(chart: Any) -> str:
    """The chart drawn as one standalone SVG element, its ids made unique, so several charts
    can sit inline in one page without one's clip paths or gradients standing in for another's.
    """
    import vl_convert

    spec = chart.to_dict()
    # A static SVG shows no tooltip; the aria labels Vega writes for each mark would only make
    # the page heavier (the page states each figure in words).
    config = spec.setdefault("config", {})
    config["aria"] = False
    config.setdefault("axisX", {})["grid"] = False  # the zones and thresholds are the guides
    svg: str = vl_convert.vegalite_to_svg(spec)
    svg = _GEOMETRY.sub(lambda m: m[1] + _DECIMALS.sub(r"\1", m[2]) + '"', svg)
    prefix = f"c{next(_counter)}-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m[1]}"', svg)
    return re.sub(r"(url\(#|href=\"#)([^)\"]+)", lambda m: f"{m[1]}{prefix}{m[2]}", svg)


def to_png(chart: Any, scale: float = 1.0) -> bytes:
    """The chart as a PNG image (for places that show images but not SVG)."""
    import vl_convert

    png: bytes = vl_convert.vegalite_to_png(chart.to_dict(validate=False), scale=scale)
    return png


def png_data_uri(chart: Any) -> str:
    """The chart as a `data:image/png;base64,...` URI, to embed in markdown."""
    return "data:image/png;base64," + base64.b64encode(to_png(chart)).decode("ascii")
