"""Pieces every monitoring DAG repeats: the trigger form's window params, and the branch into
alert dispatch that runs only when the monitor's run left pending alerts."""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import BranchPythonOperator

from scouter_flows.operators.compat import BaseOperator, Param
from scouter_flows.operators.drift import DispatchAlertsOperator, choose_dispatch_branch


def window_params() -> dict[str, Param]:
    """`window_start`, `window_end` (empty: the data interval's) and `dry_run`, typed and
    described, for "Trigger DAG w/ config"; pass them to an operator as
    `window_start="{{ params.window_start or '' }}"`, ..., `preview="{{ params.dry_run }}"`."""
    return {
        "window_start": Param(
            None,
            type=["null", "string"],
            format="date-time",
            description="Window start (UTC, inclusive); empty means the data interval start.",
        ),
        "window_end": Param(
            None,
            type=["null", "string"],
            format="date-time",
            description="Window end (UTC, exclusive); empty means the data interval end.",
        ),
        "dry_run": Param(
            False,
            type="boolean",
            description="Compute and report only: store nothing and send no alert.",
        ),
    }


def drift_type_param(*choices: str) -> dict[str, Param]:
    """`drift_type`, for a profile key that holds profiles of several drift types (a PSI and an
    SPC profile of one model): an enum of `choices` (default psi, spc, custom) or empty;
    pass it as `drift_type="{{ params.drift_type or '' }}"`."""
    kinds = list(choices or ("psi", "spc", "custom"))
    return {
        "drift_type": Param(
            None,
            type=["null", "string"],
            enum=[None, *kinds],
            description="Which profile to monitor when the key holds several drift types "
            f"({', '.join(kinds)}); empty when it holds one.",
        )
    }


def dispatch_on_alerts(
    monitor: BaseOperator, *, eval_run: bool = False, **dispatch: Any
) -> DispatchAlertsOperator:
    """After `monitor`, branch `any_alerts` into `dispatch_alerts` (which sends the run's
    pending alerts) or `no_alerts`; returns the dispatch task.

    Args:
        monitor: The task whose summary (XCom) names the run and its pending alerts.
        eval_run: The run is an eval run (`GenAIEvalOperator`), not a drift run.
        dispatch: Passed to `DispatchAlertsOperator` (connections, store).
    """
    run_id = f"{{{{ ti.xcom_pull(task_ids='{monitor.task_id}')['run_id'] }}}}"
    branch = BranchPythonOperator(
        task_id="any_alerts",
        python_callable=choose_dispatch_branch,
        op_args=[monitor.output, "dispatch_alerts", "no_alerts"],
    )
    sender = DispatchAlertsOperator(
        task_id="dispatch_alerts", **{"eval_run_id" if eval_run else "run_id": run_id}, **dispatch
    )
    monitor >> branch >> [sender, EmptyOperator(task_id="no_alerts")]
    return sender
