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
