"""Package-level contracts: no orchestrator on import, a complete public API."""

from __future__ import annotations

import subprocess
import sys

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


def test_the_package_declares_its_type_hints() -> None:
    from importlib.resources import files

    assert (files("scouter_flows") / "py.typed").is_file()  # PEP 561: checkers read our hints
