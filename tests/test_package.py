"""Package-level contracts: no orchestrator on import, a complete public API."""

from __future__ import annotations

import subprocess
import sys

import pytest

import scouter_flows


def test_import_pulls_in_no_orchestrator() -> None:
    code = (
        "import sys, scouter_flows; "
        "scouter_flows.Drifter; scouter_flows.Store; scouter_flows.dispatch_pending; "
        "import scouter_flows.tasks; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('prefect', 'airflow')); "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_public_name_resolves() -> None:
    for name in scouter_flows.__all__:
        assert getattr(scouter_flows, name) is not None


@pytest.mark.parametrize("package", ["drift", "sources", "traces", "store", "alerts", "evaluate"])
def test_every_name_a_subpackage_lists_resolves(package: str) -> None:
    import importlib

    module = importlib.import_module(f"scouter_flows.{package}")
    assert module.__doc__, f"scouter_flows.{package} says what it holds"
    for name in module.__all__:
        assert getattr(module, name) is not None, f"scouter_flows.{package}.{name}"


def test_all_lists_exactly_the_lazy_exports() -> None:
    assert sorted(scouter_flows.__all__) == sorted([*scouter_flows._EXPORTS, "__version__"])


def test_the_old_window_module_still_imports_and_names_the_new_one() -> None:
    import warnings

    from scouter_flows.window import Window

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from scouter_flows.sources.window import Window as Old
        from scouter_flows.sources.window import ensure_utc  # noqa: F401
    assert Old is Window
    messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
    assert any("scouter_flows.window.Window" in m for m in messages)
    assert any("scouter_flows.window.ensure_utc" in m for m in messages)


@pytest.mark.parametrize(
    ("old_module", "name", "new_module", "new_name"),
    [
        ("scouter_flows.sources.logger", "StoreSink", "scouter_flows.store.sink", "StoreSink"),
        (
            "scouter_flows.store.telemetry",
            "SPAN_COLUMNS",
            "scouter_flows.traces.schema",
            "SPAN_SCHEMA",
        ),
        (
            "scouter_flows.traces.spans",
            "SPAN_COLUMNS",
            "scouter_flows.traces.schema",
            "SPAN_SCHEMA",
        ),
    ],
)
def test_a_moved_name_still_imports_from_its_old_place_with_a_warning(
    old_module: str, name: str, new_module: str, new_name: str
) -> None:
    import importlib

    old = importlib.import_module(old_module)
    with pytest.warns(DeprecationWarning, match=f"use {new_module}.{new_name}"):
        value = getattr(old, name)
    assert value is getattr(importlib.import_module(new_module), new_name)
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        old.Nothing  # noqa: B018


@pytest.mark.parametrize(
    ("old", "new", "name"),
    [
        ("scouter_flows.evaluate.operators", "scouter_flows.evaluate.comparisons", "_TEMPLATE"),
        ("scouter_flows.evaluate.tasks", "scouter_flows.evaluate.task_graph", "execution_plan"),
        ("scouter_flows.alerts.outbox", "scouter_flows.alerts.dispatch", "dispatch_pending"),
    ],
)
def test_a_renamed_module_still_imports_under_its_old_path(old: str, new: str, name: str) -> None:
    code = (
        "import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
        f"try:\n    import {old}\nexcept DeprecationWarning as w:\n    print(w)\n"
        "warnings.simplefilter('ignore')\n"
        f"import importlib; old = importlib.import_module({old!r})\n"
        f"print(old is importlib.import_module({new!r}), hasattr(old, {name!r}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [f"{old} is deprecated: import {new}", "True True"]


def test_an_old_public_name_warns_and_names_the_new_one() -> None:
    with pytest.warns(
        DeprecationWarning, match="use scouter_flows.profiles.results.PsiDriftResult"
    ):
        old = scouter_flows.DriftResult
    assert old is scouter_flows.PsiDriftResult
    assert "DriftResult" not in scouter_flows.__all__


def test_the_package_declares_its_type_hints() -> None:
    from importlib.resources import files

    assert (files("scouter_flows") / "py.typed").is_file()  # PEP 561: checkers read our hints
