"""Reports: one self-contained HTML page per run, with charts drawn to static SVG.

A page fetches nothing when opened (no script, font or style from the network), so it can be
attached to a ticket or served from a bucket. `drift_report` and `eval_report` build a report
from a result in memory; `stored_run_report`, `stored_eval_report` and `history_report` from
the store; `write_report` puts one where `report_dir=` or `SCOUTER_REPORT_DIR` says.
"""

from scouter_flows.reports.destination import (
    REPORT_DIR_ENV,
    report_dir,
    report_link,
    write_report,
)
from scouter_flows.reports.drift import drift_headline, drift_report
from scouter_flows.reports.evaluation import eval_report
from scouter_flows.reports.page import Report, Section, Table
from scouter_flows.reports.stored import history_report, stored_eval_report, stored_run_report

__all__ = [
    "REPORT_DIR_ENV",
    "Report",
    "Section",
    "Table",
    "drift_headline",
    "drift_report",
    "eval_report",
    "history_report",
    "report_dir",
    "report_link",
    "stored_eval_report",
    "stored_run_report",
    "write_report",
]
