"""`profile create` for each kind: PSI, SPC, custom metrics from a file, and data summaries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from scouter_flows.errors import ConfigError


def build_profile(
    kind: str,
    data: str | None,
    *,
    space: str | None,
    name: str | None,
    version: str,
    correction: str,
    features: list[str],
    categorical: list[str],
    sample_size: int | None,
    metrics: Path | None,
    bins: int,
    correlations: bool,
    schedule: str | None,
) -> Any:
    """The profile `profile create` writes (any object with `save_to_json`).

    Raises:
        ConfigError: an option the kind needs is missing, or the metrics file is wrong.
    """
    from scouter_flows.drift.drifter import Drifter
    from scouter_flows.drift.profiler import DataProfiler

    if kind == "data":
        return DataProfiler().create_data_profile(
            _needed(data, kind), bin_size=bins, compute_correlations=correlations
        )
    if space is None or name is None:
        raise ConfigError(f"a {kind} profile needs --space and --name")
    identity = {"space": space, "name": name, "version": version}
    alerting = {"schedule": schedule} if schedule else {}
    if kind == "custom":
        from scouter_flows.profiles.alerting import CustomMetricAlertConfig
        from scouter_flows.profiles.custom import CustomMetricDriftConfig

        if data is not None:
            raise ConfigError(
                "a custom profile is built from --metrics, not from data: drop the DATA argument"
            )
        if metrics is None:
            raise ConfigError("a custom profile needs --metrics FILE (a YAML or JSON list)")
        config = CustomMetricDriftConfig(
            **identity,
            **({"sample_size": sample_size} if sample_size else {}),
            alert_config=CustomMetricAlertConfig(**alerting),
        )
        return Drifter().create_drift_profile(read_metrics(metrics), config)
    if kind == "spc":
        from scouter_flows.profiles.alerting import SpcAlertConfig
        from scouter_flows.profiles.spc import SpcDriftConfig

        config_spc = SpcDriftConfig(
            **identity,
            features_to_monitor=features,
            **({"sample_size": sample_size} if sample_size else {}),
            alert_config=SpcAlertConfig(**alerting),
        )
        return Drifter().create_drift_profile(_needed(data, kind), config_spc)
    from scouter_flows.profiles.alerting import PsiAlertConfig
    from scouter_flows.profiles.psi import PsiDriftConfig

    config_psi = PsiDriftConfig(
        **identity,
        features_to_monitor=features,
        categorical_features=categorical,
        correction=correction,
        **({"alert_config": PsiAlertConfig(**alerting)} if alerting else {}),
    )
    return Drifter().create_drift_profile(_needed(data, kind), config_psi)


def _needed(data: str | None, kind: str) -> str:
    if data is None:
        raise ConfigError(
            f"a {kind} profile is built from baseline data: give DATA (a file or glob)"
        )
    return data


def read_metrics(path: Path) -> list[Any]:
    """The custom metrics of a YAML or JSON file: a list of metrics, a mapping of name to
    metric, or either under `metrics:`. Scouter's spellings (`value`, `threshold`) are read.

    Raises:
        ConfigError: the file is missing or unreadable, or a metric is wrong (named, with why).

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "metrics.yaml"
        >>> _ = path.write_text("accuracy: {baseline_value: 0.91, alert_threshold: Below}")
        >>> [m.name for m in read_metrics(path)]
        ['accuracy']
    """
    from scouter_flows.profiles.base import describe_validation_error
    from scouter_flows.profiles.custom import CustomMetric

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the metrics file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"the metrics file {path} is not YAML or JSON: {exc}") from None
    if isinstance(loaded, dict) and "metrics" in loaded:
        loaded = loaded["metrics"]
    if isinstance(loaded, dict):
        loaded = [
            {"name": key, **value} if isinstance(value, dict) else value
            for key, value in loaded.items()
        ]
    if not isinstance(loaded, list) or not loaded:
        raise ConfigError(f"the metrics file {path} holds no list of metrics")
    found = []
    for i, entry in enumerate(loaded):
        label = entry.get("name", f"#{i + 1}") if isinstance(entry, dict) else f"#{i + 1}"
        try:
            found.append(CustomMetric.model_validate(entry))
        except ValidationError as exc:
            raise ConfigError(f"{path}: metric {label}: {describe_validation_error(exc)}") from None
    return found
