"""Population Stability Index: baseline bins, window proportions, value and calibrated threshold.

Both the baseline and the window are counted by the same expressions, in one lazy `select` per
pass, so the two sides can never bin a value differently.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from typing import Any

import polars as pl
from pydantic import Field

from scouter_flows.drift.binning import (
    CATEGORICAL_DTYPES,
    edge_exprs,
    edges_from_row,
    quantile_row,
)
from scouter_flows.drift.engine import (
    collect_row,
    is_large,
    partial_in_parts,
    sum_row,
    values_to_show,
)
from scouter_flows.errors import DataError
from scouter_flows.profiles.base import FrozenModel
from scouter_flows.profiles.psi import (
    Correction,
    PsiChiSquareThreshold,
    PsiDriftConfig,
    PsiDriftProfile,
    PsiFeatureProfile,
    PsiFixedThreshold,
    PsiNormalThreshold,
    QuantileBinning,
)
from scouter_flows.profiles.results import FeatureDrift, FeatureStatus, PsiDriftResult
from scouter_flows.progress import progress
from scouter_flows.sources.frames import require_columns

EPSILON = 1e-10
MIN_ROWS_PER_BIN = 10


def create_psi_profile(lf: pl.LazyFrame, config: PsiDriftConfig) -> PsiDriftProfile:
    """Bin the baseline `lf` per `config` and count it.

    Raises:
        DataError: the baseline is empty, a feature is missing, of an unusable dtype, or has no
            finite value to bin.
    """
    schema = lf.collect_schema()
    names = config.features_to_monitor or list(schema.names())
    require_columns(schema, [*names, *config.categorical_features], "baseline")
    unknown = sorted(set(config.feature_importances) - set(names))
    if unknown:
        raise DataError(f"feature_importances name features that are not monitored: {unknown}")
    kinds = {name: _feature_kind(name, schema[name], config) for name in names}

    numeric = [name for name in names if kinds[name] == "numeric"]
    sorts = len(numeric) if isinstance(config.binning, QuantileBinning) else 0
    with progress(
        "PSI profile", 2 + sorts, unit="steps", work=values_to_show(lf, len(names))
    ) as bar:
        large = is_large(lf, len(names))
        groups = [[pl.len().alias("\x00rows")]]
        for name in names:
            if kinds[name] == "numeric":
                groups.append(edge_exprs(name, config.binning))
            else:
                groups.append(
                    [_as_category(name).drop_nulls().unique().sort().implode().alias(name)]
                )
        row = collect_row(lf, groups, large=large)
        bar.advance(doing="read the statistics")
        row.update(quantile_row(lf, numeric, config.binning, large=large))
        rows = int(row["\x00rows"])
        if rows == 0:
            raise DataError("baseline data is empty: a profile needs at least one row")
        shells = _shells(names, kinds, row, config)
        _, counts = _count_bins(lf, shells)
        bar.advance(doing="counted the bins")
    features = {
        name: _drop_empty_bins(shell.model_copy(update={"counts": counts[name]}))
        for name, shell in shells.items()
    }
    return PsiDriftProfile(config=config, features=features, baseline_rows=rows)


def _shells(
    names: list[str], kinds: dict[str, str], row: dict[str, Any], config: PsiDriftConfig
) -> dict[str, PsiFeatureProfile]:
    """Each feature's bins (edges or categories) from the statistics row, with zero counts."""
    shells: dict[str, PsiFeatureProfile] = {}
    for name in names:
        if kinds[name] == "numeric":
            edges = edges_from_row(name, row, config.binning)
            shells[name] = PsiFeatureProfile(
                kind="numeric", edges=edges, counts=[0] * (len(edges) + 2)
            )
        else:
            categories = list(row[name])
            if not categories:
                raise DataError(f"baseline feature {name!r} has only missing values")
            shells[name] = PsiFeatureProfile(
                kind="categorical", categories=categories, counts=[0] * (len(categories) + 2)
            )
    return shells


class PsiPartial(FrozenModel):
    """Bin counts of one part of a window: parts merge exactly, in any order.

    Compute one per file, partition or mapped task, `merge` them, then `finalize_psi_drift`.
    """

    rows: int = Field(ge=0, description="Rows counted.")
    counts: dict[str, list[int]] = Field(description="Rows per profile bin, per feature.")

    def merge(self, other: PsiPartial) -> PsiPartial:
        """The counts of both parts together."""
        if self.counts.keys() != other.counts.keys():
            raise DataError(
                f"cannot merge PSI partials of different features: {sorted(self.counts)} and "
                f"{sorted(other.counts)}"
            )
        return PsiPartial(
            rows=self.rows + other.rows,
            counts={
                name: [a + b for a, b in zip(bins, other.counts[name], strict=True)]
                for name, bins in self.counts.items()
            },
        )


def psi_partial(lf: pl.LazyFrame, profile: PsiDriftProfile) -> PsiPartial:
    """Count `lf` in the profile's bins, in one pass.

    Raises:
        DataError: a profile feature is missing from `lf` or has an incompatible dtype.
    """
    schema = lf.collect_schema()
    require_columns(schema, list(profile.features), "observed data")
    for name, feature in profile.features.items():
        _check_observed_dtype(name, schema[name], feature)
    total, counts = _count_bins(lf, profile.features)
    return PsiPartial(rows=total, counts=counts)


def finalize_psi_drift(partial: PsiPartial, profile: PsiDriftProfile) -> PsiDriftResult:
    """Judge every feature from (merged) bin counts.

    An empty window gives `insufficient_data` for every feature (reported, never skipped).
    With a `correction`, the features judged are one family: their thresholds are set at the
    per-feature level that Holm's or Benjamini-Hochberg's procedure chooses for this window.
    """
    rule = profile.config.threshold
    alpha = None if isinstance(rule, PsiFixedThreshold) else rule.alpha
    features = [
        judge_feature(name, feature, partial.counts[name], profile, alpha)
        for name, feature in profile.features.items()
    ]
    level = _family_level(features, profile, alpha)
    if alpha is not None and level is not None and level != alpha:
        features = [
            f if f.status == "insufficient_data" else rejudge(f, profile, level) for f in features
        ]
    return psi_result(features, profile, partial.rows)


def psi_result(features: list[FeatureDrift], profile: PsiDriftProfile, rows: int) -> PsiDriftResult:
    """The result of judged `features` (a window's, or a stored run's read back): the
    weighted PSI and the family's per-feature level follow from their values and p-values."""
    rule = profile.config.threshold
    alpha = None if isinstance(rule, PsiFixedThreshold) else rule.alpha
    return PsiDriftResult(
        drift_type="psi",
        space=profile.config.space,
        name=profile.config.name,
        version=profile.config.version,
        rows=rows,
        features=features,
        weighted_psi=_weighted_psi(features, profile.config.feature_importances),
        feature_alpha=_family_level(features, profile, alpha),
    )


def _family_level(
    features: list[FeatureDrift], profile: PsiDriftProfile, alpha: float | None
) -> float | None:
    """The per-feature level of the window: `alpha`, or with a correction the level Holm's or
    Benjamini-Hochberg's procedure chooses from the judged features' p-values."""
    if alpha is None or profile.config.correction == "none":
        return alpha
    judged = [f.p_value for f in features if f.status != "insufficient_data"]
    return family_alpha([p for p in judged if p is not None], alpha, profile.config.correction)


def family_alpha(p_values: Sequence[float], alpha: float, correction: Correction) -> float:
    """The per-feature level at which `correction` over `p_values` flags exactly the features
    with p below it: Holm's step-down (family-wise error <= alpha) or Benjamini-Hochberg's
    step-up (false discovery rate <= alpha), as one level so that PSI > threshold stays the rule.

    Holm stops at the first ordered p_(i) > alpha / (k - i + 1): with r flagged, every flagged p
    is at most alpha / (k - r + 1) and every other above alpha / (k - r). BH flags the r smallest,
    r the largest i with p_(i) <= alpha i / k: every other p is above alpha (r + 1) / k.

    Example:
        >>> p = [0.001, 0.03, 0.035, 0.3]
        >>> family_alpha(p, 0.05, "holm")  # 0.03 > 0.05 / 3 stops it: one feature flagged
        0.016666666666666666
        >>> round(family_alpha(p, 0.05, "bh"), 4)  # 0.035 <= 0.05 * 3 / 4: three flagged
        0.0375
    """
    k = len(p_values)
    if correction == "none" or k == 0:
        return alpha
    ordered = sorted(p_values)
    if correction == "holm":
        flagged = next(
            (i for i, p in enumerate(ordered) if p > alpha / (k - i)),
            k,
        )
        return alpha / max(k - flagged, 1)
    flagged = max((i for i, p in enumerate(ordered, start=1) if p <= alpha * i / k), default=0)
    return alpha * max(flagged, 1) / k


def _weighted_psi(features: list[FeatureDrift], weights: dict[str, float]) -> float | None:
    """Sum of w_f * PSI_f over sum of w_f, over the features judged (status not insufficient)."""
    pairs = [
        (weights.get(f.feature, 0.0), f.value)
        for f in features
        if f.value is not None and f.status != "insufficient_data"
    ]
    total = sum(w for w, _ in pairs)
    if not weights or total == 0:
        return None
    return math.fsum(w * v for w, v in pairs) / total


def compute_psi_drift(lf: pl.LazyFrame, profile: PsiDriftProfile) -> PsiDriftResult:
    """Count the window `lf` in the profile's bins and judge every feature."""
    partial = partial_in_parts(
        "PSI drift",
        lf,
        len(profile.features),
        lambda part: psi_partial(part, profile),
        PsiPartial.merge,
    )
    return finalize_psi_drift(partial, profile)


def judge_feature(
    name: str,
    feature: PsiFeatureProfile,
    observed: list[int],
    profile: PsiDriftProfile,
    alpha: float | None = None,
) -> FeatureDrift:
    """PSI, threshold and status of one feature from its observed bin counts (at `alpha`, the
    per-feature level of an alpha threshold)."""
    n = sum(observed)
    expected = feature.proportions()
    effective_bins = sum(1 for p in expected if p > 0)
    if n == 0:
        return FeatureDrift(
            feature=name,
            value=None,
            threshold=None,
            status="insufficient_data",
            observed_rows=0,
            effective_bins=effective_bins,
            missing_rate=None,
        )
    actual = [c / n for c in observed]
    value = psi(expected, actual)
    threshold = psi_threshold(profile, effective_bins, n, feature.rows, alpha)
    status: FeatureStatus
    if n < MIN_ROWS_PER_BIN * effective_bins:
        status = "insufficient_data"
    else:
        status = "drift" if value > threshold else "ok"
    return FeatureDrift(
        feature=name,
        value=value,
        threshold=threshold,
        status=status,
        observed_rows=n,
        effective_bins=effective_bins,
        missing_rate=actual[-1],
        unseen_rate=actual[-2] if feature.kind == "categorical" else None,
        observed_proportions=actual,
        p_value=None
        if alpha is None
        else psi_p_value(profile, value, effective_bins, n, feature.rows),
    )


def rejudge(feature: FeatureDrift, profile: PsiDriftProfile, alpha: float) -> FeatureDrift:
    """`feature` with its threshold and status at another per-feature level."""
    assert feature.value is not None
    baseline_rows = profile.features[feature.feature].rows
    threshold = psi_threshold(
        profile, feature.effective_bins, feature.observed_rows, baseline_rows, alpha
    )
    status: FeatureStatus = "drift" if feature.value > threshold else "ok"
    return feature.model_copy(update={"threshold": threshold, "status": status})


def psi(expected: list[float], actual: list[float]) -> float:
    """Sum over bins of (q - p) * ln((q + eps) / (p + eps)); p baseline, q window."""
    return math.fsum(
        (q - p) * math.log((q + EPSILON) / (p + EPSILON))
        for p, q in zip(expected, actual, strict=True)
    )


def psi_threshold(
    profile: PsiDriftProfile,
    effective_bins: int,
    observed_rows: int,
    baseline_rows: int | None,
    alpha: float | None = None,
) -> float:
    """The drift threshold for one feature (see the threshold classes for the formulas), at
    `alpha` when given, else at the rule's own."""
    rule = profile.config.threshold
    if isinstance(rule, PsiFixedThreshold):
        return rule.threshold
    level = rule.alpha if alpha is None else alpha
    dof = effective_bins - 1
    if dof < 1:
        # One baseline bin: under no drift every window value falls in it and PSI is exactly 0.
        return 0.0
    m = _effective_rows(observed_rows, baseline_rows)
    # scipy.special, not scipy.stats: the same functions (stats.chi2.isf is chdtri, norm.isf
    # is -ndtri), without the seconds importing scipy.stats adds to each fresh task process.
    from scipy import special

    if isinstance(rule, PsiChiSquareThreshold):
        return float(special.chdtri(dof, level)) / m
    assert isinstance(rule, PsiNormalThreshold)
    z = -float(special.ndtri(level))
    return (dof + z * math.sqrt(2.0 * dof)) / m


def psi_p_value(
    profile: PsiDriftProfile,
    value: float,
    effective_bins: int,
    observed_rows: int,
    baseline_rows: int | None,
) -> float:
    """The chance of a PSI of at least `value` without drift, under the profile's alpha rule
    (so that PSI > threshold at alpha exactly when p < alpha)."""
    rule = profile.config.threshold
    dof = effective_bins - 1
    if dof < 1:
        return 0.0 if value > 0 else 1.0
    statistic = value * _effective_rows(observed_rows, baseline_rows)
    from scipy import special  # norm.sf is ndtr(-x), chi2.sf is chdtrc

    if isinstance(rule, PsiNormalThreshold):
        return float(special.ndtr(-(statistic - dof) / math.sqrt(2.0 * dof)))
    return float(special.chdtrc(dof, statistic))


def _effective_rows(observed_rows: int, baseline_rows: int | None) -> float:
    """M with 1/M = 1/N + 1/M0: the variance of PSI counts both samples. An unknown baseline
    size (a profile from Scouter) counts the window only, as Scouter does."""
    if baseline_rows is None:
        return float(observed_rows)
    return 1.0 / (1.0 / observed_rows + 1.0 / baseline_rows)


def _drop_empty_bins(feature: PsiFeatureProfile) -> PsiFeatureProfile:
    """Merge value bins with no baseline row into a neighbour.

    Interpolated quantiles of tied data can leave a bin such as (0, 0.3] empty; a window value
    falling there would add about q * 23 to the PSI for no reason.
    """
    if feature.kind != "numeric" or feature.counts is None:
        return feature
    counts = feature.counts
    if sum(1 for c in counts[:-1] if c) == 1:
        # All baseline values in one bin (a constant): its empty neighbours stay, so any
        # value off it is seen (the threshold counts only bins with mass: 0 here).
        return feature
    edges, values = list(feature.edges), list(counts[:-1])
    while len(values) > 1 and 0 in values:
        empty = values.index(0)
        del edges[empty if empty < len(edges) else empty - 1]
        del values[empty]
    return feature.model_copy(update={"edges": edges, "counts": [*values, counts[-1]]})


FUSED_CATEGORIES = 64
"""Up to this many categories a feature is counted by fused comparisons in the one streamed
pass; beyond, by a group-by of its own (linear in rows, whatever the number of categories)."""


def _count_bins(
    lf: pl.LazyFrame, features: dict[str, PsiFeatureProfile]
) -> tuple[int, dict[str, list[int]]]:
    """The row count of `lf` and its rows per bin for every feature, in one streamed pass (and
    one more per categorical feature with many categories)."""
    wide = {
        name
        for name, feature in features.items()
        if feature.kind == "categorical" and len(feature.categories) > FUSED_CATEGORIES
    }
    exprs: list[pl.Expr] = [pl.len().alias("\x00rows")]
    for name, feature in features.items():
        if name not in wide:
            exprs.extend(_bin_count_exprs(name, feature))
    row = sum_row(lf, exprs)
    total = int(row["\x00rows"])
    out: dict[str, list[int]] = {}
    for name, feature in features.items():
        if name in wide:
            out[name] = _category_counts(lf, name, feature.categories, total)
            continue
        missing = int(row[f"{name}\x00missing"])
        present = total - missing
        if feature.kind == "numeric":
            cumulative = [int(row[f"{name}\x00le{i}"]) for i in range(len(feature.edges))]
            bounds = [0, *cumulative, present]
            values = [hi - lo for lo, hi in itertools.pairwise(bounds)]
        else:
            values = [int(row[f"{name}\x00eq{i}"]) for i in range(len(feature.categories))]
            values.append(present - sum(values))
        out[name] = [*values, missing]
    return total, out


def _category_counts(lf: pl.LazyFrame, name: str, categories: list[str], total: int) -> list[int]:
    """Rows per category of `categories`, then the other values, then missing: a group-by."""
    column = _as_category(name)
    grouped = lf.group_by(column.alias("value")).agg(pl.len().alias("rows"))
    found = dict(grouped.collect(engine="streaming").iter_rows())
    missing = int(found.pop(None, 0))
    values = [int(found.get(category, 0)) for category in categories]
    return [*values, total - missing - sum(values), missing]


def _bin_count_exprs(name: str, feature: PsiFeatureProfile) -> list[pl.Expr]:
    key = (name, feature.kind, tuple(feature.edges or ()), tuple(feature.categories or ()))
    return _cached_bin_count_exprs(*key)


@functools.lru_cache(maxsize=4096)
def _cached_bin_count_exprs(
    name: str, kind: str, edges: tuple[float, ...], categories: tuple[str, ...]
) -> list[pl.Expr]:
    """The counting expressions of one feature's bins, built once per profile feature: a
    window's drift then spends its time counting, not building a hundred expressions."""
    col = pl.col(name)
    if kind == "numeric":
        # NaN compares greater than every number and null compares to null, so neither is
        # counted at any edge; -inf falls in the first bin and +inf in the last.
        missing = col.null_count() + col.is_nan().sum()
        return [
            missing.alias(f"{name}\x00missing"),
            *((col <= edge).sum().alias(f"{name}\x00le{i}") for i, edge in enumerate(edges)),
        ]
    category = _as_category(name)
    return [
        category.null_count().alias(f"{name}\x00missing"),
        *(
            (category == value).sum().alias(f"{name}\x00eq{i}")
            for i, value in enumerate(categories)
        ),
    ]


def _as_category(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String)


def _feature_kind(name: str, dtype: pl.DataType, config: PsiDriftConfig) -> str:
    if name in config.categorical_features or isinstance(dtype, CATEGORICAL_DTYPES):
        return "categorical"
    if dtype.is_numeric():
        return "numeric"
    raise DataError(
        f"baseline feature {name!r} has dtype {dtype}, which PSI cannot bin: expected a numeric, "
        "string, categorical or boolean column (or leave it out of features_to_monitor)"
    )


def _check_observed_dtype(name: str, dtype: pl.DataType, feature: PsiFeatureProfile) -> None:
    if feature.kind == "numeric" and not dtype.is_numeric():
        raise DataError(
            f"observed feature {name!r} has dtype {dtype}, but the profile bins it as numeric"
        )
