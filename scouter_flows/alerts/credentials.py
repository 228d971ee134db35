"""Provider credentials: from the environment, an Airflow connection or a Prefect block.

Secrets are `SecretStr`, so they never show in a repr, a log line or an exception; a destination
without credentials is an error, never a silent fallback to the console.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from scouter_flows.errors import ConfigError

SLACK_API_URL = "https://slack.com/api/"
OPSGENIE_API_URL = "https://api.opsgenie.com"


class _Credentials(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SlackCredentials(_Credentials):
    """A bot token (`chat.postMessage`) or an incoming-webhook URL; the token wins if both."""

    bot_token: SecretStr | None = Field(default=None, description="xoxb-... bot token.")
    webhook_url: SecretStr | None = Field(default=None, description="Incoming-webhook URL.")
    api_url: str = Field(default=SLACK_API_URL, description="Web API base URL (Enterprise Grid).")

    @field_validator("api_url")
    @classmethod
    def _slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _one_of(self) -> SlackCredentials:
        if not (_set(self.bot_token) or _set(self.webhook_url)):
            raise ValueError("Slack needs a bot token or an incoming-webhook URL")
        return self

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SlackCredentials | None:
        """From `SLACK_BOT_TOKEN` / `SLACK_WEBHOOK_URL` (and `SLACK_API_URL`); None if neither."""
        env = os.environ if env is None else env
        token, webhook = env.get("SLACK_BOT_TOKEN"), env.get("SLACK_WEBHOOK_URL")
        if not (token or webhook):
            return None
        return cls(
            bot_token=SecretStr(token) if token else None,
            webhook_url=SecretStr(webhook) if webhook else None,
            api_url=env.get("SLACK_API_URL") or SLACK_API_URL,
        )


class OpsGenieCredentials(_Credentials):
    """An OpsGenie API integration key and the API host (EU: https://api.eu.opsgenie.com)."""

    api_key: SecretStr = Field(description="API integration key (sent as `GenieKey ...`).")
    api_url: str = Field(default=OPSGENIE_API_URL, description="API host, without /v2/alerts.")

    @field_validator("api_url")
    @classmethod
    def _host(cls, value: str) -> str:
        # Scouter wanted the full alerts path here; the SDK adds /v2/alerts itself.
        return value.rstrip("/").removesuffix("/v2/alerts")

    @model_validator(mode="after")
    def _key(self) -> OpsGenieCredentials:
        if not _set(self.api_key):
            raise ValueError("OpsGenie needs a non-empty API key")
        return self

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OpsGenieCredentials | None:
        """From `OPSGENIE_API_KEY` (and `OPSGENIE_API_URL`); None if the key is not set."""
        env = os.environ if env is None else env
        key = env.get("OPSGENIE_API_KEY")
        if not key:
            return None
        return cls(api_key=SecretStr(key), api_url=env.get("OPSGENIE_API_URL") or OPSGENIE_API_URL)


class Credentials(_Credentials):
    """The credentials a dispatch step may use, per provider."""

    slack: SlackCredentials | None = None
    opsgenie: OpsGenieCredentials | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Credentials:
        """Whatever the environment provides (see the providers' `from_env`)."""
        return cls(slack=SlackCredentials.from_env(env), opsgenie=OpsGenieCredentials.from_env(env))

    def merged(self, other: Credentials) -> Credentials:
        """These credentials, with `other`'s filling the providers these lack."""
        return Credentials(
            slack=self.slack or other.slack, opsgenie=self.opsgenie or other.opsgenie
        )

    def require_slack(self) -> SlackCredentials:
        """The Slack credentials, or a `ConfigError` that says where they come from."""
        if self.slack is None:
            raise ConfigError(
                "no Slack credentials: set SLACK_BOT_TOKEN (or SLACK_WEBHOOK_URL), or give the "
                "dispatch step a Slack connection (Airflow) or a ScouterSlack block (Prefect)"
            )
        return self.slack

    def require_opsgenie(self) -> OpsGenieCredentials:
        """The OpsGenie credentials, or a `ConfigError` that says where they come from."""
        if self.opsgenie is None:
            raise ConfigError(
                "no OpsGenie credentials: set OPSGENIE_API_KEY (and OPSGENIE_API_URL for EU or "
                "self-hosted), or give the dispatch step an OpsGenie connection (Airflow) or a "
                "ScouterOpsGenie block (Prefect)"
            )
        return self.opsgenie


def _set(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value().strip())
