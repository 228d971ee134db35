"""The registry of drift kinds: what every dispatch on the kind of a profile reads.

A kind ties together its config, profile and result models (in `scouter_flows.profiles`) and
its kernels (in its own module of `scouter_flows.drift`). The result model carries the rest:
the rows the store keeps (`stored_in`, `stored_rows`), what raises an alert (`breaches`) and
the run table (`table_rows`). `Drifter`, the store, the partitioned runs, the tasks, the alert
rules and the Prefect artifacts look a kind up here instead of testing types, so a new kind is
its models, its kernel module and one `register_kind` call below.

Example:
    >>> kind_of("psi").profile.__name__, kind_of("spc").partitioned
    ('PsiDriftProfile', False)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from scouter_flows.drift.custom import (
    CustomPartial,
    compute_custom_drift,
    create_custom_profile,
    custom_partial,
    finalize_custom_drift,
)
from scouter_flows.drift.performance import PerformancePartial
from scouter_flows.drift.psi import (
    PsiPartial,
    compute_psi_drift,
    create_psi_profile,
    finalize_psi_drift,
    psi_partial,
)
from scouter_flows.drift.spc import compute_spc_drift, create_spc_profile
from scouter_flows.errors import ConfigError
from scouter_flows.profiles.custom import CustomDriftProfile, CustomMetric, CustomMetricDriftConfig
from scouter_flows.profiles.psi import PsiDriftConfig, PsiDriftProfile
from scouter_flows.profiles.results import (
    AnyResult,
    CustomDriftResult,
    PsiDriftResult,
    SpcDriftResult,
)
from scouter_flows.profiles.spc import SpcDriftConfig, SpcDriftProfile
from scouter_flows.sources.frames import to_lazyframe

AnyProfile = PsiDriftProfile | SpcDriftProfile | CustomDriftProfile
"""A drift profile of any registered kind."""
AnyConfig = PsiDriftConfig | SpcDriftConfig | CustomMetricDriftConfig
"""A drift config of any registered kind."""
Partial = PsiPartial | CustomPartial | PerformancePartial
"""Mergeable statistics of part of a window: a splittable kind's, or model performance's."""
CarryOver = dict[str, Sequence[float]] | None
"""SPC's last subgroup means of the previous window, per feature."""


@dataclass(frozen=True)
class DriftKind:
    """One kind of drift: its models and kernels.

    Attributes:
        drift_type: The name profiles, runs and the store know the kind by.
        config: The config model (`Drifter.create_drift_profile` dispatches on it).
        profile: The profile model (`Drifter.compute_drift` and the store dispatch on it).
        result: The result model; its `stored_rows`, `breaches` and `table_rows` serve the
            store, the alerts and the run table.
        create: Build a profile from baseline data (anything `to_lazyframe` reads, or the
            kind's own input) and a config.
        compute: Judge one window's rows against a profile.
        partial: The mergeable statistics of a part of a window; None when the kind cannot be
            split (SPC subgroups are consecutive rows in time order).
        finalize: Judge merged partials against a profile (with `partial`).
        partial_model: The partial's model, to read one back from JSON (with `partial`).
        whole: Why a kind without `partial` runs as one task (said when a split is asked).
    """

    drift_type: str
    config: type[Any]
    profile: type[Any]
    result: type[AnyResult]
    create: Callable[[Any, Any], Any]
    compute: Callable[[pl.LazyFrame, Any, CarryOver], AnyResult]
    partial: Callable[[pl.LazyFrame, Any], Any] | None = None
    finalize: Callable[[Any, Any], AnyResult] | None = None
    partial_model: type[Any] | None = None
    whole: str = ""

    @property
    def partitioned(self) -> bool:
        """Whether a window of this kind can be split into partitions and merged."""
        return self.partial is not None


def _custom_metrics(data: Any, config: CustomMetricDriftConfig) -> CustomDriftProfile:
    return create_custom_profile([data] if isinstance(data, CustomMetric) else list(data), config)


def register_kind(kind: DriftKind) -> DriftKind:
    """Add a drift kind: `Drifter`, the store, partitioned runs, alerts and the run table then
    handle its configs, profiles and results.

    Raises:
        ConfigError: another kind has that `drift_type`, or the profile model's `drift_type`
            default is not the kind's.
    """
    if kind.drift_type in KINDS or kind.drift_type == "genai":
        raise ConfigError(f"drift kind {kind.drift_type!r} is already registered")
    declared = kind.profile.model_fields["drift_type"].default
    if declared != kind.drift_type:
        raise ConfigError(
            f"{kind.profile.__name__}.drift_type defaults to {declared!r}, "
            f"not the kind's {kind.drift_type!r}"
        )
    KINDS[kind.drift_type] = kind
    PROFILE_TYPES[kind.drift_type] = kind.profile
    return kind


KINDS: dict[str, DriftKind] = {}
"""Every drift kind by drift type, in the order error messages list them."""
PROFILE_TYPES: dict[str, type[Any]] = {}
"""Profile model by drift type."""

register_kind(
    DriftKind(
        drift_type="psi",
        config=PsiDriftConfig,
        profile=PsiDriftProfile,
        result=PsiDriftResult,
        create=lambda data, config: create_psi_profile(to_lazyframe(data), config),
        compute=lambda lf, profile, _: compute_psi_drift(lf, profile),
        partial=psi_partial,
        finalize=finalize_psi_drift,
        partial_model=PsiPartial,
    )
)
register_kind(
    DriftKind(
        drift_type="spc",
        config=SpcDriftConfig,
        profile=SpcDriftProfile,
        result=SpcDriftResult,
        create=lambda data, config: create_spc_profile(to_lazyframe(data), config),
        compute=compute_spc_drift,
        whole="its subgroups are consecutive rows in time order",
    )
)
register_kind(
    DriftKind(
        drift_type="custom",
        config=CustomMetricDriftConfig,
        profile=CustomDriftProfile,
        result=CustomDriftResult,
        create=_custom_metrics,
        compute=lambda lf, profile, _: compute_custom_drift(lf, profile),
        partial=custom_partial,
        finalize=finalize_custom_drift,
        partial_model=CustomPartial,
    )
)


def kind_of(item: str | object) -> DriftKind:
    """The kind of a drift type, config, profile or result.

    Raises:
        ConfigError: `item` is of no registered kind (the message lists the known ones).

    Example:
        >>> kind_of(PsiDriftConfig(space="s", name="m")).drift_type
        'psi'
    """
    if isinstance(item, str) and item in KINDS:
        return KINDS[item]
    for kind in KINDS.values():
        if isinstance(item, kind.config | kind.profile | kind.result):
            return kind
    what = repr(item) if isinstance(item, str) else type(item).__name__
    raise ConfigError(
        f"unsupported drift kind {what}: expected one of {', '.join(KINDS)} "
        f"(a {' / '.join(k.config.__name__ for k in KINDS.values())}, or its profile or result)"
    )
