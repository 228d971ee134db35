"""`ScouterStoreHook`: the results store from an Airflow connection."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from airflow.sdk.bases.hook import BaseHook

from scouter_flows.errors import ConfigError

if TYPE_CHECKING:
    from scouter_flows.alerts.credentials import Credentials
    from scouter_flows.store.store import Store


class ScouterStoreHook(BaseHook):
    """Opens the scouter-flows results store named by an Airflow connection.

    The connection is either an existing Postgres connection (read through the Postgres
    provider's `PostgresHook`, so its host, login, password and options apply), a `sqlite`
    connection, or a "Scouter store" connection whose extra holds `{"url": "<SQLAlchemy URL>"}`.
    Airflow's own metadata database is refused: keep monitoring results apart from it.

    :param scouter_conn_id: The connection id (default `scouter_default`).
    """

    conn_name_attr = "scouter_conn_id"
    default_conn_name = "scouter_default"
    conn_type = "scouter_store"
    hook_name = "Scouter store"

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """How the connection form looks: only the extra, holding the store's URL."""
        return {
            "hidden_fields": ["host", "schema", "login", "password", "port"],
            "relabeling": {"extra": "Store"},
            "placeholders": {
                "extra": '{"url": "postgresql+psycopg://monitor:secret@db.internal/monitoring"}'
            },
        }

    def __init__(self, scouter_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scouter_conn_id = scouter_conn_id

    @cached_property
    def url(self) -> str:
        """The store's SQLAlchemy URL, password included (never log it)."""
        conn = self.get_connection(self.scouter_conn_id)
        if conn.conn_type == "postgres":
            from airflow.providers.postgres.hooks.postgres import PostgresHook

            hook = PostgresHook(
                postgres_conn_id=self.scouter_conn_id, sqlalchemy_scheme="postgresql+psycopg"
            )
            url = hook.sqlalchemy_url
        elif conn.conn_type == "sqlite":
            # Airflow parses sqlite:////path/to.db into the schema field (the host is empty).
            url = sa.URL.create("sqlite", database=conn.host or conn.schema)
        elif conn.conn_type == self.conn_type and conn.extra_dejson.get("url"):
            url = sa.make_url(conn.extra_dejson["url"])
        else:
            raise ConfigError(
                f"connection {self.scouter_conn_id!r} of type {conn.conn_type!r} cannot name a "
                "store: use a postgres or sqlite connection, or a scouter_store connection with "
                '{"url": "..."} in its extra'
            )
        _refuse_metadata_database(url, self.scouter_conn_id)
        return url.render_as_string(hide_password=False)

    def get_store(self, *, auto_upgrade: bool | None = None) -> Store:
        """The `Store` (close it, or use it as a context manager)."""
        from scouter_flows.store.store import Store

        return Store(self.url, auto_upgrade=auto_upgrade)


def _refuse_metadata_database(url: sa.URL, conn_id: str) -> None:
    from airflow.configuration import conf

    metadata = sa.make_url(conf.get("database", "sql_alchemy_conn"))
    same_server = (url.host, url.port or 5432, url.database) == (
        metadata.host,
        metadata.port or 5432,
        metadata.database,
    )
    if url.get_backend_name() == metadata.get_backend_name() and same_server:
        raise ConfigError(
            f"connection {conn_id!r} points at Airflow's own metadata database: give the "
            "results store a database of its own"
        )


def resolve_store_url(store_url: str | None, store_conn_id: str | None) -> str | None:
    """The URL an operator should use: from its connection id if given, else `store_url`."""
    if store_conn_id:
        return ScouterStoreHook(store_conn_id).url
    return store_url or None


def alert_credentials(slack_conn_id: str | None, opsgenie_conn_id: str | None) -> Credentials:
    """Dispatch credentials from Airflow connections, the rest from the environment.

    Slack: a `slack` connection (password = bot token; extra `base_url` for another API URL) or
    a `slackwebhook` connection (password = the webhook URL, or host + password = its path).
    OpsGenie: an `opsgenie` connection (password = API key, host = API URL if not the default).
    """
    from pydantic import SecretStr

    from scouter_flows.alerts.credentials import (
        SLACK_API_URL,
        Credentials,
        OpsGenieCredentials,
        SlackCredentials,
    )

    slack = genie = None
    if slack_conn_id:
        conn = BaseHook.get_connection(slack_conn_id)
        secret = conn.password or ""
        if conn.conn_type == "slackwebhook":
            url = secret if secret.startswith("http") else _join(conn.host, conn.schema, secret)
            slack = SlackCredentials(webhook_url=SecretStr(url))
        elif conn.conn_type == "slack":
            slack = SlackCredentials(
                bot_token=SecretStr(secret),
                api_url=conn.extra_dejson.get("base_url") or SLACK_API_URL,
            )
        else:
            raise ConfigError(
                f"connection {slack_conn_id!r} is of type {conn.conn_type!r}: use a 'slack' "
                "(bot token) or 'slackwebhook' (incoming webhook) connection"
            )
        if not secret:
            raise ConfigError(f"connection {slack_conn_id!r} has no password (token or webhook)")
    if opsgenie_conn_id:
        conn = BaseHook.get_connection(opsgenie_conn_id)
        if not conn.password:
            raise ConfigError(f"connection {opsgenie_conn_id!r} has no password (the API key)")
        host = _join(conn.host, conn.schema, "") if conn.host else None
        genie = (
            OpsGenieCredentials(api_key=SecretStr(conn.password), api_url=host)
            if host
            else OpsGenieCredentials(api_key=SecretStr(conn.password))
        )
    return Credentials(slack=slack, opsgenie=genie).merged(Credentials.from_env())


def _join(host: str | None, scheme: str | None, path: str) -> str:
    base = host or ""
    if base and "://" not in base:
        base = f"{scheme or 'https'}://{base}"
    return f"{base.rstrip('/')}/{path.lstrip('/')}" if path else base.rstrip("/")
