"""Slack: one Block Kit message per run and destination, through the official `slack_sdk`.

Unlike Scouter, the reply is checked (`ok: false` and non-2xx are failures), every call has a
timeout, and a 429's Retry-After is honoured.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from scouter_flows.alerts.credentials import SlackCredentials
from scouter_flows.alerts.delivery import AlertBatch, DeliveryError, retry_after_seconds

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
MAX_LINES = 40

# The SDK logs request URLs at DEBUG, and a webhook URL is a secret: keep its logger quieter.
_sdk_logger = logging.getLogger("scouter_flows.alerts.slack_sdk")
_sdk_logger.setLevel(logging.WARNING)


def slack_message(batch: AlertBatch) -> tuple[str, list[dict[str, Any]]]:
    """The fallback text and the Block Kit blocks of a batch: a header, the window and
    severity, one line per alert, and the run's link when there is one."""
    first = batch.first
    resolved = batch.event == "resolve"
    icon = (
        ":white_check_mark:"
        if resolved
        else (":rotating_light:" if batch.severity == "critical" else ":warning:")
    )
    what = "Resolved" if resolved else "Drift detected" if first.run_id else "Evaluation alert"
    header = _clip(f"{what}: {first.profile}", HEADER_LIMIT)
    lines = [f"• {a.message}" for a in batch.alerts[:MAX_LINES]]
    if len(batch.alerts) > MAX_LINES:
        lines.append(f"… and {len(batch.alerts) - MAX_LINES} more")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": True}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"{icon} *{batch.severity.capitalize()}* · window `{batch.window}`",
            },
        },
    ]
    blocks += [
        {"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
        for chunk in _chunks(lines, SECTION_LIMIT)
    ]
    if first.link:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"<{first.link}|Open the run report>"}],
            }
        )
    text = f"{header} ({len(batch.alerts)} alert(s), window {batch.window})"
    return text, blocks


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chunks(lines: list[str], limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in (_clip(line, limit) for line in lines):
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [*chunks, current] if current else chunks


class SlackDispatcher:
    """Posts with `chat.postMessage` (bot token) or an incoming webhook.

    :param credentials: The bot token or webhook URL (and API URL).
    :param timeout: Seconds per call.
    """

    kind = "slack"
    grouped = True

    def __init__(self, credentials: SlackCredentials, timeout: float = 10.0) -> None:
        from slack_sdk import WebClient
        from slack_sdk.webhook import WebhookClient

        seconds = max(1, math.ceil(timeout))
        # retry_handlers=[]: retries are ours (RetryPolicy), the same for every provider.
        self._web: WebClient | None = None
        self._webhook: WebhookClient | None = None
        if credentials.bot_token is not None and credentials.bot_token.get_secret_value():
            self._web = WebClient(
                token=credentials.bot_token.get_secret_value(),
                base_url=credentials.api_url,
                timeout=seconds,
                logger=_sdk_logger,
                retry_handlers=[],
            )
        else:
            assert credentials.webhook_url is not None
            self._webhook = WebhookClient(
                url=credentials.webhook_url.get_secret_value(),
                timeout=seconds,
                logger=_sdk_logger,
                retry_handlers=[],
            )

    def send(self, batch: AlertBatch) -> str | None:
        """Post the batch as one message; returns `channel:ts` (None through a webhook)."""
        from slack_sdk.errors import SlackApiError

        text, blocks = slack_message(batch)
        channel = str(batch.config.get("channel", ""))
        try:
            if self._web is not None:
                reply = self._web.chat_postMessage(channel=channel, text=text, blocks=blocks)
                return f"{reply.get('channel', channel)}:{reply.get('ts')}"
            assert self._webhook is not None
            answer = self._webhook.send(text=text, blocks=blocks)
        except SlackApiError as exc:
            response = exc.response
            status = int(response.status_code)
            error = response.get("error") if isinstance(response.data, dict) else None
            raise _failure(status, str(error or response.data)[:500], response.headers) from None
        except (TimeoutError, OSError) as exc:  # URLError is an OSError; so are socket timeouts
            raise DeliveryError(f"Slack did not answer: {_reason(exc)}", retryable=True) from None
        # A webhook answers a delivered message with 200 and the body "ok"; anything else
        # (even under 200) is not a delivery.
        if answer.status_code != 200 or answer.body.strip() != "ok":
            raise _failure(answer.status_code, answer.body[:500], answer.headers)
        return None


def _failure(status: int, error: str, headers: Any) -> DeliveryError:
    retry_after = retry_after_seconds(_header(headers, "Retry-After"))
    retryable = status == 429 or status >= 500 or error == "ratelimited"
    return DeliveryError(
        f"Slack answered {status}: {error}", retryable=retryable, retry_after=retry_after
    )


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == name.lower():
            return str(value[0] if isinstance(value, list) else value)
    return None


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return f"{type(exc).__name__}: {reason if reason is not None else exc}"
