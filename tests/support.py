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
