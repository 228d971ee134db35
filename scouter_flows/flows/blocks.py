"""Prefect blocks: where the results store lives, with its URL kept secret."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

if TYPE_CHECKING:
    from scouter_flows.store.store import Store


class ScouterStore(Block):
    """The scouter-flows results store: a Postgres database, or a SQLite file.

    The URL is a secret (it usually holds a password): Prefect stores it encrypted and shows it
    masked in the UI; it is read only where the store is opened.

    Example:
        Save once, then use it by name in any flow:

        ```python
        from scouter_flows.flows.blocks import ScouterStore

        ScouterStore(url="postgresql://monitor:secret@db.internal/monitoring").save("monitoring")

        with ScouterStore.load("monitoring").get_store() as store:
            print(store.latest_runs())
        ```
    """

    _block_type_name = "Scouter Store"
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
        description="Migrate the schema on open (else run `scouter-flows db upgrade` once).",
    )

    def get_url(self) -> str:
        """The URL, password included: pass it on, never log it."""
        return self.url.get_secret_value()

    def get_store(self) -> Store:
        """Open the `Store` (close it, or use it as a context manager)."""
        from scouter_flows.store.store import Store

        return Store(self.get_url(), auto_upgrade=self.auto_upgrade or None)
