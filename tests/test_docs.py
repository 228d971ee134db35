"""The README and docs/: every Python block compiles and imports names that exist, and every
link between the pages lands on a file and a heading that exist."""

from __future__ import annotations

import ast
import importlib
import re
import warnings
from pathlib import Path

import pytest

from tests.support import DOC_PAGES, ROOT

ORCHESTRATORS = ("prefect", "airflow")


def _blocks(page: Path) -> list[tuple[int, str]]:
    text = page.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, m.start()) + 2, m.group(1))
        for m in re.finditer(r"```python\n(.*?)```", text, re.S)
    ]


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, re.M)}


BLOCKS = [
    pytest.param(page, line, code, id=f"{page.relative_to(ROOT)}:{line}")
    for page in DOC_PAGES
    for line, code in _blocks(page)
]


def test_every_page_has_examples_and_the_pages_exist() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in DOC_PAGES}
    assert {"README.md", "docs/drift.md", "docs/store.md", "docs/from-scouter.md"} <= names
    assert len(BLOCKS) >= 12


@pytest.mark.parametrize(("page", "line", "code"), BLOCKS)
def test_a_python_block_compiles_and_imports_what_exists(page: Path, line: int, code: str) -> None:
    tree = ast.parse(code, filename=f"{page.name}:{line}")
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
            "scouter_flows"
        ):
            continue
        assert node.module is not None
        for alias in node.names:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", DeprecationWarning)  # no page shows an old name
                    module = importlib.import_module(node.module)
                    found = hasattr(module, alias.name)
            except ModuleNotFoundError as exc:  # the other orchestrator's half of the package
                if exc.name and exc.name.split(".")[0] in ORCHESTRATORS:
                    continue
                raise
            assert found, f"{page.name}:{line}: {node.module} has no {alias.name}"


@pytest.mark.parametrize("page", DOC_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_between_pages_land(page: Path) -> None:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+://", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), f"{page.name} links to {target}, which does not exist"
        if anchor:
            assert anchor in _anchors(linked), f"{page.name} links to {target}: no such heading"
