"""Scale-out over partitions: split a window, compute partial statistics per part, merge, finish.

A window's input is split by file, by hive partition directory or by row hash into
`Partition`s (small and JSON-able, so they cross an XCom or a Dask worker boundary). Each part
gives a partial (bin counts for PSI, counts and sums for custom metrics, a confusion table or
error sums for model performance); partials merge exactly in any order, and the merged partial
is judged once, so a partitioned run stores what a single task would have stored.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import reduce
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from scouter_flows.drift.kinds import KINDS, AnyProfile, kind_of
from scouter_flows.drift.kinds import Partial as Partial
from scouter_flows.drift.performance import (
    PerformancePartial,
    Task,
    performance_as_custom,
    performance_partial,
)
from scouter_flows.errors import ConfigError, DataError
from scouter_flows.profiles.custom import CustomDriftProfile
from scouter_flows.profiles.results import AnyResult
from scouter_flows.sources.files import FileSource
from scouter_flows.window import Window

PartitionBy = Literal["file", "hive", "hash"]
_ROW = "__scouter_row"


def _partial_models() -> dict[str, type[Any]]:
    """Partial model by the `kind` a JSON partial names: each splittable drift kind's, and
    model performance's (which a custom-metric profile judges)."""
    models = {k.drift_type: k.partial_model for k in KINDS.values() if k.partial_model}
    return {**models, "performance": PerformancePartial}


class PerformanceSpec(BaseModel):
    """Where a window's predictions, labels and scores are, for a model-performance run.

    The profile is then a custom-metric profile whose metric names are the task's metrics
    (`accuracy`, `f1`, `roc_auc`, `rmse`, ...).

    Example:
        >>> PerformanceSpec(task="binary", prediction="approved", label="repaid", score="p")
        PerformanceSpec(task='binary', prediction='approved', label='repaid', score='p', ...)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    task: Task = Field(description="binary, multiclass or regression.")
    prediction: str = Field(default="prediction", description="Column of predictions.")
    label: str = Field(default="label", description="Column of true labels or values.")
    score: str | None = Field(
        default=None, description="Binary only: predicted probability of class 1."
    )
    labels: FileSource | None = Field(
        default=None,
        description="Late-arriving labels in files of their own, joined on `id_column`; rows "
        "logged from the window's start on are read.",
    )
    id_column: str | None = Field(default=None, description="Join key with `labels`.")

    def partial(self, lf: pl.LazyFrame, window: Window) -> PerformancePartial:
        """Sufficient statistics of the window rows `lf`."""
        labels = None
        if self.labels is not None:
            labels = self.labels.scan(Window.parse(window.start, datetime(9999, 1, 1, tzinfo=UTC)))
        return performance_partial(
            lf,
            task=self.task,
            prediction=self.prediction,
            label=self.label,
            score=self.score,
            labels=labels,
            id_column=self.id_column,
        )


class Partition(BaseModel):
    """One part of a window's input: some of its files, or every row whose hash falls in it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int = Field(ge=0, description="Which part, from 0.")
    count: int = Field(ge=1, description="How many parts the window was split into.")
    by: PartitionBy
    source: FileSource = Field(description="The files this part reads.")
    hash_column: str | None = Field(
        default=None, description="By hash: the column hashed; none means the row number."
    )

    def scan(self, window: Window) -> pl.LazyFrame:
        """The rows of this part of `window`, lazily."""
        lf = self.source.scan(window)
        if self.by != "hash" or self.count == 1:
            return lf
        if self.hash_column is None:
            lf = lf.with_row_index(_ROW)
            return lf.filter(pl.col(_ROW) % self.count == self.index).drop(_ROW)
        if self.hash_column not in lf.collect_schema():
            raise DataError(f"hash column {self.hash_column!r} is not in {self.source.path}")
        key = pl.col(self.hash_column).hash(seed=0)
        return lf.filter(key % self.count == self.index)


class Partitioning(BaseModel):
    """How to split a window's input for a scaled-out run (see `plan_partitions`).

    Example:
        >>> Partitioning(by="hash", parts=16, hash_column="request_id")
        Partitioning(by='hash', parts=16, hash_column='request_id')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    by: PartitionBy = Field(
        default="file",
        description="file: the window's files balanced over the parts by size; hive: one part "
        "per partition directory; hash: every row by the hash of `hash_column` (or its number).",
    )
    parts: int = Field(default=8, ge=1, description="How many parts (by file and hash).")
    hash_column: str | None = Field(
        default=None, description="By hash: the column to hash; default the row number."
    )

    def plan(self, source: FileSource, window: Window) -> list[Partition]:
        """The partitions of `window`'s input."""
        return plan_partitions(
            source, window, by=self.by, parts=self.parts, hash_column=self.hash_column
        )


def plan_partitions(
    source: FileSource,
    window: Window,
    *,
    by: PartitionBy = "file",
    parts: int = 8,
    hash_column: str | None = None,
) -> list[Partition]:
    """Split `window`'s input into at most `parts` partitions.

    `file` balances the window's files over the parts by size; `hive` makes one part per
    partition directory (`date=2026-11-21/`), whatever `parts` says; `hash` reads every file in
    every part and keeps the rows whose hash of `hash_column` (default: row number) falls in it.

    Raises:
        ConfigError: `parts` < 1, or a by-file plan over object storage (see `window_files`).
    """
    if parts < 1:
        raise ConfigError(f"parts must be at least 1, got {parts}")
    if by == "hash":
        return [
            Partition(index=i, count=parts, by="hash", source=source, hash_column=hash_column)
            for i in range(parts)
        ]
    files = source.window_files(window)
    if not files:  # an empty window is one (empty) part, judged like a single task's
        return [Partition(index=0, count=1, by=by, source=source)]
    groups = _by_directory(files) if by == "hive" else _balanced(files, parts)
    return [
        Partition(
            index=i,
            count=len(groups),
            by=by,
            source=source.model_copy(update={"path": group}),
        )
        for i, group in enumerate(groups)
    ]


def _balanced(files: list[str], parts: int) -> list[list[str]]:
    """Largest file first onto the lightest part; each part keeps its files in path order."""
    groups: list[list[str]] = [[] for _ in range(min(parts, len(files)))]
    loads = [0] * len(groups)
    for path in sorted(files, key=lambda f: (-os.path.getsize(f), f)):
        lightest = loads.index(min(loads))
        loads[lightest] += os.path.getsize(path)
        groups[lightest].append(path)
    return [sorted(group) for group in groups]


def _by_directory(files: list[str]) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for path in files:
        groups.setdefault(os.path.dirname(path), []).append(path)
    return [groups[key] for key in sorted(groups)]


def partial_statistics(
    profile: AnyProfile,
    lf: pl.LazyFrame,
    window: Window,
    performance: PerformanceSpec | None = None,
) -> Partial:
    """The partial of rows `lf` of `window` for `profile` (model performance when given).

    Raises:
        ConfigError: an SPC profile (its subgroups are consecutive rows in time order, so it
            runs as one task), or performance with a profile that is not custom-metric.
    """
    if performance is not None:
        if not isinstance(profile, CustomDriftProfile):
            raise ConfigError(
                f"model performance feeds a custom-metric profile; "
                f"{_key(profile)} is a {profile.drift_type} profile"
            )
        return performance.partial(lf, window)
    kind = kind_of(profile)
    if kind.partial is None:
        raise ConfigError(
            f"{_key(profile)} is a {kind.drift_type!r} profile, which runs as one task, not "
            f"over partitions: {kind.whole or 'it has no partial statistics'}"
        )
    partial: Partial = kind.partial(lf, profile)
    return partial


def merge_partials(partials: Sequence[Partial]) -> Partial:
    """All parts together (any order).

    Raises:
        DataError: no partial, or partials of different kinds.
    """
    if not partials:
        raise DataError("no partial statistics to merge: the plan had no partition")
    kinds = {type(p).__name__ for p in partials}
    if len(kinds) > 1:
        raise DataError(f"cannot merge partial statistics of different kinds: {sorted(kinds)}")
    return reduce(lambda left, right: left.merge(right), partials)  # type: ignore[arg-type]


def finalize(profile: AnyProfile, merged: Partial) -> AnyResult:
    """Judge the merged partial against `profile`.

    A window without rows gives a result with `rows == 0` (stored as a `no_data` run).
    """
    kind = kind_of(profile)
    if isinstance(merged, PerformancePartial) and isinstance(profile, CustomDriftProfile):
        merged = performance_as_custom(merged, profile)
    if kind.finalize is None or not isinstance(merged, kind.partial_model or ()):
        raise ConfigError(
            f"a {type(merged).__name__} cannot be judged against {_key(profile)} "
            f"({profile.drift_type})"
        )
    return kind.finalize(merged, profile)


def partial_to_json(partial: Partial) -> dict[str, Any]:
    """A partial as a JSON-able dict (an XCom), read back by `partial_from_json`."""
    kind = next(k for k, model in _partial_models().items() if isinstance(partial, model))
    return {"kind": kind, "partial": partial.model_dump(mode="json")}


def partial_from_json(data: dict[str, Any] | Partial) -> Partial:
    """The partial `partial_to_json` wrote (a partial is returned as it is)."""
    if not isinstance(data, dict):
        return data
    models = _partial_models()
    model = models.get(str(data.get("kind")))
    if model is None:
        raise DataError(f"not a partial of {sorted(models)}: kind {data.get('kind')!r}")
    partial: Partial = model.model_validate(data["partial"])
    return partial


def _key(profile: AnyProfile) -> str:
    config = profile.config
    return f"{config.space}/{config.name}/{config.version}"
