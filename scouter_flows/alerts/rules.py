"""Turn drift verdicts and eval pass rates into alert records, and alert configs into policies.

Every record carries a dedup key that is stable across windows (`space/name/version:entity:kind`),
so the outbox recognises the same breach in consecutive windows.
"""

from __future__ import annotations

import hashlib
from typing import Any

from scouter_flows import limits
from scouter_flows.alerts.records import (
    PASS_RATE,
    WINDOW_ENTITY,
    AlertPolicy,
    AlertRecord,
    Destination,
    Severity,
)
from scouter_flows.profiles.alerting import (
    AgentAlertConfig,
    AlertDispatch,
    CustomMetricAlertConfig,
    OpsGenieDispatchConfig,
    PsiAlertConfig,
    SpcAlertConfig,
)
from scouter_flows.profiles.results import AnyResult


def _record(
    prefix: str,
    entity: str,
    kind: str,
    severity: Severity,
    value: float | None,
    threshold: float | None,
    message: str,
    details: dict[str, Any],
    key_suffix: str = "",
) -> AlertRecord:
    return AlertRecord(
        dedup_key=dedup_key(f"{prefix}:{entity}:{kind}{key_suffix}"),
        entity=entity,
        kind=kind,
        severity=severity,
        value=value,
        threshold=threshold,
        message=message,
        details=details,
    )


def dedup_key(full: str) -> str:
    """`full` when it fits the store's column and OpsGenie's alias (512 characters), else its
    head and a digest of the whole, so a long key stays unique and stable across windows.

    Example:
        >>> len(dedup_key("credit/" + "n" * 600 + "/1.0:age:psi_drift"))
        512
    """
    if len(full) <= limits.DEDUP_KEY:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()
    return f"{full[: limits.DEDUP_KEY - len(digest) - 1]}#{digest}"


def drift_alerts(
    result: AnyResult,
    alert_config: PsiAlertConfig | SpcAlertConfig | CustomMetricAlertConfig | None = None,
) -> list[AlertRecord]:
    """The alerts a drift result raises under `alert_config` (default: the profile defaults).

    The result's `breaches` say what (PSI: one per drifted feature; SPC: one per feature, rule
    kind and zone that completed in the window; custom: one per breached metric); this adds the
    dedup key and severity. `features_to_monitor` of the config narrows PSI
    and SPC alerts to those features. A window without rows raises one `no_data` alert when
    the config's `alert_on_no_data` asks for it, and nothing else.
    """
    prefix = f"{result.space}/{result.name}/{result.version}"
    severity = alert_config.severity if alert_config else "warning"
    if result.rows == 0:
        return no_data_alerts(prefix, alert_config)
    wanted = frozenset(getattr(alert_config, "features_to_monitor", None) or ())
    return [
        _record(
            prefix,
            b.entity,
            b.kind,
            severity,
            b.value,
            b.threshold,
            b.message,
            b.details,
            key_suffix=b.key_suffix,
        )
        for b in result.breaches(wanted)
    ]


def no_data_alerts(prefix: str, alert_config: AlertDispatch | None) -> list[AlertRecord]:
    """The data-freshness alert of a window without rows, if the config asks for one."""
    if alert_config is None or not alert_config.alert_on_no_data:
        return []
    message = f"no rows in the window: {prefix} received no data to monitor"
    return [
        _record(prefix, WINDOW_ENTITY, "no_data", alert_config.severity, 0.0, None, message, {})
    ]


def pass_rate_alerts(
    space: str,
    name: str,
    version: str,
    pass_rate: float | None,
    evaluated: int,
    alert_config: AgentAlertConfig,
    *,
    records: int | None = None,
) -> list[AlertRecord]:
    """One alert when the window's pass rate breaches `alert_config.alert_condition`; with
    `records=0` (a window without records), the data-freshness alert if the config asks."""
    if records == 0:
        return no_data_alerts(f"{space}/{name}/{version}", alert_config)
    condition = alert_config.alert_condition
    if condition is None or pass_rate is None or not condition.breached(pass_rate):
        return []
    lower, upper = condition.bounds()
    above = upper is not None and pass_rate > upper
    bound = upper if above else lower
    assert bound is not None
    return [
        _record(
            f"{space}/{name}/{version}",
            PASS_RATE,
            "genai_pass_rate",
            alert_config.severity,
            pass_rate,
            bound,
            f"pass rate {pass_rate:.2%} {'>' if above else '<'} {bound:.2%} "
            f"(baseline {condition.baseline_value:.2%}, {condition.alert_threshold}; "
            f"{evaluated} records)",
            {"baseline_value": condition.baseline_value, "evaluated": evaluated},
        )
    ]


def alert_policy(alert_config: AlertDispatch | None, link: str | None = None) -> AlertPolicy:
    """The outbox policy of an alert config: its destinations, cool-down and report link."""
    if alert_config is None:
        return AlertPolicy(link=link)
    destinations = tuple(
        Destination(
            key=config.destination,
            config=config.model_dump(mode="json"),
            resolutions=alert_config.announce_resolution
            or (isinstance(config, OpsGenieDispatchConfig) and config.close_on_resolve),
        )
        for config in alert_config.dispatch_config
    )
    return AlertPolicy(destinations=destinations, cooldown=alert_config.cooldown, link=link)
