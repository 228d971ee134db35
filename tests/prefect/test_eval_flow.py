"""`genai_eval_flow` under the Prefect test server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from scouter_flows import Store
from scouter_flows.flows import genai_eval_flow
from tests.eval_samples import DAY, write_eval_day


def _evaluate_day(profile: str, records: str, store_url: str, **options: Any) -> dict[str, Any]:
    return genai_eval_flow(
        profile=profile,
        source_path=records,
        window_start=DAY,
        window_end=DAY + timedelta(days=1),
        store_url=store_url,
        **options,
    )


def test_eval_flow_stores_the_run_and_dispatches_the_pass_rate_alert(
    tmp_path: Path, store_url: str
) -> None:
    Store(store_url, auto_upgrade=True).close()
    profile, records = write_eval_day(tmp_path)
    summary = _evaluate_day(profile, records, store_url)
    assert summary["records"] == summary["sampled"] == 100
    assert summary["pass_rate"] == 0.66
    assert summary["dispatch"]["sent"] == 1
    with Store(store_url) as store:
        (alert,) = store.alerts(eval_run_id=summary["run_id"])
        assert alert.status == "sent"
        assert "pass rate 66.00% < 90.00%" in alert.message
        assert store.eval_results(summary["run_id"]).height == 100


def test_a_healthy_window_skips_dispatch(tmp_path: Path, store_url: str) -> None:
    Store(store_url, auto_upgrade=True).close()
    profile, records = write_eval_day(tmp_path, empty_every=1000)
    summary = _evaluate_day(profile, records, store_url)
    assert summary["pass_rate"] == 0.99
    assert summary["dispatch"] is None


def test_a_dry_run_evaluates_and_stores_nothing(tmp_path: Path, store_url: str) -> None:
    from prefect.artifacts import Artifact

    Store(store_url, auto_upgrade=True).close()
    profile, records = write_eval_day(tmp_path)
    summary = _evaluate_day(profile, records, store_url, dry_run=True)
    assert summary["dry_run"] is True
    assert summary["pass_rate"] == 0.66
    assert summary["pending_alerts"] == 0
    assert summary["dispatch"] is None
    assert set(summary["tasks"]) == {"answered"}
    with Store(store_url) as store:
        assert store.eval_pass_rates(*summary["profile"].split("/")[:2]).height == 0
    table = Artifact.get("eval-" + summary["profile"].replace("/", "-").replace(".", "-"))
    assert table is not None


def test_the_eval_run_writes_its_report_and_the_artifact_links_it(tmp_path: Path) -> None:
    from prefect.artifacts import Artifact

    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    profile, records = write_eval_day(tmp_path)
    summary = _evaluate_day(profile, records, store_url, report_dir=str(tmp_path / "reports"))
    page = Path(summary["report"])
    assert page.name.startswith("eval-")
    assert page.exists()
    text = page.read_text()
    assert "Pass rate per task" in text
    assert "answered" in text
    key = "eval-" + summary["profile"].replace("/", "-").replace(".", "-") + "-summary"
    markdown = str(Artifact.get(key).data)  # type: ignore[union-attr]
    assert "![headline chart](data:image/png;base64," in markdown
    assert f"[Full report]({page.as_uri()})" in markdown
