"""`monitor_batch`: bad batches are refused, naming the problem, before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from scouter_flows import DataError, Drifter, PsiDriftConfig, PsiDriftProfile, Store, monitor_batch
from scouter_flows.sources.sample import sample_frame

WHEN = datetime(2026, 11, 21, 6, tzinfo=UTC)


@pytest.fixture
def profile(tmp_path: Path) -> str:
    rng = np.random.default_rng(4)
    built = Drifter().create_drift_profile(
        sample_frame(5_000, rng), PsiDriftConfig(space="credit", name="batch")
    )
    return str(built.save_to_json(tmp_path / "profile.json"))


def _batch(rows: int = 1_000) -> pl.DataFrame:
    return sample_frame(rows, np.random.default_rng(5))


@pytest.mark.parametrize(
    ("batch", "kwargs", "message"),
    [
        (_batch().head(0), {}, "the batch is empty"),
        (_batch(), {}, "the batch has no 'timestamp' column"),
        (_batch().with_columns(timestamp=pl.lit(datetime(2026, 11, 21))), {}, "must be a zoned"),
        (
            _batch().with_columns(
                timestamp=pl.Series([WHEN, None] * 500, dtype=pl.Datetime("us", "UTC"))
            ),
            {},
            "'timestamp' has 500 null values",
        ),
        (_batch().drop("income"), {"logged_at": WHEN}, "income"),
        (_batch(), {"logged_at": datetime(2026, 11, 21)}, "has no time zone"),
    ],
)
def test_bad_batches_are_refused_before_anything_is_written(
    profile: str, store_url: str, batch: pl.DataFrame, kwargs: dict[str, object], message: str
) -> None:
    Store(store_url, auto_upgrade=True).close()
    with pytest.raises(DataError, match=message):
        monitor_batch(batch, profile, store_url=store_url, **kwargs)  # type: ignore[arg-type]
    with Store(store_url) as store:
        assert store.runs().height == 0
        assert store.inference_logs("credit", "batch", _all_time()).height == 0


def _all_time():  # type: ignore[no-untyped-def]
    from scouter_flows import Window

    return Window(datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def test_a_batch_with_ids_and_one_time_is_logged_and_monitored(
    profile: str, store_url: str
) -> None:
    Store(store_url, auto_upgrade=True).close()
    batch = _batch().with_row_index("request").with_columns(pl.col("request").cast(pl.String))
    summary = monitor_batch(
        batch, profile, store_url=store_url, logged_at=WHEN, record_id_column="request"
    )
    assert summary["logged"] == 1_000
    assert summary["window_start"] == WHEN.isoformat()
    drifted = Drifter().compute_drift(batch, PsiDriftProfile.load_from_json(profile)).drifted
    assert summary["status"] == ("drift" if drifted else "ok")
    assert summary["drifted"] == drifted
    again = monitor_batch(
        batch, profile, store_url=store_url, logged_at=WHEN, record_id_column="request"
    )
    assert again["run_id"] == summary["run_id"]
    with Store(store_url) as store:
        logs = store.inference_logs("credit", "batch", _all_time())
        assert logs.height == 1_000


def test_the_old_store_argument_still_works_and_names_store_url(
    profile: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    batch = _batch()
    with pytest.warns(DeprecationWarning, match=r"use monitor_batch\(store_url=...\)"):
        summary = monitor_batch(batch, profile, store=url, logged_at=WHEN)
    with Store(url) as store:
        assert store.runs("credit", "batch")["run_id"].to_list() == [summary["run_id"]]
    with pytest.raises(TypeError, match="both 'store_url' and its deprecated spelling 'store'"):
        monitor_batch(batch, profile, store=url, store_url=url, logged_at=WHEN)
