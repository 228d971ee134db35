"""OpsGenie: one alert per breach through the official `opsgenie-sdk`, aliased by dedup key.

Unlike Scouter, `alias` is the dedup key (OpsGenie de-duplicates and can close by it), `details`
carry the numbers, the 130-character message limit is kept, and every call has a timeout.
"""

from __future__ import annotations

import json
from typing import Any

from scouter_flows.alerts.credentials import OpsGenieCredentials
from scouter_flows.alerts.delivery import AlertBatch, DeliveryError, retry_after_seconds
from scouter_flows.profiles.alerting import OpsGenieDispatchConfig

MESSAGE_LIMIT = 130
ALIAS_LIMIT = 512
DESCRIPTION_LIMIT = 15000


def opsgenie_payload(batch: AlertBatch) -> dict[str, Any]:
    """The create-alert fields of a one-alert batch."""
    alert = batch.first
    config = OpsGenieDispatchConfig.model_validate(batch.config)
    kind = alert.kind.replace("_", " ")
    message = f"{alert.profile}: {alert.entity} {kind}"
    details = {
        "space": alert.space,
        "name": alert.name,
        "version": alert.version,
        "entity": alert.entity,
        "kind": alert.kind,
        "value": "" if alert.value is None else f"{alert.value:.6g}",
        "threshold": "" if alert.threshold is None else f"{alert.threshold:.6g}",
        "window": batch.window,
        **({"link": alert.link} if alert.link else {}),
    }
    description = f"{alert.message}\n\nWindow: {batch.window}"
    if alert.link:
        description += f"\nRun: {alert.link}"
    if alert.details:
        description += f"\nDetails: {json.dumps(alert.details, default=str)}"
    return {
        "message": message if len(message) <= MESSAGE_LIMIT else message[:129] + "…",
        "alias": alert.dedup_key[:ALIAS_LIMIT],
        "description": description[:DESCRIPTION_LIMIT],
        "responders": [{"name": config.team, "type": "team"}],
        "tags": ["scouter-flows", alert.kind, alert.severity, *config.tags],
        "details": details,
        "entity": alert.entity,
        "source": "scouter-flows",
        "priority": config.priority_for(alert.severity),
    }


class OpsGenieDispatcher:
    """Creates (or, on resolution, closes by alias) one OpsGenie alert per breach.

    :param credentials: The API key and host.
    :param timeout: Seconds per call (connect and read).
    """

    kind = "opsgenie"
    grouped = False

    def __init__(self, credentials: OpsGenieCredentials, timeout: float = 10.0) -> None:
        import opsgenie_sdk

        conf = opsgenie_sdk.Configuration()
        conf.host = credentials.api_url
        conf.api_key["Authorization"] = credentials.api_key.get_secret_value()
        conf.api_key_prefix["Authorization"] = "GenieKey"
        conf.retry_enabled = False  # retries are ours (RetryPolicy), the same for every provider
        self._api = opsgenie_sdk.AlertApi(opsgenie_sdk.ApiClient(conf))
        self._timeout = (timeout, timeout)

    def send(self, batch: AlertBatch) -> str | None:
        """Create the alert (or close it on resolution); returns OpsGenie's request id."""
        import opsgenie_sdk

        alert = batch.first
        try:
            if batch.event == "resolve":
                reply = self._api.close_alert(
                    identifier=alert.dedup_key[:ALIAS_LIMIT],
                    identifier_type="alias",
                    close_alert_payload=opsgenie_sdk.CloseAlertPayload(
                        source="scouter-flows", note=f"{alert.message} (window {batch.window})"
                    ),
                    _request_timeout=self._timeout,
                )
            else:
                payload = opsgenie_sdk.CreateAlertPayload(**opsgenie_payload(batch))
                reply = self._api.create_alert(
                    create_alert_payload=payload, _request_timeout=self._timeout
                )
        except Exception as exc:
            raise _failure(exc) from None
        return str(reply.request_id) if getattr(reply, "request_id", None) else None


def _failure(exc: BaseException) -> DeliveryError:
    last = getattr(exc, "last_attempt", None)  # the SDK wraps errors in tenacity's RetryError
    if last is not None and last.exception() is not None:
        exc = last.exception()
    status = getattr(exc, "status", None)
    if isinstance(status, int) and status > 0:
        headers = dict(getattr(exc, "headers", None) or {})
        retry_after = next(
            (retry_after_seconds(v) for k, v in headers.items() if k.lower() == "retry-after"),
            None,
        )
        return DeliveryError(
            f"OpsGenie answered {status}: {_message(getattr(exc, 'body', None))}",
            retryable=status == 429 or status >= 500,
            retry_after=retry_after,
        )
    # Timeouts and refused connections (urllib3 errors): worth another try.
    return DeliveryError(
        f"OpsGenie did not answer: {type(exc).__name__}: {str(exc)[:300]}", retryable=True
    )


def _message(body: Any) -> str:
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return str(body)[:500]
    return str(data.get("message", data))[:500] if isinstance(data, dict) else str(data)[:500]
