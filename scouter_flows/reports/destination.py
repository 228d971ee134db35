"""Where reports are written: a local folder or an object-storage URL (through fsspec).

`report_dir=` on a flow, operator or call wins; else `SCOUTER_REPORT_DIR`; else no report file is
written. A report that cannot be written never fails the run: its result is already stored, and
the log says why the report is missing.

Example:
    >>> import tempfile
    >>> from scouter_flows.reports.page import Report
    >>> from scouter_flows.reports.charts import pass_rate_chart
    >>> report = Report("eval", "demo", [], pass_rate_chart(["a"], [1.0]))
    >>> folder = tempfile.mkdtemp()
    >>> written = write_report(report, "s/m/1/eval-run1.html", folder)
    >>> written.endswith("s/m/1/eval-run1.html")
    True
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from scouter_flows.reports.page import Report

REPORT_DIR_ENV = "SCOUTER_REPORT_DIR"

log = logging.getLogger(__name__)

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]+")


def report_dir(explicit: str | os.PathLike[str] | None = None) -> str | None:
    """The folder or URL reports go to: `explicit`, else `SCOUTER_REPORT_DIR`, else None."""
    chosen = explicit if explicit not in (None, "") else os.environ.get(REPORT_DIR_ENV) or None
    return None if chosen is None else os.fspath(chosen)


def report_name(key: str, kind: str, window_end: datetime | None, run_id: int | None) -> str:
    """A report's path under the report folder: `space/name/version/kind-<end>-run<id>.html`.

    Example:
        >>> from datetime import datetime, UTC
        >>> report_name("credit/scorer/1.0", "psi", datetime(2026, 11, 2, tzinfo=UTC), 7)
        'credit/scorer/1.0/psi-20261102T0000Z-run7.html'
    """
    parts = [_UNSAFE.sub("_", p) or "_" for p in key.split("/")]
    stem = kind
    if window_end is not None:
        stem += f"-{window_end:%Y%m%dT%H%MZ}"
    if run_id is not None:
        stem += f"-run{run_id}"
    return "/".join([*parts, f"{stem}.html"])


def write_report(report: Report, name: str, folder: str | os.PathLike[str]) -> str:
    """Write `report` as `name` under `folder` (a path, or a URL such as `s3://bucket/reports`
    with its fsspec filesystem installed) and return where it is: an absolute path for a local
    folder, else the URL."""
    page = report.html()
    base = os.fspath(folder)
    if _URL.match(base) and not base.startswith("file://"):
        import fsspec

        target = base.rstrip("/") + "/" + name
        fs, path = fsspec.core.url_to_fs(target)
        fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        with fs.open(path, "w", encoding="utf-8") as handle:
            handle.write(page)
        return target
    local = Path(base.removeprefix("file://")).expanduser() / name
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_text(page, encoding="utf-8")
    return str(local.resolve())


def try_write_report(
    build: Callable[[], Report], name: str, folder: str | os.PathLike[str] | None
) -> dict[str, str]:
    """Build and write a report when a folder is configured, never raising, and say what
    happened as fields for a run's summary: `{"report": where}` when written, `{"report_error":
    why}` (also logged) when it could not be, `{}` when no folder is configured."""
    chosen = report_dir(folder)
    if chosen is None:
        return {}
    try:
        return {"report": write_report(build(), name, chosen)}
    except Exception as exc:  # a report is a view of a stored result: losing it must not fail
        reason = f"{type(exc).__name__}: {exc}"
        log.warning(
            "the report %s was not written to %s (%s); the run's result is stored and "
            "`scouter-flows report` can write it later",
            name,
            chosen,
            reason,
        )
        return {"report_error": reason}


def report_uri(summary: object) -> str:
    """The URI of the report a run summary names, or "" when it names none.

    Example:
        >>> report_uri({"report": "/srv/reports/credit/scorer/1/psi-run7.html"})
        'file:///srv/reports/credit/scorer/1/psi-run7.html'
        >>> report_uri({"report": "s3://reports/credit/psi-run7.html"}), report_uri(None)
        ('s3://reports/credit/psi-run7.html', '')
    """
    where = summary.get("report") if isinstance(summary, dict) else None
    if not isinstance(where, str) or not where:
        return ""
    return Path(where).as_uri() if where.startswith("/") else where


def report_link(summary: dict[str, object]) -> str:
    """A markdown line that links a run's written report, or says why there is none.

    Example:
        >>> report_link({"report": "/srv/reports/run7.html"})
        '[Full report](file:///srv/reports/run7.html)'
        >>> report_link({})
        'Full report: not written (set report_dir= or SCOUTER_REPORT_DIR to keep one per run)'
    """
    uri = report_uri(summary)
    if uri:
        return f"[Full report]({uri})"
    if summary.get("report_error"):
        return f"Full report: not written ({summary['report_error']})"
    return f"Full report: not written (set report_dir= or {REPORT_DIR_ENV} to keep one per run)"
