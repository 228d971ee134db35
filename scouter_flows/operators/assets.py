"""Airflow Assets per profile, and the task that emits an asset event when a run found drift.

A retraining DAG scheduled on `profile_asset("credit", "scorer", "1.0")` runs after every
monitoring run that found drift in that profile; the event's extra carries the run id, the
window and the drifted features.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from scouter_flows.operators.compat import (
    AirflowSkipException,
    Asset,
    AssetAlias,
    BaseOperator,
    Context,
    add_alias_event,
    make_asset,
    make_asset_alias,
)
from scouter_flows.profiles.monitors import parse_key


def profile_asset(space: str, name: str, version: str) -> Asset:
    """The Asset of a profile: `scouter://space/name/version` (parts URL-quoted), grouped
    under `scouter`."""
    uri = "scouter://" + "/".join(quote(part, safe="") for part in (space, name, version))
    return make_asset(uri, name=f"scouter/{space}/{name}/{version}")


def asset_of(profile_key: str) -> Asset:
    """The Asset of a `space/name/version` key."""
    return profile_asset(*parse_key(profile_key, "profile"))


DRIFT_ALIAS = make_asset_alias("scouter-drift")
"""The alias that events go through when the profile is only known when the task runs."""


class DriftEventOperator(BaseOperator):
    """Emit an event on the profile's Asset when the monitor's run found drift; skip (so no
    event is emitted) when it did not, or when it was a dry run.

    With `profile_key` the task declares the profile's Asset as its outlet; without, it
    declares `DRIFT_ALIAS` and attaches the event, at run time, to the Asset of the profile
    the summary names. Either way a DAG scheduled on `profile_asset(...)` runs.

    :param summary: The monitoring task's summary (for example `monitor.output`).
    :param profile_key: The profile's `space/name/version`, when known as the DAG is parsed.
    """

    template_fields: Sequence[str] = ("summary",)
    ui_color = "#fff4e5"

    def __init__(self, *, summary: Any, profile_key: str | None = None, **kwargs: Any) -> None:
        outlet: Asset | AssetAlias = asset_of(profile_key) if profile_key else DRIFT_ALIAS
        super().__init__(outlets=[outlet], **kwargs)
        self.outlet = outlet
        self.profile_key = profile_key
        self.summary = summary

    def execute(self, context: Context) -> dict[str, Any]:
        """Attach the run to the asset event, or skip."""
        summary = dict(self.summary or {})
        key = self.profile_key or str(summary.get("profile"))
        if summary.get("dry_run") or summary.get("status") != "drift":
            raise AirflowSkipException(
                f"no drift event for {key}: run status {summary.get('status')!r}"
                + (" (dry run)" if summary.get("dry_run") else "")
            )
        extra: dict[str, Any] = {
            "run_id": summary.get("run_id"),
            "window_start": summary.get("window_start"),
            "window_end": summary.get("window_end"),
            "drifted": list(summary.get("drifted") or []),
        }
        asset = asset_of(key)
        if isinstance(self.outlet, AssetAlias):
            add_alias_event(context, self.outlet, asset, extra)
        else:
            context["outlet_events"][asset].extra = extra
        self.log.info("Drift event on %s: %s", asset.uri, extra)
        return extra
