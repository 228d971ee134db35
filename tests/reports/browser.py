"""Opening a report in headless Chromium (Debian's package, driven by Playwright)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str | None:
    """The browser to drive: `SCOUTER_CHROMIUM`, else the first of CANDIDATES on the PATH."""
    explicit = os.environ.get("SCOUTER_CHROMIUM")
    if explicit:
        return explicit
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


@dataclass
class Opened:
    """A report open in the browser, with what the page asked for and complained about."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def marks(self, name: str, within: str = "body") -> int:
        """Marks drawn by the chart layer `name`: its SVG group is `<name>_marks`, or
        `<name>_<n>_marks` for the n-th chart of a column of charts."""
        groups = f'{within} g[class*=" {name}_"][class$="_marks"]'
        count: int = self.page.locator(f"{groups} > *").count()
        return count


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium; skipped (never in CI) where there is none."""
    path = chromium_path()
    if path is None:
        message = "no Chromium here: `apt-get install chromium` (make test does it) to open reports"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


def open_report(browser: Any, path: Path, screenshot: Path) -> Opened:
    """Open the report file at `path` offline and write a full-page screenshot."""
    context = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    opened = Opened(page)
    page.on(
        "console", lambda m: opened.console_errors.append(m.text) if m.type == "error" else None
    )
    page.on("pageerror", lambda e: opened.console_errors.append(str(e)))
    page.on("request", lambda r: opened.requests.append(r.url))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(screenshot), full_page=True)
    # The page itself is the one request a report may make.
    opened.requests = [u for u in opened.requests if u != path.resolve().as_uri()]
    return opened
