"""Progress of long work: a bar in a terminal, lines in an orchestrator's log, else nothing.

Building a profile or computing drift over `LARGE_VALUES` values or more, and an eval of more
than `MANY_JUDGE_CALLS` judge calls, report how far they are. Where the report goes:

- standard error is a terminal: a rich progress bar there (drawn over itself, kept at the end);
- otherwise: INFO lines on the logger `scouter_flows.progress` (or the one `progress_log`
  installs, such as a Prefect run's logger), at each tenth of the work and at least every
  `LOG_EVERY` seconds; a logger that is quiet at INFO prints nothing.

`SCOUTER_PROGRESS` overrides the choice: `bar`, `log` or `off` (`auto` is the default).
Smaller work reports nothing, so quick runs and tests stay silent.

Example:
    >>> import logging, sys
    >>> log = logging.getLogger("example.run")
    >>> log.addHandler(logging.StreamHandler(sys.stdout)); log.setLevel(logging.INFO)
    >>> with (
    ...     progress_log(log),
    ...     progress("PSI profile", 2, unit="columns", work=LARGE_VALUES, mode="log") as bar,
    ... ):
    ...     bar.advance(doing="sorted x")
    ...     bar.advance()  # doctest: +ELLIPSIS
    PSI profile: started, 2 columns over 10,000,000 values
    PSI profile: 1 of 2 columns (50%, sorted x), ... s
    PSI profile: 2 of 2 columns (100%, sorted x), ... s
    PSI profile: done, 2 columns in ... s
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal, Protocol

LARGE_VALUES = 10_000_000
"""Profiles and drift over at least this many values (rows x columns) report progress."""
MANY_JUDGE_CALLS = 100
"""Evals with more judge calls than this report progress."""
LOG_EVERY = 30.0
"""Seconds between two log lines at most, however slowly the work moves."""
PROGRESS_ENV = "SCOUTER_PROGRESS"

Mode = Literal["auto", "bar", "log", "off"]
_MODES = ("auto", "bar", "log", "off")

LOGGER = logging.getLogger("scouter_flows.progress")


class _Logs(Protocol):
    def info(self, msg: str, *args: Any) -> None: ...
    def isEnabledFor(self, level: int) -> bool: ...  # noqa: N802 (logging's spelling)


_sink: ContextVar[_Logs | None] = ContextVar("scouter_flows_progress_log", default=None)
_current: ContextVar[Progress | None] = ContextVar("scouter_flows_progress", default=None)


@contextmanager
def progress_log(logger: Any) -> Iterator[None]:
    """Send progress lines to `logger` (a `logging.Logger` or adapter, such as Prefect's
    `get_run_logger()`) for the work started inside the block."""
    token = _sink.set(logger)
    try:
        yield
    finally:
        _sink.reset(token)


class Progress:
    """How far one piece of work is; `advance` it as steps finish (from any thread)."""

    def __init__(self, title: str, total: int, unit: str) -> None:
        self.title, self.total, self.unit = title, max(total, 0), unit
        self.done = 0
        self.doing: str | None = None
        self._lock = threading.Lock()

    @property
    def shown(self) -> bool:
        """Whether this progress is displayed anywhere (work may take a cheaper path if not)."""
        return False

    def advance(self, steps: int = 1, *, doing: str | None = None) -> None:
        """Count `steps` more steps done; `doing` says what runs now."""
        with self._lock:
            self.done = min(self.total, self.done + steps) if self.total else self.done + steps
            if doing is not None:
                self.doing = doing
            self._show()

    def _show(self) -> None:
        """Display the new state (called with the lock held)."""

    def _start(self) -> None:
        """Begin displaying."""

    def _finish(self, failed: bool) -> None:
        """Stop displaying."""


class _Bar(Progress):
    def __init__(self, title: str, total: int, unit: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        super().__init__(title, total, unit)
        self._rich = RichProgress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(unit),
            TextColumn("elapsed"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[doing]}", style="dim"),
            console=Console(stderr=True),
        )
        self._task = self._rich.add_task(title, total=total or None, doing="")

    @property
    def shown(self) -> bool:
        return True

    def _start(self) -> None:
        self._rich.start()

    def _show(self) -> None:
        self._rich.update(self._task, completed=self.done, doing=self.doing or "")

    def _finish(self, failed: bool) -> None:
        if failed:
            self._rich.update(self._task, description=f"{self.title} (failed)")
        self._rich.stop()


class _Lines(Progress):
    def __init__(self, title: str, total: int, unit: str, logger: _Logs, work: str) -> None:
        super().__init__(title, total, unit)
        self._log, self._work = logger, work
        self._began = self._last = time.monotonic()
        self._tenth = 0

    @property
    def shown(self) -> bool:
        return True

    def _start(self) -> None:
        self._log.info("%s: started, %s %s%s", self.title, f"{self.total:,}", self.unit, self._work)

    def _show(self) -> None:
        now = time.monotonic()
        tenth = self.done * 10 // self.total if self.total else 0
        if tenth <= self._tenth and now - self._last < LOG_EVERY:
            return
        self._tenth, self._last = tenth, now
        share = f"{self.done / self.total:.0%}" if self.total else "?"
        doing = f", {self.doing}" if self.doing else ""
        self._log.info(
            "%s: %s of %s %s (%s%s), %.1f s",
            self.title,
            f"{self.done:,}",
            f"{self.total:,}",
            self.unit,
            share,
            doing,
            now - self._began,
        )

    def _finish(self, failed: bool) -> None:
        elapsed = time.monotonic() - self._began
        if failed:
            self._log.info(
                "%s: failed after %s %s, %.1f s", self.title, f"{self.done:,}", self.unit, elapsed
            )
        else:
            self._log.info(
                "%s: done, %s %s in %.1f s", self.title, f"{self.done:,}", self.unit, elapsed
            )


def current_progress() -> Progress:
    """The progress of the innermost `progress` block of this thread's context (one that shows
    nothing outside any): steps deep inside the work advance it without being handed it."""
    return _current.get() or Progress("", 0, "steps")


def may_show() -> bool:
    """Whether progress would be displayed anywhere now: callers skip measuring the work (a
    row count) when it would not."""
    return _display(progress_mode()) is not None


def _display(chosen: Mode) -> Literal["bar", "log"] | None:
    """Where progress goes under `chosen`: a bar, log lines, or nowhere."""
    if chosen == "off":
        return None
    if chosen == "bar" or (chosen == "auto" and _stderr_is_terminal()):
        return "bar"
    return "log" if (_sink.get() or LOGGER).isEnabledFor(logging.INFO) else None


def progress_mode() -> Mode:
    """The display `SCOUTER_PROGRESS` asks for (`auto` when unset or unknown)."""
    chosen = os.environ.get(PROGRESS_ENV, "auto").strip().lower()
    return chosen if chosen in _MODES else "auto"  # type: ignore[return-value]


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed by a host
        return False


@contextmanager
def progress(
    title: str,
    total: int,
    *,
    unit: str,
    work: int,
    threshold: int = LARGE_VALUES,
    work_unit: str | None = "values",
    mode: Mode | None = None,
) -> Iterator[Progress]:
    """Report the progress of `total` steps of `unit` covering `work` `work_unit` (None: the
    steps are the work).

    Below `threshold` of work, or with nowhere to show it, the `Progress` yielded displays
    nothing (`shown` is False). A step that raises ends the display with "failed".
    """
    tracker: Progress
    outer = _current.get()
    # Work inside shown work (a file group's pass) is one of the outer steps: not shown again.
    inside = outer is not None and outer.shown
    display = None if work < threshold or inside else _display(mode or progress_mode())
    if display == "bar":
        tracker = _Bar(title, total, unit)
    elif display == "log":
        over = f" over {work:,} {work_unit}" if work_unit else ""
        tracker = _Lines(title, total, unit, _sink.get() or LOGGER, over)
    else:
        tracker = Progress(title, total, unit)
    tracker._start()
    token = _current.set(tracker)
    try:
        yield tracker
    except BaseException:
        tracker._finish(failed=True)
        raise
    else:
        tracker._finish(failed=False)
    finally:
        _current.reset(token)
