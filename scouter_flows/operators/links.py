"""The operator extra links of the monitoring operators: the run's report, from the grid view.

A monitoring operator returns its run summary as its XCom; where a report was written
(`report_dir=` or `SCOUTER_REPORT_DIR`), the summary's `report` says where, and the task's
"Drift report" (or "Eval report") button opens it. Airflow 3 computes the link on the worker
when the task ends and keeps it with the task; Airflow 2.11 computes it when the page asks.
"""

from __future__ import annotations

from typing import Any

from scouter_flows.operators.compat import BaseOperatorLink, XCom


def report_url(summary: Any) -> str:
    """The URL of the report a run summary names, or "" (the button shows no link).

    Example:
        >>> report_url({"report": "s3://reports/credit/psi-run7.html"}), report_url(None)
        ('s3://reports/credit/psi-run7.html', '')
    """
    # Imported here: the reports package pulls Polars in, and DAG files are parsed without it.
    from scouter_flows.reports.destination import report_uri

    return report_uri(summary)


class DriftReportLink(BaseOperatorLink):
    """The drift (or performance) run's HTML report."""

    name = "Drift report"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        return report_url(XCom.get_value(ti_key=ti_key, key="return_value"))


class EvalReportLink(DriftReportLink):
    """The eval run's HTML report."""

    name = "Eval report"
