"""A small credit-scoring data set: a baseline and daily logs, drifting on the last day.

Used by `scouter-flows demo`, the example DAGs and the tests; generated, never downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

SAMPLE_START = datetime(2026, 11, 19, tzinfo=UTC)
COUNTRIES = ["DE", "FR", "GB", "NL", "US"]


@dataclass(slots=True, frozen=True)
class SampleData:
    """Where the generated files are and which window drifts."""

    baseline: Path
    logs_glob: str
    days: int
    drift_day: datetime | None
    start: datetime = SAMPLE_START

    def day_window(self, day: int) -> tuple[datetime, datetime]:
        """`[start, end)` of day `day` (0-based) of the logs."""
        start = self.start + timedelta(days=day)
        return start, start + timedelta(days=1)


def sample_frame(rows: int, rng: np.random.Generator, *, drifted: bool = False) -> pl.DataFrame:
    """Feature rows; with `drifted`, income and credit_score shift and the country mix changes."""
    income_scale = 1.35 if drifted else 1.0
    country_p = [0.1, 0.1, 0.15, 0.05, 0.6] if drifted else [0.3, 0.25, 0.2, 0.15, 0.1]
    return pl.DataFrame(
        {
            "age": rng.normal(41.0, 11.0, rows).clip(18, 95),
            "income": rng.lognormal(10.6, 0.45, rows) * income_scale,
            "credit_score": rng.normal(680.0 - (35.0 if drifted else 0.0), 55.0, rows),
            "tenure_months": rng.integers(0, 240, rows).astype(np.int64),
            "balance": rng.gamma(2.0, 2500.0, rows),
            "num_products": rng.integers(1, 5, rows).astype(np.int64),
            "country": rng.choice(COUNTRIES, rows, p=country_p),
            "is_active": rng.random(rows) < 0.7,
        }
    )


def generate_sample_data(
    directory: str | Path,
    *,
    seed: int = 7,
    baseline_rows: int = 20_000,
    rows_per_day: int = 5_000,
    days: int = 3,
    drift_last_day: bool = True,
    start: datetime = SAMPLE_START,
) -> SampleData:
    """Write `baseline.parquet` and `logs/date=YYYY-MM-DD/part-0.parquet` under `directory`.

    Each log row has a UTC `timestamp` spread evenly over its day; the first day begins at
    `start` (midnight UTC of that day), so `start=datetime.now(UTC) - timedelta(days=2)` gives
    logs up to the end of today.
    """
    first = start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rng = np.random.default_rng(seed)
    root = Path(directory)
    (root / "logs").mkdir(parents=True, exist_ok=True)
    baseline = root / "baseline.parquet"
    sample_frame(baseline_rows, rng).write_parquet(baseline)
    for day in range(days):
        drifted = drift_last_day and day == days - 1
        day_start = first + timedelta(days=day)
        step = timedelta(days=1) / rows_per_day
        frame = sample_frame(rows_per_day, rng, drifted=drifted).with_columns(
            timestamp=pl.datetime_range(
                day_start,
                day_start + step * (rows_per_day - 1),
                step,
                time_zone="UTC",
                eager=True,
            )
        )
        folder = root / "logs" / f"date={day_start.date().isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(folder / "part-0.parquet")
    return SampleData(
        baseline=baseline,
        logs_glob=str(root / "logs" / "*" / "*.parquet"),
        days=days,
        drift_day=first + timedelta(days=days - 1) if drift_last_day else None,
        start=first,
    )
