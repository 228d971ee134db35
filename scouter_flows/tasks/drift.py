"""The steps of a drift run, as plain functions with small JSON-able inputs and outputs.

Prefect flows and Airflow operators call these; nothing here knows either orchestrator.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from scouter_flows.alerts.credentials import Credentials
from scouter_flows.alerts.delivery import RetryPolicy
from scouter_flows.alerts.outbox import dispatch_pending
from scouter_flows.alerts.rules import alert_policy, drift_alerts
from scouter_flows.drift.drifter import Drifter
from scouter_flows.errors import ConfigError
from scouter_flows.profiles.base import read_json_object
from scouter_flows.sources.files import FileSource
from scouter_flows.sources.window import Window
from scouter_flows.store.drift_runs import AnyResult
from scouter_flows.store.store import (
    PROFILE_TYPES,
    AnyProfile,
    StorableProfile,
    Store,
    profile_model,
)


@dataclass(slots=True, frozen=True)
class ProfileRef:
    """A registered profile: its store id and `space/name/version`."""

    profile_id: int
    space: str
    name: str
    version: str
    drift_type: str = "psi"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return asdict(self)


def load_profile(
    profile: str, store_url: str | None = None, drift_type: str | None = None
) -> ProfileRef:
    """Resolve `profile`, a JSON file path or a stored `space/name/version`, to a stored profile
    (of `drift_type`, when given: a file or stored profile of another type is an error).

    A file is registered first (a no-op when the same content is already stored).
    """
    path = Path(profile)
    with Store(store_url) as store:
        if path.suffix == ".json" or path.is_file():
            loaded = read_profile_file(path, drift_type)
            profile_id = store.register_profile(loaded)
            config = loaded.config
            return ProfileRef(
                profile_id, config.space, config.name, config.version, loaded.drift_type
            )
        parts = profile.split("/")
        if len(parts) != 3 or not all(parts):
            raise ConfigError(
                f"profile {profile!r} is neither a JSON file nor a 'space/name/version' key"
            )
        space, name, version = parts
        profile_id, stored = store.get_profile(space, name, version, drift_type)
        return ProfileRef(profile_id, space, name, version, stored.drift_type)


def read_profile_file(path: str | Path, drift_type: str | None = None) -> StorableProfile:
    """A profile from its JSON file, of the type its `drift_type` field names (or, when
    given, of `drift_type`, which the file must then be)."""
    data = read_json_object(path)
    kind = drift_type or str(data.get("drift_type"))
    model = profile_model(kind)
    if model is None:
        raise ConfigError(
            f"{path}: drift_type {data.get('drift_type')!r} is not one of "
            f"{sorted([*PROFILE_TYPES, 'genai'])}"
        )
    return cast(StorableProfile, model.model_validate_profile(data, source=str(path)))


def compute_window_drift(
    ref: ProfileRef, source: FileSource, window: Window, store_url: str | None = None
) -> AnyResult:
    """Scan `source` for `window` and compute drift against the stored profile."""
    with Store(store_url) as store:
        profile: AnyProfile = store.get_profile(ref.space, ref.name, ref.version, ref.drift_type)[1]
    return Drifter().compute_drift(source.scan(window), profile)


def persist_drift(
    ref: ProfileRef,
    window: Window,
    result: AnyResult,
    store_url: str | None = None,
    *,
    started_at: datetime | None = None,
    link: str | None = None,
) -> dict[str, Any]:
    """Write the run, its results and its alerts (under the profile's alert config) in one
    transaction; return the summary. `link` points at the run's report (a flow-run or task
    URL) and travels with every alert."""
    with Store(store_url) as store:
        _, profile = store.get_profile(ref.space, ref.name, ref.version, ref.drift_type)
        config = profile.config.alert_config
        written = store.write_drift_run(
            ref.profile_id,
            window,
            result,
            drift_alerts(result, config),
            policy=alert_policy(config, link),
            started_at=started_at,
        )
    return written.to_dict()


def should_dispatch(summary: dict[str, Any]) -> bool:
    """Whether the run left alerts waiting in the outbox."""
    return int(summary.get("pending_alerts", 0)) > 0


def dispatch_alerts(
    run_id: int | None = None,
    store_url: str | None = None,
    *,
    eval_run_id: int | None = None,
    credentials: Credentials | None = None,
    retry: RetryPolicy | None = None,
) -> dict[str, Any]:
    """Send a drift (or eval) run's unsent alerts to their destinations and record each
    outcome; credentials default to the environment's."""
    with Store(store_url) as store:
        return dispatch_pending(
            store, credentials, run_id=run_id, eval_run_id=eval_run_id, retry=retry
        ).to_dict()
