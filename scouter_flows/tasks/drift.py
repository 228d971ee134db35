"""The steps of a drift run, as plain functions with small JSON-able inputs and outputs.

Prefect flows and Airflow operators call these; nothing here knows either orchestrator.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from scouter_flows.alerts.console import ConsoleDispatcher
from scouter_flows.alerts.outbox import dispatch_pending
from scouter_flows.alerts.rules import drift_alerts
from scouter_flows.drift.psi import compute_psi_drift
from scouter_flows.errors import ConfigError
from scouter_flows.profiles.psi import PsiDriftProfile
from scouter_flows.profiles.results import DriftResult
from scouter_flows.sources.files import FileSource
from scouter_flows.sources.window import Window
from scouter_flows.store.store import Store


@dataclass(slots=True, frozen=True)
class ProfileRef:
    """A registered profile: its store id and `space/name/version`."""

    profile_id: int
    space: str
    name: str
    version: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return asdict(self)


def load_profile(profile: str, store_url: str | None = None) -> ProfileRef:
    """Resolve `profile`, a JSON file path or a stored `space/name/version`, to a stored profile.

    A file is registered first (a no-op when the same content is already stored).
    """
    path = Path(profile)
    with Store(store_url) as store:
        if path.suffix == ".json" or path.is_file():
            loaded = PsiDriftProfile.load_from_json(path)
            profile_id = store.register_profile(loaded)
            config = loaded.config
            return ProfileRef(profile_id, config.space, config.name, config.version)
        parts = profile.split("/")
        if len(parts) != 3 or not all(parts):
            raise ConfigError(
                f"profile {profile!r} is neither a JSON file nor a 'space/name/version' key"
            )
        profile_id, _ = store.get_profile(*parts)
        return ProfileRef(profile_id, *parts)


def compute_window_drift(
    ref: ProfileRef, source: FileSource, window: Window, store_url: str | None = None
) -> DriftResult:
    """Scan `source` for `window` and compute drift against the stored profile."""
    with Store(store_url) as store:
        _, profile = store.get_profile(ref.space, ref.name, ref.version, "psi")
    assert isinstance(profile, PsiDriftProfile)
    return compute_psi_drift(source.scan(window), profile)


def persist_drift(
    ref: ProfileRef,
    window: Window,
    result: DriftResult,
    store_url: str | None = None,
    *,
    started_at: datetime | None = None,
) -> dict[str, Any]:
    """Write the run, its results and its pending alerts in one transaction; return the summary."""
    with Store(store_url) as store:
        written = store.write_drift_run(
            ref.profile_id, window, result, drift_alerts(result, window), started_at=started_at
        )
    return written.to_dict()


def should_dispatch(summary: dict[str, Any]) -> bool:
    """Whether the run left alerts waiting in the outbox."""
    return int(summary.get("pending_alerts", 0)) > 0


def dispatch_alerts(run_id: int, store_url: str | None = None) -> dict[str, Any]:
    """Send the run's unsent alerts to the console and record each outcome."""
    with Store(store_url) as store:
        return dispatch_pending(store, ConsoleDispatcher(), run_id=run_id).to_dict()
