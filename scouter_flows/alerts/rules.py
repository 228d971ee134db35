"""Turn drift verdicts into alert records for the outbox."""

from __future__ import annotations

from scouter_flows.profiles.results import DriftResult
from scouter_flows.sources.window import Window
from scouter_flows.store.records import AlertRecord


def drift_alerts(result: DriftResult, window: Window) -> list[AlertRecord]:
    """One `warning` alert per drifted feature, keyed by space/name/version, feature and kind."""
    prefix = f"{result.space}/{result.name}/{result.version}"
    return [
        AlertRecord(
            dedup_key=f"{prefix}:{feature.feature}:{result.drift_type}_drift",
            entity=feature.feature,
            kind=f"{result.drift_type}_drift",
            severity="warning",
            value=feature.value,
            threshold=feature.threshold,
            message=(
                f"{prefix}: feature {feature.feature!r} drifted in {window}: "
                f"{result.drift_type.upper()} {feature.value:.4f} > threshold "
                f"{feature.threshold:.4f} ({feature.observed_rows} rows)"
            ),
        )
        for feature in result.features
        if feature.status == "drift"
    ]
