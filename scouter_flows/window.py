"""Monitoring windows: half-open `[start, end)` intervals in UTC, shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from scouter_flows.errors import ConfigError


def ensure_utc(value: datetime | str, *, field: str, assume_tz: str | None = None) -> datetime:
    """Return `value` as a plain `datetime` in UTC.

    Naive values are rejected unless `assume_tz` names the zone they are in (an explicit opt-in).
    Subclasses (pendulum's, which Prefect hands to a run) come back as `datetime`: libraries such
    as croniter drop their zone.

    Example:
        >>> ensure_utc("2026-11-21T01:00:00+01:00", field="window start")
        datetime.datetime(2026, 11, 21, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{field}: {value!r} is not an ISO-8601 timestamp") from None
    if value.tzinfo is None:
        if assume_tz is None:
            raise ConfigError(
                f"{field}: {value.isoformat()} has no time zone; pass an aware timestamp "
                "(for example 2026-11-21T00:00:00+00:00) or opt in with assume_tz='UTC'"
            )
        from zoneinfo import ZoneInfo

        value = value.replace(tzinfo=ZoneInfo(assume_tz))
    return _plain_utc(value)


def _plain_utc(value: datetime) -> datetime:
    utc = value.astimezone(UTC)
    return datetime(
        utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond, UTC
    )


@dataclass(slots=True, frozen=True)
class Window:
    """A half-open monitoring window `[start, end)` in UTC.

    Example:
        >>> Window.parse("2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z").duration
        datetime.timedelta(days=1)
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value.tzinfo is None:
                raise ConfigError(f"window {name} {value.isoformat()} has no time zone")
            object.__setattr__(self, name, _plain_utc(value))
        if self.start >= self.end:
            raise ConfigError(
                f"window start {self.start.isoformat()} must be before end {self.end.isoformat()}"
            )

    @classmethod
    def parse(
        cls, start: datetime | str, end: datetime | str, *, assume_tz: str | None = None
    ) -> Window:
        """Build a window from datetimes or ISO-8601 strings."""
        return cls(
            ensure_utc(start, field="window start", assume_tz=assume_tz),
            ensure_utc(end, field="window end", assume_tz=assume_tz),
        )

    @classmethod
    def ending_at(cls, end: datetime | str, period: timedelta) -> Window:
        """The window of length `period` that ends at `end` (a Prefect scheduled time, say)."""
        stop = ensure_utc(end, field="window end")
        return cls(stop - period, stop)

    @property
    def duration(self) -> timedelta:
        """`end - start`."""
        return self.end - self.start

    def __str__(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"
