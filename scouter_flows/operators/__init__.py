"""Airflow operators, hooks, assets and the monitor DAG factory (install the `airflow` extra).

Names load lazily: Airflow imports `scouter_flows.operators.provider` while it is still
configuring itself, so this package must not import Airflow (or anything heavy) eagerly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scouter_flows.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "DriftEventOperator": "scouter_flows.operators.assets",
    "asset_of": "scouter_flows.operators.assets",
    "profile_asset": "scouter_flows.operators.assets",
    "MonitorSpec": "scouter_flows.profiles.monitors",
    "dispatch_on_alerts": "scouter_flows.operators.dag_parts",
    "window_params": "scouter_flows.operators.dag_parts",
    "drift_type_param": "scouter_flows.operators.dag_parts",
    "active_monitors": "scouter_flows.operators.dag_factory",
    "build_monitor_dag": "scouter_flows.operators.dag_factory",
    "build_monitor_dags": "scouter_flows.operators.dag_factory",
    "monitor_params": "scouter_flows.operators.dag_factory",
    "DispatchAlertsOperator": "scouter_flows.operators.drift",
    "DriftMonitorOperator": "scouter_flows.operators.drift",
    "GenAIEvalOperator": "scouter_flows.operators.drift",
    "choose_dispatch_branch": "scouter_flows.operators.drift",
    "window_from_context": "scouter_flows.operators.drift",
    "ScouterStoreHook": "scouter_flows.operators.hooks",
    "DataProfileOperator": "scouter_flows.operators.monitors",
    "ModelPerformanceOperator": "scouter_flows.operators.monitors",
    "MergePartialsOperator": "scouter_flows.operators.partitions",
    "PartialStatisticsOperator": "scouter_flows.operators.partitions",
    "PlanPartitionsOperator": "scouter_flows.operators.partitions",
    "PruneResultsOperator": "scouter_flows.operators.retention",
    "MonitorBatchOperator": "scouter_flows.operators.batch",
}

__all__ = [
    "DataProfileOperator",
    "DispatchAlertsOperator",
    "DriftEventOperator",
    "DriftMonitorOperator",
    "GenAIEvalOperator",
    "MergePartialsOperator",
    "ModelPerformanceOperator",
    "MonitorBatchOperator",
    "MonitorSpec",
    "PartialStatisticsOperator",
    "PlanPartitionsOperator",
    "PruneResultsOperator",
    "ScouterStoreHook",
    "active_monitors",
    "asset_of",
    "build_monitor_dag",
    "build_monitor_dags",
    "choose_dispatch_branch",
    "dispatch_on_alerts",
    "drift_type_param",
    "monitor_params",
    "profile_asset",
    "window_from_context",
    "window_params",
]

if TYPE_CHECKING:
    from scouter_flows.operators.assets import DriftEventOperator, asset_of, profile_asset
    from scouter_flows.operators.batch import MonitorBatchOperator
    from scouter_flows.operators.dag_factory import (
        active_monitors,
        build_monitor_dag,
        build_monitor_dags,
        monitor_params,
    )
    from scouter_flows.operators.dag_parts import (
        dispatch_on_alerts,
        drift_type_param,
        window_params,
    )
    from scouter_flows.operators.drift import (
        DispatchAlertsOperator,
        DriftMonitorOperator,
        GenAIEvalOperator,
        choose_dispatch_branch,
        window_from_context,
    )
    from scouter_flows.operators.hooks import ScouterStoreHook
    from scouter_flows.operators.monitors import DataProfileOperator, ModelPerformanceOperator
    from scouter_flows.operators.partitions import (
        MergePartialsOperator,
        PartialStatisticsOperator,
        PlanPartitionsOperator,
    )
    from scouter_flows.operators.retention import PruneResultsOperator
    from scouter_flows.profiles.monitors import MonitorSpec


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
