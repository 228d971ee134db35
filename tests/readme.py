"""Helpers for tests that run the README's examples as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_example(heading: str) -> str:
    """The first ```python block after the `### {heading}` line of the README."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(f"### {heading}\n") :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, f"no python block under ### {heading}"
    return match.group(1)
