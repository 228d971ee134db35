"""Scouter's queue records go into the InferenceLogger as one row each."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from pydantic import BaseModel

from scouter_flows import (
    DataError,
    Feature,
    FeatureMixin,
    Features,
    InferenceLogger,
    Metric,
    Metrics,
    ParquetSink,
    QueueFeature,
)


class Request(BaseModel, FeatureMixin):
    age: int
    income: float
    country: str


def test_features_metrics_and_a_mixin_model_are_logged_as_rows(tmp_path: Path) -> None:
    logger = InferenceLogger(ParquetSink(tmp_path), flush_interval=60)
    features = [
        Feature.int("age", 41),
        Feature.float("income", 52_000),
        Feature.string("country", "NL"),
    ]
    assert logger.insert(Features(features))
    assert logger.insert(Features({"age": 30, "income": 1.5, "country": "DE"}))
    assert logger.insert(Request(age=22, income=9.0, country="FR").to_features())
    logger.close()
    rows = pl.read_parquet(tmp_path / "date=*" / "*.parquet").sort("age")
    assert rows.select("age", "income", "country").rows() == [
        (22, 9.0, "FR"),
        (30, 1.5, "DE"),
        (41, 52_000.0, "NL"),
    ]
    assert rows["logged_at"].null_count() == 0


def test_metrics_are_floats_and_names_appear_once(tmp_path: Path) -> None:
    assert Metrics([Metric("mae", 1), Metric("mape", 2)]).to_record() == {"mae": 1.0, "mape": 2.0}
    assert Metrics({"mae": 3}).metrics == [Metric("mae", 3.0)]
    assert QueueFeature is Feature
    assert Features({"a": 1}).entity_type == "Feature"
    with pytest.raises(DataError, match=r"names \['mae'\] more than once"):
        Metrics([Metric("mae", 1), Metric("mae", 2)]).to_record()
    with pytest.raises(DataError, match="feature 'flag' must be an int, float or string"):
        Feature("flag", True)
    with pytest.raises(DataError, match="Features takes a list of Feature"):
        Features([Metric("mae", 1)])  # type: ignore[list-item]
    logger = InferenceLogger(ParquetSink(tmp_path))
    with pytest.raises(DataError, match="more than once"):  # refused before it is queued
        logger.insert(Features([Feature.int("a", 1), Feature.int("a", 2)]))
    logger.close()
    assert logger.written == 0
