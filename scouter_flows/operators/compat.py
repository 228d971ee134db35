"""Airflow 2.11 and 3.x from one source.

The names come from Airflow's own compatibility provider
(`apache-airflow-providers-common-compat`), which imports them from `airflow.sdk` on Airflow 3
and from the Airflow 2 paths on 2.11 (`Dataset` for `Asset`, `airflow.hooks.base` for
`BaseHook`, ...). What it leaves out, and the few calls whose arguments differ, are here, so
no other module of the provider asks which Airflow it runs on.

Example:
    >>> asset = make_asset("scouter://credit/scorer/1.0", name="scouter/credit/scorer/1.0")
    >>> asset.uri
    'scouter://credit/scorer/1.0'
"""

from __future__ import annotations

from typing import Any

from airflow.providers.common.compat.sdk import (
    DAG,
    AirflowNotFoundException,
    AirflowSkipException,
    Asset,
    AssetAlias,
    BaseHook,
    BaseOperator,
    BaseOperatorLink,
    Context,
    Param,
    XCom,
)
from airflow.providers.common.compat.version_compat import AIRFLOW_V_3_0_PLUS

__all__ = [
    "AIRFLOW_V_3_0_PLUS",
    "DAG",
    "AirflowNotFoundException",
    "AirflowSkipException",
    "Asset",
    "AssetAlias",
    "BaseHook",
    "BaseOperator",
    "BaseOperatorLink",
    "Context",
    "Param",
    "XCom",
    "add_alias_event",
    "make_asset",
    "make_asset_alias",
    "mask_secret",
]


def make_asset(uri: str, *, name: str, group: str = "scouter") -> Asset:
    """The asset at `uri`: an `Asset` with its name and group on Airflow 3, a `Dataset` with
    the same URI on Airflow 2.11 (which has neither name nor group), so a DAG scheduled on it
    runs on either."""
    if AIRFLOW_V_3_0_PLUS:
        return Asset(uri=uri, name=name, group=group)
    return Asset(uri=uri)


def make_asset_alias(name: str, *, group: str = "scouter") -> AssetAlias:
    """An `AssetAlias` (a `DatasetAlias` on Airflow 2.11, which has no groups)."""
    if AIRFLOW_V_3_0_PLUS:
        return AssetAlias(name=name, group=group)
    return AssetAlias(name=name)


def add_alias_event(
    context: Context, alias: AssetAlias, asset: Asset, extra: dict[str, Any]
) -> None:
    """Record an event on `asset` through `alias`. Airflow 2.11 groups alias events by a
    frozenset of the extra's items, so its list values travel as tuples there (the stored
    JSON is the same list either way)."""
    if not AIRFLOW_V_3_0_PLUS:
        extra = {k: tuple(v) if isinstance(v, list) else v for k, v in extra.items()}
    context["outlet_events"][alias].add(asset, extra=extra)


def mask_secret(secret: str) -> None:
    """Hide `secret` in task logs (`airflow.sdk.log` on Airflow 3, the secrets masker on 2)."""
    if AIRFLOW_V_3_0_PLUS:
        from airflow.sdk.log import mask_secret as masker
    else:
        from airflow.utils.log.secrets_masker import mask_secret as masker  # type: ignore[no-redef]
    masker(secret)
