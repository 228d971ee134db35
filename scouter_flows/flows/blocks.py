"""Prefect blocks: where the results store lives, with its URL kept secret."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prefect.blocks.core import Block
from pydantic import Field, HttpUrl, SecretStr

from scouter_flows.alerts.credentials import (
    OPSGENIE_API_URL,
    SLACK_API_URL,
    OpsGenieCredentials,
    SlackCredentials,
)

if TYPE_CHECKING:
    from scouter_flows.store.store import Store

_DOCS = HttpUrl("https://github.com/scouter-flows/scouter-flows/blob/main/docs/prefect.md#blocks")


class ScouterStore(Block):
    """The scouter-flows results store: a Postgres database, or a SQLite file.

    The URL is a secret (it usually holds a password): Prefect stores it encrypted and shows it
    masked in the UI; it is read only where the store is opened.

    Save it once (`ScouterStore(url="postgresql://...").save("monitoring")`), then pass
    `store_block="monitoring"` to any flow.

    Example:
        Load a saved store and read its latest runs:
        ```python
        from scouter_flows.flows import ScouterStore

        scouter_store = ScouterStore.load("BLOCK_NAME")
        with scouter_store.get_store() as store:
            print(store.latest_runs())
        ```
    """

    _block_type_name = "Scouter Store"
    _documentation_url = _DOCS
    _block_type_slug = "scouter-store"
    _description = "Where scouter-flows keeps drift, evaluation and alert results."

    url: SecretStr = Field(
        default=...,
        title="Database URL",
        description=(
            "SQLAlchemy URL of the store, for example postgresql://user:password@host/db or "
            "sqlite:////var/lib/monitoring/scouter.db."
        ),
    )
    auto_upgrade: bool = Field(
        default=False,
        description="Migrate the schema on open; else run `scouter-flows db upgrade` once.",
    )

    def get_url(self) -> str:
        """The URL, password included: pass it on, never log it."""
        return self.url.get_secret_value()

    def get_store(self) -> Store:
        """Open the `Store` (close it, or use it as a context manager)."""
        from scouter_flows.store.store import Store

        return Store(self.get_url(), auto_upgrade=self.auto_upgrade or None)


class ScouterSlack(Block):
    """Slack credentials for alert dispatch: a bot token, or an incoming-webhook URL.

    Save it once (`ScouterSlack(bot_token="xoxb-...").save("ml-slack")`), then pass
    `slack_block="ml-slack"` to a monitor flow.

    Example:
        Load saved credentials for the Slack dispatcher:
        ```python
        from scouter_flows.flows import ScouterSlack

        scouter_slack = ScouterSlack.load("BLOCK_NAME")
        credentials = scouter_slack.credentials()
        ```
    """

    _block_type_name = "Scouter Slack"
    _documentation_url = _DOCS
    _block_type_slug = "scouter-slack"
    _description = "Slack bot token or incoming webhook for scouter-flows alerts."

    bot_token: SecretStr | None = Field(default=None, description="Bot token (xoxb-...).")
    webhook_url: SecretStr | None = Field(default=None, description="Incoming-webhook URL.")
    api_url: str = Field(default=SLACK_API_URL, description="Slack Web API base URL.")

    def credentials(self) -> SlackCredentials:
        """The credentials the Slack dispatcher takes."""
        return SlackCredentials(
            bot_token=self.bot_token, webhook_url=self.webhook_url, api_url=self.api_url
        )


class ScouterOpsGenie(Block):
    """OpsGenie credentials for alert dispatch: an API integration key and the API host.

    Save it once (`ScouterOpsGenie(api_key="...").save("ml-genie")`), then pass
    `opsgenie_block="ml-genie"` to a monitor flow.

    Example:
        Load saved credentials for the OpsGenie dispatcher:
        ```python
        from scouter_flows.flows import ScouterOpsGenie

        scouter_opsgenie = ScouterOpsGenie.load("BLOCK_NAME")
        credentials = scouter_opsgenie.credentials()
        ```
    """

    _block_type_name = "Scouter OpsGenie"
    _documentation_url = _DOCS
    _block_type_slug = "scouter-opsgenie"
    _description = "OpsGenie API key and host for scouter-flows alerts."

    api_key: SecretStr = Field(default=..., description="API integration key.")
    api_url: str = Field(default=OPSGENIE_API_URL, description="API host (EU or self-hosted).")

    def credentials(self) -> OpsGenieCredentials:
        """The credentials the OpsGenie dispatcher takes."""
        return OpsGenieCredentials(api_key=self.api_key, api_url=self.api_url)
