"""A report: a headline chart and sections, laid out as one self-contained HTML page.

The page has no script and links nothing: its styles are inline and its charts are inline SVG,
so it reads the same offline, attached to a ticket or served from a bucket.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import jinja2

from scouter_flows.reports.charts import STATUS_COLOURS, png_data_uri, to_svg


@dataclass(frozen=True)
class Table:
    """Rows to show under a section, with a note when some were left out."""

    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    note: str = ""


@dataclass(frozen=True)
class Section:
    """One feature, metric or part of a report: a heading, facts, a chart and a table."""

    heading: str
    status: str | None = None
    facts: Sequence[tuple[str, str]] = ()
    chart: Any = None
    table: Table | None = None
    anchor: str = ""


@dataclass(frozen=True)
class Report:
    """One run's report.

    Attributes:
        kind: `psi`, `spc`, `custom`, `eval` or `history`.
        title: The page's title (the profile and what it shows).
        facts: The run's key facts, shown at the top (window, rows, status, ...).
        headline: The chart that sums the run up, also what a run's artifact shows.
        sections: One per feature or metric (drifted first), or per part of an eval.
    """

    kind: str
    title: str
    facts: Sequence[tuple[str, str]]
    headline: Any
    sections: Sequence[Section] = field(default_factory=list)
    status: str | None = None

    def headline_svg(self) -> str:
        """The headline chart as SVG."""
        return to_svg(self.headline)

    def headline_png_uri(self) -> str:
        """The headline chart as a PNG data URI, for markdown that shows images."""
        return png_data_uri(self.headline)

    def html(self) -> str:
        """The whole report as one HTML page."""
        sections = [
            {
                "heading": s.heading,
                "status": s.status,
                "facts": s.facts,
                "svg": to_svg(s.chart) if s.chart is not None else None,
                "table": s.table,
                "anchor": s.anchor or f"section-{i}",
            }
            for i, s in enumerate(self.sections)
        ]
        return _TEMPLATE.render(
            report=self,
            headline=self.headline_svg(),
            sections=sections,
            colours=STATUS_COLOURS,
            version=_version(),
            written=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )

    def write(self, path: str | Path) -> Path:
        """Write the page to `path` (its folder is made) and return the path."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.html(), encoding="utf-8")
        return target


def _version() -> str:
    try:
        return version("scouter-flows")
    except PackageNotFoundError:  # a source tree that is not installed
        return "(not installed)"


_TEMPLATE = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ report.title }}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2430;
  margin: 0 auto; max-width: 980px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 6px; border-top: 1px solid #e3e6ea; padding-top: 16px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.facts dt { color: #5b6573; } dl.facts dd { margin: 0; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; color: #fff;
  font-size: 12px; vertical-align: middle; background: #607080; }
{% for status, colour in colours.items() %}.badge.{{ status }} { background: {{ colour }}; }
{% endfor %}
nav.toc { columns: 3; font-size: 13px; margin: 10px 0; }
nav.toc a { color: #2c6fbb; text-decoration: none; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border-bottom: 1px solid #e3e6ea; padding: 3px 10px 3px 0; text-align: left;
  vertical-align: top; }
td.message { max-width: 520px; overflow-wrap: anywhere; }
p.note, footer { color: #5b6573; font-size: 12px; }
svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<header>
<h1>{{ report.title }}{% if report.status %} <span class="badge {{ report.status }}">
{{- report.status }}</span>{% endif %}</h1>
<dl class="facts">{% for name, value in report.facts %}<dt>{{ name }}</dt><dd>{{ value }}</dd>
{% endfor %}</dl>
</header>
<figure class="headline">{{ headline|safe }}</figure>
{% if sections|length > 1 %}<nav class="toc">{% for s in sections %}
<div><a href="#{{ s.anchor }}">{{ s.heading }}</a>{% if s.status %}
<span class="badge {{ s.status }}">{{ s.status }}</span>{% endif %}</div>{% endfor %}</nav>
{% endif %}
{% for s in sections %}<section id="{{ s.anchor }}">
<h2>{{ s.heading }}{% if s.status %} <span class="badge {{ s.status }}">{{ s.status }}</span>
{%- endif %}</h2>
{% if s.facts %}<dl class="facts">{% for name, value in s.facts %}<dt>{{ name }}</dt>
<dd>{{ value }}</dd>{% endfor %}</dl>{% endif %}
{% if s.svg %}<figure>{{ s.svg|safe }}</figure>{% endif %}
{% if s.table %}<table><thead><tr>{% for c in s.table.columns %}<th>{{ c }}</th>{% endfor %}
</tr></thead><tbody>{% for row in s.table.rows %}<tr>{% for cell in row %}
<td{% if loop.last %} class="message"{% endif %}>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>{% if s.table.note %}<p class="note">{{ s.table.note }}</p>
{% endif %}{% endif %}
</section>
{% endfor %}
<footer>Written {{ written }} by scouter-flows {{ version }}.</footer>
</body>
</html>
"""
)
