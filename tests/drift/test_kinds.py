"""The drift-kind registry: every dispatch on a kind reads it, and a new kind needs only its
models, its kernel and one `register_kind` call."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl
import pytest

from scouter_flows import Drifter
from scouter_flows.alerts.rules import drift_alerts
from scouter_flows.drift import kinds
from scouter_flows.drift.kinds import KINDS, PROFILE_TYPES, DriftKind, kind_of, register_kind
from scouter_flows.errors import ConfigError
from scouter_flows.profiles.base import DriftProfileBase, FrozenModel, ProfileIdentity
from scouter_flows.profiles.custom import CustomMetric, CustomMetricDriftConfig
from scouter_flows.profiles.psi import PsiDriftConfig
from scouter_flows.profiles.results import Breach, DriftResultBase
from scouter_flows.profiles.spc import SpcDriftConfig
from scouter_flows.store.store import Store
from scouter_flows.tasks.drift import drift_of
from scouter_flows.tasks.partitions import (
    finalize,
    merge_partials,
    partial_from_json,
    partial_statistics,
    partial_to_json,
)
from scouter_flows.window import Window

WINDOW = Window(start=datetime(2026, 12, 1, tzinfo=UTC), end=datetime(2026, 12, 2, tzinfo=UTC))


def _baseline() -> pl.DataFrame:
    rng = np.random.default_rng(7)
    return pl.DataFrame({"x": rng.normal(0, 1, 4000), "y": rng.normal(5, 2, 4000)})


def _config(drift_type: str) -> Any:
    if drift_type == "psi":
        return PsiDriftConfig(space="s", name="m")
    if drift_type == "spc":
        return SpcDriftConfig(space="s", name="m", sample_size=25)
    return CustomMetricDriftConfig(space="s", name="m")


def _data(drift_type: str) -> Any:
    if drift_type == "custom":
        return [CustomMetric(name="mae", baseline_value=1.0, alert_threshold="Above")]
    return _baseline()


def _observed(drift_type: str) -> pl.DataFrame:
    if drift_type == "custom":
        return pl.DataFrame({"mae": [1.0, 1.1, 0.9]})
    return _baseline().head(1000)


@pytest.mark.parametrize("drift_type", ["psi", "spc", "custom"])
def test_every_built_in_kind_is_found_by_its_type_config_profile_and_result(
    drift_type: str,
) -> None:
    kind = KINDS[drift_type]
    config = _config(drift_type)
    profile = kind.create(_data(drift_type), config)
    result = Drifter().compute_drift(_observed(drift_type), profile)
    assert isinstance(profile, kind.profile)
    assert isinstance(result, kind.result)
    assert profile.drift_type == result.drift_type == drift_type
    assert PROFILE_TYPES[drift_type] is kind.profile
    for item in (drift_type, config, profile, result):
        assert kind_of(item) is kind


def test_an_unknown_kind_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unsupported drift kind 'ks': expected one of psi, spc"):
        kind_of("ks")
    with pytest.raises(ConfigError, match=r"unsupported drift kind dict: .*PsiDriftConfig"):
        Drifter().create_drift_profile(_baseline(), {"space": "s"})  # type: ignore[call-overload]


def test_split_kinds_judge_merged_partials_as_the_whole_window() -> None:
    for kind in KINDS.values():
        if not kind.partitioned:
            assert kind.whole, f"{kind.drift_type} runs whole and must say why"
            continue
        profile = kind.create(_data(kind.drift_type), _config(kind.drift_type))
        rows = _observed(kind.drift_type)
        halves = [rows.head(len(rows) // 2).lazy(), rows.tail(len(rows) - len(rows) // 2).lazy()]
        parts = [partial_from_json(partial_to_json(kind.partial(h, profile))) for h in halves]
        assert finalize(profile, merge_partials(parts)) == kind.compute(rows.lazy(), profile, None)


def test_a_kind_cannot_be_registered_twice_or_under_another_name() -> None:
    with pytest.raises(ConfigError, match="'psi' is already registered"):
        register_kind(KINDS["psi"])
    with pytest.raises(ConfigError, match="defaults to 'psi', not the kind's 'other'"):
        register_kind(DriftKind(**{**KINDS["psi"].__dict__, "drift_type": "other"}))


# A kind from outside the package: a shift of each feature's mean, in baseline standard
# deviations. It is its models, its kernel and one `register_kind` call, nothing else.


class MeanShiftConfig(ProfileIdentity):
    tolerance: float = 0.5


class MeanShiftProfile(DriftProfileBase):
    drift_type: Literal["mean_shift"] = "mean_shift"
    config: MeanShiftConfig
    means: dict[str, tuple[float, float]]


class Shift(FrozenModel):
    feature: str
    value: float
    status: Literal["ok", "drift"]


class MeanShiftResult(DriftResultBase):
    drift_type: Literal["mean_shift"] = "mean_shift"
    tolerance: float
    shifts: list[Shift]

    def statuses(self) -> list[tuple[str, str]]:
        return [(s.feature, s.status) for s in self.shifts]

    def stored_rows(self, run_id: int) -> list[dict[str, Any]]:
        return [
            {
                "run_id": run_id,
                "feature": s.feature,
                "value": s.value,
                "threshold": self.tolerance,
                "status": s.status,
                "payload": {},
            }
            for s in self.shifts
        ]

    def breaches(self, features: frozenset[str] = frozenset()) -> list[Breach]:
        return [
            Breach(s.feature, "mean_shift", s.value, self.tolerance, f"{s.feature} moved", {})
            for s in self.shifts
            if s.status == "drift" and (not features or s.feature in features)
        ]

    def table_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "feature": s.feature,
                "value": s.value,
                "threshold": self.tolerance,
                "status": s.status,
            }
            for s in self.shifts
        ]


class SumsPartial(FrozenModel):
    sums: dict[str, float]
    rows: int

    def merge(self, other: SumsPartial) -> SumsPartial:
        sums = {k: v + other.sums[k] for k, v in self.sums.items()}
        return SumsPartial(sums=sums, rows=self.rows + other.rows)


def _create(data: pl.DataFrame, config: MeanShiftConfig) -> MeanShiftProfile:
    means = {c: (float(data[c].mean()), float(data[c].std())) for c in data.columns}  # type: ignore[arg-type]
    return MeanShiftProfile(config=config, means=means)


def _partial(lf: pl.LazyFrame, profile: MeanShiftProfile) -> SumsPartial:
    frame = lf.select(list(profile.means)).collect()
    return SumsPartial(sums={c: float(frame[c].sum()) for c in profile.means}, rows=len(frame))


def _finalize(partial: SumsPartial, profile: MeanShiftProfile) -> MeanShiftResult:
    shifts = []
    for feature, (mean, std) in profile.means.items():
        value = abs(partial.sums[feature] / partial.rows - mean) / std
        status: Literal["ok", "drift"] = "drift" if value > profile.config.tolerance else "ok"
        shifts.append(Shift(feature=feature, value=value, status=status))
    config = profile.config
    return MeanShiftResult(
        space=config.space,
        name=config.name,
        version=config.version,
        rows=partial.rows,
        tolerance=config.tolerance,
        shifts=shifts,
    )


MEAN_SHIFT = DriftKind(
    drift_type="mean_shift",
    config=MeanShiftConfig,
    profile=MeanShiftProfile,
    result=MeanShiftResult,  # type: ignore[arg-type]
    create=_create,
    compute=lambda lf, profile, _: _finalize(_partial(lf, profile), profile),
    partial=_partial,
    finalize=_finalize,
    partial_model=SumsPartial,
)


@pytest.fixture
def mean_shift() -> Iterator[DriftKind]:
    register_kind(MEAN_SHIFT)
    yield MEAN_SHIFT
    del kinds.KINDS["mean_shift"], kinds.PROFILE_TYPES["mean_shift"]


def test_a_new_kind_runs_through_drifter_partitions_store_and_alerts(
    mean_shift: DriftKind, tmp_path: Path
) -> None:
    baseline = _baseline()
    observed = baseline.with_columns(pl.col("y") + 3.0)  # y moves 1.5 sd, x stays
    profile = Drifter().create_drift_profile(baseline, MeanShiftConfig(space="s", name="shift"))  # type: ignore[call-overload]
    assert isinstance(profile, MeanShiftProfile)
    whole = Drifter().compute_drift(observed, profile)
    assert whole.drifted == ["y"]

    halves = [observed.head(1500).lazy(), observed.tail(2500).lazy()]
    parts = [partial_statistics(profile, h, WINDOW) for h in halves]  # type: ignore[arg-type]
    merged = finalize(profile, merge_partials(parts))  # type: ignore[arg-type]
    assert merged.statuses() == whole.statuses()
    assert [s.value for s in merged.shifts] == pytest.approx([s.value for s in whole.shifts])  # type: ignore[union-attr]
    assert drift_of(profile, observed.lazy(), WINDOW) == whole  # type: ignore[arg-type]

    alerts = drift_alerts(whole)
    assert [(a.entity, a.kind, a.dedup_key) for a in alerts] == [
        ("y", "mean_shift", "s/shift/0.1.0:y:mean_shift")
    ]
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        profile_id = store.register_profile(profile)
        stored_id, stored = store.get_profile("s", "shift", "0.1.0")
        assert (stored_id, stored) == (profile_id, profile)
        written = store.write_drift_run(profile_id, WINDOW, whole, alerts)
        assert (written.status, written.drifted, written.pending_alerts) == ("drift", ["y"], 1)
        rows = store.drift_results(written.run_id or 0).sort("feature")
        assert rows["feature"].to_list() == ["x", "y"]
        assert rows["status"].to_list() == ["ok", "drift"]
        assert rows["value"].to_list() == [s.value for s in whole.shifts]


def test_a_new_kinds_run_table_comes_from_its_result(mean_shift: DriftKind) -> None:
    pytest.importorskip("prefect")
    from scouter_flows.flows.drift import result_table

    profile = MEAN_SHIFT.create(_baseline(), MeanShiftConfig(space="s", name="shift"))
    result = MEAN_SHIFT.compute(_baseline().lazy(), profile, None)
    assert [r["feature"] for r in result_table(result)] == ["x", "y"]
    assert {r["status"] for r in result_table(result)} == {"ok"}
