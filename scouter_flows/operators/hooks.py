"""`ScouterStoreHook`: the results store from an Airflow connection."""

from __future__ import annotations

import logging
from functools import cached_property
from typing import TYPE_CHECKING, Any

from scouter_flows.errors import ConfigError
from scouter_flows.operators.compat import AirflowNotFoundException, BaseHook, mask_secret
from scouter_flows.sqla import URL, make_url, postgres_url
from scouter_flows.store.url import StoreChoice, choose_store, has_password

if TYPE_CHECKING:
    from scouter_flows.alerts.credentials import Credentials
    from scouter_flows.store.store import Store


DEFAULT_CONN_ID = "scouter_default"
DEFAULT_DRIVER = "postgresql+psycopg"


class ScouterStoreHook(BaseHook):
    """Opens the scouter-flows results store named by an Airflow connection.

    The connection is a "Scouter store" connection (host, port, database, login and a masked
    password, like Airflow's own database connections; the extra may name the `driver`, default
    `postgresql+psycopg`, and any URL query options such as `sslmode`), an existing Postgres
    connection (read through the Postgres provider's `PostgresHook`), or a `sqlite` connection.
    Airflow's own metadata database is refused: keep monitoring results apart from it.

    As an environment variable, a Scouter store connection is a URI whose scheme is
    `scouter-store`:

        AIRFLOW_CONN_SCOUTER_DEFAULT='scouter-store://monitor:secret@db.internal:5432/monitoring'

    The earlier form, the whole URL in the extra as `{"url": "..."}`, still works, but Airflow
    shows the extra in clear: keep the password in the password field.

    :param scouter_conn_id: The connection id (default `scouter_default`).
    """

    conn_name_attr = "scouter_conn_id"
    default_conn_name = DEFAULT_CONN_ID
    conn_type = "scouter_store"
    hook_name = "Scouter store"

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """How the connection form looks: a database connection, the driver in the extra."""
        return {
            "hidden_fields": [],
            "relabeling": {"schema": "Database", "extra": "Driver and options"},
            "placeholders": {
                "host": "db.internal",
                "port": "5432",
                "schema": "monitoring",
                "login": "monitor",
                "password": "the database password (stored masked)",
                "extra": '{"driver": "postgresql+psycopg", "sslmode": "require"}',
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

            # The connection's own `sqlalchemy_scheme` extra is honoured; a libpq scheme or
            # none becomes the driver this SQLAlchemy has, below.
            url = PostgresHook(postgres_conn_id=self.scouter_conn_id).sqlalchemy_url
        elif conn.conn_type == "sqlite":
            # Airflow parses sqlite:////path/to.db into the schema field (the host is empty).
            url = URL.create("sqlite", database=conn.host or conn.schema)
        elif conn.conn_type == self.conn_type:
            url = self._store_url(conn)
        else:
            raise ConfigError(
                f"connection {self.scouter_conn_id!r} of type {conn.conn_type!r} cannot name a "
                "store: use a scouter_store, postgres or sqlite connection"
            )
        url = postgres_url(url)  # the libpq driver this SQLAlchemy has
        _refuse_metadata_database(url, self.scouter_conn_id)
        return url.render_as_string(hide_password=False)

    def _store_url(self, conn: Any) -> URL:
        extra = dict(conn.extra_dejson)
        if extra.get("url"):
            url = make_url(extra["url"])
            if url.password:
                self.log.warning(
                    "connection %r keeps a password in its extra, which Airflow shows in clear: "
                    "move it to the password field",
                    self.scouter_conn_id,
                )
            return url
        driver = str(extra.pop("driver", DEFAULT_DRIVER))
        if driver.startswith("sqlite"):
            database = conn.schema or conn.host
            if not database:
                raise ConfigError(
                    f"connection {self.scouter_conn_id!r}: a sqlite store needs the file's path "
                    "in Database"
                )
            return URL.create(driver, database=database)
        if not conn.host:
            raise ConfigError(
                f"connection {self.scouter_conn_id!r} has no host: give the store's host, port, "
                "database, login and password"
            )
        return URL.create(
            driver,
            username=conn.login or None,
            password=conn.password or None,
            host=conn.host,
            port=conn.port or None,
            database=conn.schema or None,
            query={str(k): str(v) for k, v in extra.items()},
        )

    def get_store(self, *, auto_upgrade: bool | None = None) -> Store:
        """The `Store` (close it, or use it as a context manager)."""
        from scouter_flows.store.store import Store

        return Store(self.url, auto_upgrade=auto_upgrade)


def _refuse_metadata_database(url: URL, conn_id: str) -> None:
    from airflow.configuration import conf
    from sqlalchemy.exc import ArgumentError

    try:
        metadata = make_url(conf.get("database", "sql_alchemy_conn"))
    except ArgumentError:
        # An Airflow 3 task worker is given no metadata database ("airflow-db-not-allowed:///"),
        # so there is none the store could be.
        return
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


def connection_exists(conn_id: str) -> bool:
    """Whether Airflow knows the connection `conn_id` (from a secrets backend, the
    environment or the metadata database)."""
    try:
        BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return False
    return True


def resolve_store(store_url: str | None = None, store_conn_id: str | None = None) -> StoreChoice:
    """The store a task writes to: the `store_conn_id` connection, else `store_url`, else the
    `scouter_default` connection when it exists, else `$SCOUTER_DATABASE_URL`, else the
    embedded SQLite file (which `StoreChoice.warning` then explains).

    Raises:
        ConfigError: `store_url` holds a password (Airflow would show it in the UI).
    """
    if store_conn_id:
        return StoreChoice(ScouterStoreHook(store_conn_id).url, f"connection {store_conn_id!r}")
    if has_password(store_url):
        raise ConfigError(
            "store_url holds a password, which Airflow shows in the task's rendered fields: "
            f"put the store in a connection ({DEFAULT_CONN_ID}, or one named by store_conn_id), "
            "or set $SCOUTER_DATABASE_URL on the workers"
        )
    if not store_url and connection_exists(DEFAULT_CONN_ID):
        return StoreChoice(ScouterStoreHook(DEFAULT_CONN_ID).url, f"connection {DEFAULT_CONN_ID!r}")
    return choose_store(("store_url", store_url))


def resolve_store_url(store_url: str | None, store_conn_id: str | None) -> str:
    """The URL of `resolve_store(store_url, store_conn_id)`."""
    return resolve_store(store_url, store_conn_id).url


def task_store(
    log: logging.Logger, store_url: str | None, store_conn_id: str | None
) -> StoreChoice:
    """Resolve the store for a running task: its password is masked in Airflow's logs, and the
    task log says which store it is (a warning when it is the embedded file)."""
    choice = resolve_store(store_url, store_conn_id)
    password = make_url(choice.url).password
    if password:
        mask_secret(str(password))
    choice.log_to(log)
    return choice


class StoreTaskMixin:
    """For operators with `store_url` and `store_conn_id`: resolve the store once per run,
    say which it is in the task log, and report it in the returned summary."""

    store_url: str | None
    store_conn_id: str | None
    _store_choice: StoreChoice | None = None

    def task_store_url(self) -> str:
        """The resolved store's URL (see `resolve_store`), logged without its password."""
        log: logging.Logger = getattr(self, "log")  # noqa: B009  (BaseOperator's logger)
        self._store_choice = task_store(log, self.store_url, self.store_conn_id)
        return self._store_choice.url

    def with_store(self, summary: dict[str, Any]) -> dict[str, Any]:
        """`summary` with the store it went to (no password) and, for the embedded file, why."""
        return self._store_choice.report(summary) if self._store_choice else summary


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
