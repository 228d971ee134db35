"""Helpers shared by the tests: the README examples, raw SQL outside the store."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_example(heading: str) -> str:
    """The first ```python block after the `### {heading}` (or `## {heading}`) line."""
    text = README.read_text(encoding="utf-8")
    marker = f"### {heading}\n" if f"### {heading}\n" in text else f"## {heading}\n"
    section = text[text.index(marker) :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, f"no python block under ### {heading}"
    return match.group(1)


def readme_commands(after: str) -> list[str]:
    """The commands of the first ```bash block after the text `after`, one per command
    (backslash continuations joined, comments dropped)."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"```bash\n(.*?)```", text[text.index(after) :], re.S)
    assert match, f"no bash block after {after!r}"
    joined = match.group(1).replace("\\\n", " ")
    commands = [re.sub(r"\s+#\s.*$", "", line).strip() for line in joined.splitlines()]
    return [" ".join(c.split()) for c in commands if c]


RESET_POSTGRES = "DROP SCHEMA public CASCADE; CREATE SCHEMA public"


def run_sql(url: str, sql: str) -> None:
    """Run `sql` in one transaction on the database at `url`, outside any `Store`."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def head_revision() -> str:
    """The store's newest schema revision, as this checkout's migrations say."""
    from scouter_flows import Store

    return Store.head_revision()
