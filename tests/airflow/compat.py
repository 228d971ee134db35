"""What the Airflow tests read from Airflow itself, on 2.11 and on 3.x."""

from __future__ import annotations

from typing import Any

from airflow.providers.common.compat.version_compat import AIRFLOW_V_3_0_PLUS

if AIRFLOW_V_3_0_PLUS:
    from airflow.dag_processing.dagbag import DagBag
else:
    from airflow.models.dagbag import DagBag

__all__ = [
    "AIRFLOW_V_3_0_PLUS",
    "DRIFTED_RUN_STATES",
    "DagBag",
    "asset_events",
    "for_this_airflow",
    "provider_hook",
    "return_value",
    "run_dag",
    "served_link",
]


# The task states of one run of dags/drift_monitor.py on a window that drifted.
DRIFTED_RUN_STATES = {
    "monitor_drift": "success",
    "any_alerts": "success",
    "dispatch_alerts": "success",
    "no_alerts": "skipped",
    "drift_event": "success",
}


def asset_events(uri: str) -> list[dict[str, Any]]:
    """The extras of the events recorded on the asset (a dataset on 2.11) `uri`, oldest first."""
    from airflow.utils.session import create_session
    from sqlalchemy import select

    if AIRFLOW_V_3_0_PLUS:
        from airflow.models.asset import AssetEvent as Event
        from airflow.models.asset import AssetModel as Model

        target = Event.asset_id
    else:
        from airflow.models.dataset import DatasetEvent as Event
        from airflow.models.dataset import DatasetModel as Model

        target = Event.dataset_id
    with create_session() as session:
        query = (
            select(Event.extra)
            .join(Model, Model.id == target)
            .where(Model.uri == uri)
            .order_by(Event.id)
        )
        return [dict(extra or {}) for extra in session.scalars(query)]


def return_value(run: Any, task_id: str) -> Any:
    """What task `task_id` of the DAG run `run` returned (its `return_value` XCom)."""
    from airflow.utils.session import create_session

    if not AIRFLOW_V_3_0_PLUS:
        from airflow.models.xcom import XCom

        return XCom.get_one(run_id=run.run_id, dag_id=run.dag_id, task_id=task_id)
    from airflow.models.xcom import XComModel

    with create_session() as session:
        query = XComModel.get_many(
            run_id=run.run_id, dag_ids=run.dag_id, task_ids=task_id, key="return_value"
        )
        return XComModel.deserialize_value(session.scalars(query).one())


def served_link(dag: Any, run: Any, task_id: str, name: str) -> str | None:
    """The URL the UI shows for the extra link `name` of task `task_id` in the DAG run `run`:
    what the API server (the webserver on 2.11) computes from the serialized DAG."""
    from airflow.serialization import serialized_objects

    serializer = getattr(serialized_objects, "DagSerialization", None)
    if serializer is None:  # Airflow 2.11
        serializer = serialized_objects.SerializedDAG
    served = serializer.deserialize_dag(serializer.serialize_dag(dag))
    url: str | None = served.get_task(task_id).get_extra_links(run.get_task_instance(task_id), name)
    return url


def provider_hook(connection_type: str) -> Any:
    """The hook that the providers' manager lists for `connection_type`."""
    if AIRFLOW_V_3_0_PLUS:
        from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

        return ProvidersManagerTaskRuntime().hooks[connection_type]
    from airflow.providers_manager import ProvidersManager

    return ProvidersManager().hooks[connection_type]


def run_dag(dag: Any, logical_date: Any = None, run_conf: dict[str, Any] | None = None) -> Any:
    """`dag.test()` for the run at `logical_date` (`execution_date` on 2.11); the DAG run.

    Airflow 2.11's `dag.test()` does not write the DAG to the metadata database, where its
    datasets and dataset aliases must already be for an event to be recorded, so it is written
    first, as the DAG processor would have done."""
    if AIRFLOW_V_3_0_PLUS:
        return dag.test(logical_date=logical_date, run_conf=run_conf)
    dag.sync_to_db()
    return dag.test(execution_date=logical_date, run_conf=run_conf)


def for_this_airflow(source: str) -> str:
    """A DAG file written for Airflow 3 (`from airflow.sdk import ...`), as a 2.11 user writes
    it: the same names from Airflow's compatibility provider, as the README says."""
    if AIRFLOW_V_3_0_PLUS:
        return source
    return source.replace(
        "from airflow.sdk import ", "from airflow.providers.common.compat.sdk import "
    )
