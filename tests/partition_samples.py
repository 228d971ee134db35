"""Logs split over many files per day, with predictions and labels, for the scale-out tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from scouter_flows import (
    CustomMetric,
    CustomMetricDriftConfig,
    Drifter,
    PsiDriftConfig,
    SpcDriftConfig,
    Store,
)
from scouter_flows.sources.sample import sample_frame
from scouter_flows.tasks import ProfileRef

START = datetime(2026, 11, 19, tzinfo=UTC)


@dataclass(frozen=True)
class SplitLogs:
    """Where the files are, the window they cover and the registered profiles."""

    glob: str
    window: tuple[datetime, datetime]
    psi: ProfileRef
    custom: ProfileRef
    performance: ProfileRef
    spc: ProfileRef


def write_split_logs(root: Path, store_url: str, *, files_per_day: int = 4) -> SplitLogs:
    """Two days of logs in `root/logs/date=.../part-k.parquet` (files of unequal sizes) and
    PSI, custom-metric, performance and SPC profiles registered in the store."""
    rng = np.random.default_rng(11)
    baseline = sample_frame(8_000, rng)
    for day in range(2):
        folder = root / "logs" / f"date={(START + timedelta(days=day)).date()}"
        folder.mkdir(parents=True, exist_ok=True)
        for part in range(files_per_day):
            rows = 700 + 400 * part
            first = START + timedelta(days=day, hours=5 * part)
            frame = sample_frame(rows, rng, drifted=day == 1).with_columns(
                timestamp=pl.datetime_range(
                    first,
                    first + timedelta(seconds=rows - 1),
                    timedelta(seconds=1),
                    time_zone="UTC",
                    eager=True,
                ),
                request_id=pl.Series([f"d{day}p{part}r{i}" for i in range(rows)]),
                latency_ms=pl.Series(rng.gamma(3.0, 40.0, rows)),
                score=pl.Series(rng.random(rows).round(3)),
            )
            frame = frame.with_columns(
                prediction=(pl.col("score") > 0.5).cast(pl.Int64),
                label=(pl.col("credit_score") > 660).cast(pl.Int64),
            )
            frame.write_parquet(folder / f"part-{part}.parquet")
    with Store(store_url, auto_upgrade=True) as store:
        psi = Drifter().create_drift_profile(baseline, PsiDriftConfig(space="s", name="psi"))
        custom = Drifter().create_drift_profile(
            [CustomMetric(name="latency_ms", baseline_value=110.0, alert_threshold="Above")],
            CustomMetricDriftConfig(space="s", name="latency"),
        )
        performance = Drifter().create_drift_profile(
            [
                CustomMetric(name="accuracy", baseline_value=0.9, alert_threshold="Below"),
                CustomMetric(name="roc_auc", baseline_value=0.8, alert_threshold="Below"),
            ],
            CustomMetricDriftConfig(space="s", name="performance"),
        )
        spc = Drifter().create_drift_profile(
            baseline.select("age", "income"), SpcDriftConfig(space="s", name="spc", sample_size=25)
        )
        refs = {}
        for key, profile in {
            "psi": psi,
            "custom": custom,
            "performance": performance,
            "spc": spc,
        }.items():
            config = profile.config
            refs[key] = ProfileRef(
                store.register_profile(profile),
                config.space,
                config.name,
                config.version,
                profile.drift_type,
            )
    return SplitLogs(
        glob=str(root / "logs" / "*" / "*.parquet"),
        window=(START, START + timedelta(days=2)),
        **refs,
    )
