"""What a scheduler builds a monitor from: a registered profile and the cron it runs on.

Shared by the Airflow DAG factory and `scouter-flows serve`; imports nothing heavy, so DAG
files can use it while they are parsed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

from scouter_flows.errors import ConfigError

Sources = str | Mapping[str, str] | Callable[["MonitorSpec"], str | None]
"""Where each profile's rows are: a template with `{space}`, `{name}`, `{version}` and
`{drift_type}`, a mapping from `space/name/version` to a path, or a function of the spec."""


def parse_key(text: str, what: str = "model", prefix: str = "not") -> tuple[str, str, str]:
    """`space/name/version` as its three parts.

    Raises:
        ConfigError: `text` has not three non-empty parts.
    """
    parts = text.split("/")
    if len(parts) != 3 or not all(p.strip() for p in parts):
        raise ConfigError(f"{what} {text!r} is {prefix} a 'space/name/version' key")
    return parts[0], parts[1], parts[2]


@dataclass(frozen=True, slots=True)
class MonitorSpec:
    """A profile to monitor and the schedule it runs on (its alert config's cron, UTC)."""

    space: str
    name: str
    version: str
    drift_type: str = "psi"
    schedule: str = "0 0 * * *"

    @property
    def key(self) -> str:
        """`space/name/version`."""
        return f"{self.space}/{self.name}/{self.version}"

    @property
    def dag_id(self) -> str:
        """`scouter_<type>_<space>_<name>_<version>` in the characters an id allows."""
        text = f"scouter_{self.drift_type}_{self.space}_{self.name}_{self.version}"
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)

    def source(self, sources: Sources) -> str | None:
        """This profile's rows under `sources` (None: the mapping has no entry for it)."""
        if isinstance(sources, str):
            return sources.format(**asdict(self))
        if isinstance(sources, Mapping):
            return sources.get(self.key)
        return sources(self)
