"""scouter-flows: ML and LLM monitoring as Prefect flows and Airflow operators.

Everything a user calls is importable from here. Names load lazily, so `import scouter_flows`
stays cheap and never imports an orchestrator.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from scouter_flows.lazy import lazy_exports

try:
    __version__ = version("scouter-flows")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

_EXPORTS: dict[str, str] = {
    "Drifter": "scouter_flows.drift.drifter",
    "monitor_batch": "scouter_flows.tasks.batch",
    "DataProfiler": "scouter_flows.drift.profiler",
    "compute_performance": "scouter_flows.drift.performance",
    "performance_partial": "scouter_flows.drift.performance",
    "finalize_performance": "scouter_flows.drift.performance",
    "performance_as_custom": "scouter_flows.drift.performance",
    "PerformancePartial": "scouter_flows.drift.performance",
    "PsiPartial": "scouter_flows.drift.psi",
    "SpcPartial": "scouter_flows.drift.subgroups",
    "SpcProfilePartial": "scouter_flows.drift.subgroups",
    "CustomPartial": "scouter_flows.drift.custom",
    "DataProfilePartial": "scouter_flows.drift.profiler",
    "DataProfile": "scouter_flows.profiles.data_profile",
    "PsiDriftConfig": "scouter_flows.profiles.psi",
    "PsiDriftProfile": "scouter_flows.profiles.psi",
    "PsiFeatureProfile": "scouter_flows.profiles.psi",
    "QuantileBinning": "scouter_flows.profiles.psi",
    "EqualWidthBinning": "scouter_flows.profiles.psi",
    "Manual": "scouter_flows.profiles.psi",
    "SquareRoot": "scouter_flows.profiles.psi",
    "Sturges": "scouter_flows.profiles.psi",
    "Rice": "scouter_flows.profiles.psi",
    "Doane": "scouter_flows.profiles.psi",
    "Scott": "scouter_flows.profiles.psi",
    "TerrellScott": "scouter_flows.profiles.psi",
    "FreedmanDiaconis": "scouter_flows.profiles.psi",
    "PsiChiSquareThreshold": "scouter_flows.profiles.psi",
    "PsiNormalThreshold": "scouter_flows.profiles.psi",
    "PsiFixedThreshold": "scouter_flows.profiles.psi",
    "PsiDriftResult": "scouter_flows.profiles.results",
    "PsiDriftMap": "scouter_flows.profiles.results",
    "SpcDriftMap": "scouter_flows.profiles.results",
    "SpcDriftResult": "scouter_flows.profiles.results",
    "SpcFeatureDrift": "scouter_flows.profiles.results",
    "SpcAlert": "scouter_flows.profiles.results",
    "SpcDriftConfig": "scouter_flows.profiles.spc",
    "AlertThreshold": "scouter_flows.profiles.custom",
    "CustomMetric": "scouter_flows.profiles.custom",
    "CustomMetricDriftConfig": "scouter_flows.profiles.custom",
    "CustomDriftProfile": "scouter_flows.profiles.custom",
    "CustomDriftResult": "scouter_flows.profiles.results",
    "CustomMetricResult": "scouter_flows.profiles.results",
    "SpcDriftProfile": "scouter_flows.profiles.spc",
    "SpcFeatureProfile": "scouter_flows.profiles.spc",
    "SpcRule": "scouter_flows.profiles.spc",
    "SpcAlertRule": "scouter_flows.profiles.spc",
    "AlertZone": "scouter_flows.profiles.spc",
    "SpcAlertType": "scouter_flows.profiles.spc",
    "DriftType": "scouter_flows.profiles.base",
    "FeatureDrift": "scouter_flows.profiles.results",
    "Window": "scouter_flows.window",
    "InferenceLogger": "scouter_flows.sources.logger",
    "ParquetSink": "scouter_flows.sources.logger",
    "StoreSink": "scouter_flows.store.sink",
    "SpanStoreSink": "scouter_flows.store.sink",
    "Feature": "scouter_flows.sources.queue_records",
    "QueueFeature": "scouter_flows.sources.queue_records",
    "Features": "scouter_flows.sources.queue_records",
    "Metric": "scouter_flows.sources.queue_records",
    "Metrics": "scouter_flows.sources.queue_records",
    "FeatureMixin": "scouter_flows.sources.queue_records",
    "FileSource": "scouter_flows.sources.files",
    "SqlSource": "scouter_flows.sources.sql",
    "scan_files": "scouter_flows.sources.files",
    "to_lazyframe": "scouter_flows.sources.frames",
    "Store": "scouter_flows.store.store",
    "AlertRecord": "scouter_flows.store.records",
    "ConsoleDispatcher": "scouter_flows.alerts.console",
    "PsiAlertConfig": "scouter_flows.profiles.alerting",
    "SpcAlertConfig": "scouter_flows.profiles.alerting",
    "CustomMetricAlertConfig": "scouter_flows.profiles.alerting",
    "AgentAlertConfig": "scouter_flows.profiles.alerting",
    "GenAIAlertConfig": "scouter_flows.profiles.alerting",
    "AlertCondition": "scouter_flows.profiles.alerting",
    "CommonCrons": "scouter_flows.profiles.alerting",
    "SlackDispatchConfig": "scouter_flows.profiles.alerting",
    "OpsGenieDispatchConfig": "scouter_flows.profiles.alerting",
    "ConsoleDispatchConfig": "scouter_flows.profiles.alerting",
    "RetryPolicy": "scouter_flows.alerts.delivery",
    "Credentials": "scouter_flows.alerts.credentials",
    "SlackCredentials": "scouter_flows.alerts.credentials",
    "OpsGenieCredentials": "scouter_flows.alerts.credentials",
    "DispatchSummary": "scouter_flows.alerts.dispatch",
    "dispatch_pending": "scouter_flows.alerts.dispatch",
    "ScouterFlowsError": "scouter_flows.errors",
    "ConfigError": "scouter_flows.errors",
    "DataError": "scouter_flows.errors",
    "StoreError": "scouter_flows.errors",
    "StoreUnavailableError": "scouter_flows.errors",
    "DispatchError": "scouter_flows.errors",
    "EvalError": "scouter_flows.errors",
}

__all__ = [
    "AgentAlertConfig",
    "AlertCondition",
    "AlertRecord",
    "AlertThreshold",
    "AlertZone",
    "CommonCrons",
    "ConfigError",
    "ConsoleDispatchConfig",
    "ConsoleDispatcher",
    "Credentials",
    "CustomDriftProfile",
    "CustomDriftResult",
    "CustomMetric",
    "CustomMetricAlertConfig",
    "CustomMetricDriftConfig",
    "CustomMetricResult",
    "CustomPartial",
    "DataError",
    "DataProfile",
    "DataProfilePartial",
    "DataProfiler",
    "DispatchError",
    "DispatchSummary",
    "Doane",
    "DriftType",
    "Drifter",
    "EqualWidthBinning",
    "EvalError",
    "Feature",
    "FeatureDrift",
    "FeatureMixin",
    "Features",
    "FileSource",
    "FreedmanDiaconis",
    "GenAIAlertConfig",
    "InferenceLogger",
    "Manual",
    "Metric",
    "Metrics",
    "OpsGenieCredentials",
    "OpsGenieDispatchConfig",
    "ParquetSink",
    "PerformancePartial",
    "PsiAlertConfig",
    "PsiChiSquareThreshold",
    "PsiDriftConfig",
    "PsiDriftMap",
    "PsiDriftProfile",
    "PsiDriftResult",
    "PsiFeatureProfile",
    "PsiFixedThreshold",
    "PsiNormalThreshold",
    "PsiPartial",
    "QuantileBinning",
    "QueueFeature",
    "RetryPolicy",
    "Rice",
    "Scott",
    "ScouterFlowsError",
    "SlackCredentials",
    "SlackDispatchConfig",
    "SpanStoreSink",
    "SpcAlert",
    "SpcAlertConfig",
    "SpcAlertRule",
    "SpcAlertType",
    "SpcDriftConfig",
    "SpcDriftMap",
    "SpcDriftProfile",
    "SpcDriftResult",
    "SpcFeatureDrift",
    "SpcFeatureProfile",
    "SpcPartial",
    "SpcProfilePartial",
    "SpcRule",
    "SqlSource",
    "SquareRoot",
    "Store",
    "StoreError",
    "StoreSink",
    "StoreUnavailableError",
    "Sturges",
    "TerrellScott",
    "Window",
    "__version__",
    "compute_performance",
    "dispatch_pending",
    "finalize_performance",
    "monitor_batch",
    "performance_as_custom",
    "performance_partial",
    "scan_files",
    "to_lazyframe",
]

if TYPE_CHECKING:
    from scouter_flows.alerts.console import ConsoleDispatcher
    from scouter_flows.alerts.credentials import Credentials, OpsGenieCredentials, SlackCredentials
    from scouter_flows.alerts.delivery import RetryPolicy
    from scouter_flows.alerts.dispatch import DispatchSummary, dispatch_pending
    from scouter_flows.drift.custom import CustomPartial
    from scouter_flows.drift.drifter import Drifter
    from scouter_flows.drift.performance import (
        PerformancePartial,
        compute_performance,
        finalize_performance,
        performance_as_custom,
        performance_partial,
    )
    from scouter_flows.drift.profiler import DataProfilePartial, DataProfiler
    from scouter_flows.drift.psi import PsiPartial
    from scouter_flows.drift.subgroups import SpcPartial, SpcProfilePartial
    from scouter_flows.errors import (
        ConfigError,
        DataError,
        DispatchError,
        EvalError,
        ScouterFlowsError,
        StoreError,
        StoreUnavailableError,
    )
    from scouter_flows.profiles.alerting import (
        AgentAlertConfig,
        AlertCondition,
        CommonCrons,
        ConsoleDispatchConfig,
        CustomMetricAlertConfig,
        GenAIAlertConfig,
        OpsGenieDispatchConfig,
        PsiAlertConfig,
        SlackDispatchConfig,
        SpcAlertConfig,
    )
    from scouter_flows.profiles.base import DriftType
    from scouter_flows.profiles.custom import (
        AlertThreshold,
        CustomDriftProfile,
        CustomMetric,
        CustomMetricDriftConfig,
    )
    from scouter_flows.profiles.data_profile import DataProfile
    from scouter_flows.profiles.psi import (
        Doane,
        EqualWidthBinning,
        FreedmanDiaconis,
        Manual,
        PsiChiSquareThreshold,
        PsiDriftConfig,
        PsiDriftProfile,
        PsiFeatureProfile,
        PsiFixedThreshold,
        PsiNormalThreshold,
        QuantileBinning,
        Rice,
        Scott,
        SquareRoot,
        Sturges,
        TerrellScott,
    )
    from scouter_flows.profiles.results import (
        CustomDriftResult,
        CustomMetricResult,
        FeatureDrift,
        PsiDriftMap,
        PsiDriftResult,
        SpcAlert,
        SpcDriftMap,
        SpcDriftResult,
        SpcFeatureDrift,
    )
    from scouter_flows.profiles.spc import (
        AlertZone,
        SpcAlertRule,
        SpcAlertType,
        SpcDriftConfig,
        SpcDriftProfile,
        SpcFeatureProfile,
        SpcRule,
    )
    from scouter_flows.sources.files import FileSource, scan_files
    from scouter_flows.sources.frames import to_lazyframe
    from scouter_flows.sources.logger import InferenceLogger, ParquetSink
    from scouter_flows.sources.queue_records import (
        Feature,
        FeatureMixin,
        Features,
        Metric,
        Metrics,
        QueueFeature,
    )
    from scouter_flows.sources.sql import SqlSource
    from scouter_flows.store.records import AlertRecord
    from scouter_flows.store.sink import SpanStoreSink, StoreSink
    from scouter_flows.store.store import Store
    from scouter_flows.tasks.batch import monitor_batch
    from scouter_flows.window import Window


_DEPRECATED = {"DriftResult": "scouter_flows.profiles.results:PsiDriftResult"}
"""Old public names, kept for one minor version: each warns and names its replacement."""

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), _DEPRECATED)
