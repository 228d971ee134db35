"""Which store a Prefect run writes to: a block, a URL parameter, the environment, the default.

The rule is the one the Airflow operators follow (`scouter_flows.operators.hooks.resolve_store`),
with a saved `ScouterStore` block in the place of a connection, and the same log line.
"""

from __future__ import annotations

from contextlib import suppress

from prefect import get_run_logger
from prefect.exceptions import MissingContextError

from scouter_flows.errors import ConfigError
from scouter_flows.flows.blocks import ScouterStore
from scouter_flows.store.url import ENV_VAR, StoreChoice, choose_store, has_password


def resolve_flow_store(store_block: str | None, store_url: str | None) -> StoreChoice:
    """The `store_block` block's URL, else `store_url`, else `$SCOUTER_DATABASE_URL`, else the
    embedded SQLite file.

    Raises:
        ConfigError: `store_url` holds a password. Prefect keeps a run's parameters in clear
            (its UI and API show them), so a password belongs in a block or the environment.
    """
    if store_block:
        block = ScouterStore.load(store_block)  # a synchronous flow gets the block itself
        assert isinstance(block, ScouterStore)
        return StoreChoice(block.get_url(), f"block {store_block!r}")
    refuse_password(store_url, "store_url")
    return choose_store(("store_url", store_url))


def refuse_password(url: str | None, parameter: str) -> None:
    """Refuse a URL with a password as a run parameter, naming what to use instead."""
    if has_password(url):
        raise ConfigError(
            f"{parameter} holds a password, and Prefect shows a run's parameters in clear: save "
            "the URL in a block (ScouterStore(url=...).save('monitoring')) and pass "
            f"store_block='monitoring', or set ${ENV_VAR} where the runs execute"
        )


def flow_store(store_block: str | None, store_url: str | None) -> StoreChoice:
    """`resolve_flow_store`, said in the run's log (a warning for the embedded file)."""
    choice = resolve_flow_store(store_block, store_url)
    with suppress(MissingContextError):  # called outside a run: nothing to log to
        choice.log_to(get_run_logger())
    return choice
