"""PSI configuration and profile models.

Differs from Scouter on purpose: tied quantile edges are merged (no empty bins), every feature has
a `missing` bin and categorical features an `other` bin, and thresholds account for the baseline
size as well as the window size.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import AliasChoices, Field, FiniteFloat, TypeAdapter, field_validator, model_validator

from scouter_flows import limits
from scouter_flows.profiles.alerting import (
    PsiAlertConfig,
    PsiChiSquareThreshold,
    PsiFixedThreshold,
    PsiNormalThreshold,
    PsiThreshold,
)
from scouter_flows.profiles.base import (
    DriftProfileBase,
    FrozenModel,
    OmitsUnset,
    ProfileIdentity,
    ScouterKind,
    ScouterLayout,
    ScouterOrigin,
)
from scouter_flows.profiles.scouter_json import (
    psi_bins_to_scouter,
    psi_config_from_scouter,
    psi_from_scouter,
    psi_to_scouter,
)

__all__ = [
    "PsiAlertConfig",
    "PsiChiSquareThreshold",
    "PsiDriftConfig",
    "PsiDriftProfile",
    "PsiFeatureProfile",
    "PsiFixedThreshold",
    "PsiNormalThreshold",
    "PsiThreshold",
]

_THRESHOLD: TypeAdapter[Any] = TypeAdapter(PsiThreshold)
OTHER_BIN = "other"
MISSING_BIN = "missing"


class QuantileBinning(FrozenModel):
    """Inner edges at the baseline quantiles k/B, k = 1..B-1 (linear interpolation, R-7)."""

    kind: Literal["quantile"] = "quantile"
    num_bins: int = Field(default=10, ge=2, le=1000, description="Number of bins before merging.")


class Manual(FrozenModel):
    """A fixed number of equal-width bins."""

    kind: Literal["manual"] = "manual"
    num_bins: int = Field(default=10, ge=2, le=1000, description="Number of bins.")


class SquareRoot(FrozenModel):
    """k = ceil(sqrt(n))."""

    kind: Literal["square_root"] = "square_root"


class Sturges(FrozenModel):
    """k = ceil(log2 n) + 1."""

    kind: Literal["sturges"] = "sturges"


class Rice(FrozenModel):
    """k = ceil(2 n^(1/3))."""

    kind: Literal["rice"] = "rice"


class Doane(FrozenModel):
    """k = round(1 + log2 n + log2(1 + |g1| / sigma_g1)), g1 the population skewness."""

    kind: Literal["doane"] = "doane"


class Scott(FrozenModel):
    """k = ceil(range / (3.49 sigma n^(-1/3)))."""

    kind: Literal["scott"] = "scott"


class TerrellScott(FrozenModel):
    """k = round((2n)^(1/3))."""

    kind: Literal["terrell_scott"] = "terrell_scott"


class FreedmanDiaconis(FrozenModel):
    """k = ceil(range / (2 IQR n^(-1/3))), IQR from order statistics without interpolation."""

    kind: Literal["freedman_diaconis"] = "freedman_diaconis"


EqualWidthMethod = Annotated[
    Manual | SquareRoot | Sturges | Rice | Doane | Scott | TerrellScott | FreedmanDiaconis,
    Field(discriminator="kind"),
]


class EqualWidthBinning(FrozenModel):
    """Equal-width bins over the baseline's [min, max]; the method sets how many."""

    kind: Literal["equal_width"] = "equal_width"
    method: EqualWidthMethod = Field(default_factory=Doane, description="Rule for the bin count.")


PsiBinning = Annotated[QuantileBinning | EqualWidthBinning, Field(discriminator="kind")]


Correction = Literal["none", "holm", "bh"]
"""How a profile's per-feature alpha is adjusted for the number of features judged."""


class PsiDriftConfig(ProfileIdentity):
    """How a PSI profile is built and judged.

    Example:
        >>> PsiDriftConfig(space="fraud", name="scorer", categorical_features=["country"])
        PsiDriftConfig(space='fraud', name='scorer', version='0.1.0', ...)
    """

    @classmethod
    def from_scouter_config(cls, data: dict[str, Any]) -> dict[str, Any]:
        """This package's layout of a decoded Scouter config of this kind."""
        return psi_config_from_scouter(data)

    features_to_monitor: list[str] = Field(
        default_factory=list, description="Features to monitor; empty means every column."
    )
    categorical_features: list[str] = Field(
        default_factory=list,
        description="Features binned by category (string, categorical, bool always are).",
    )
    binning: PsiBinning = Field(
        default_factory=QuantileBinning,
        validation_alias=AliasChoices("binning", "binning_strategy"),
        description="How numeric features are binned (Scouter's name: binning_strategy).",
    )

    @property
    def binning_strategy(self) -> PsiBinning:
        """Scouter's name of `binning`."""
        return self.binning

    threshold: PsiThreshold = Field(
        default_factory=PsiChiSquareThreshold, description="When a PSI value counts as drift."
    )
    correction: Correction = Field(
        default="none",
        description="Family-wise control over the profile's features: `none` (alpha per "
        "feature), `holm` (at most alpha chance of any false alarm in a clean window) or `bh` "
        "(Benjamini-Hochberg: at most alpha of the flagged features false, on average).",
    )
    feature_importances: dict[str, float] = Field(
        default_factory=dict,
        description="Optional non-negative weights for an importance-weighted overall PSI.",
    )
    alert_config: PsiAlertConfig = Field(
        default_factory=PsiAlertConfig, description="Schedule and alert destinations."
    )

    @model_validator(mode="before")
    @classmethod
    def _threshold_from_alert_config(cls, data: Any) -> Any:
        # Scouter keeps the threshold in PsiAlertConfig(threshold=...): take it from there.
        if not isinstance(data, dict):
            return data
        alert = data.get("alert_config")
        given = (
            alert.get("threshold") if isinstance(alert, dict) else getattr(alert, "threshold", None)
        )
        if given is None:
            return data
        threshold = _THRESHOLD.validate_python(given)
        if "threshold" in data and _THRESHOLD.validate_python(data["threshold"]) != threshold:
            raise ValueError(
                f"two thresholds: threshold={data['threshold']!r} and "
                f"alert_config.threshold={given!r}; give one"
            )
        return {**data, "threshold": threshold}

    @field_validator("feature_importances")
    @classmethod
    def _check_importances(cls, weights: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in weights.items() if not v >= 0 or v == float("inf")}
        if bad:
            raise ValueError(f"feature_importances must be finite and >= 0; got {bad}")
        if weights and sum(weights.values()) == 0:
            raise ValueError("feature_importances must not all be 0")
        return weights

    @model_validator(mode="after")
    def _correction_needs_alpha(self) -> PsiDriftConfig:
        if self.correction != "none" and isinstance(self.threshold, PsiFixedThreshold):
            raise ValueError(
                f"correction={self.correction!r} needs a threshold with an alpha (chi_square or "
                "normal); a fixed threshold has no false-alarm rate to correct"
            )
        return self

    @field_validator("features_to_monitor", "categorical_features")
    @classmethod
    def _no_duplicates(cls, names: list[str]) -> list[str]:
        repeated = sorted(n for n, k in Counter(names).items() if k > 1)
        if repeated:
            raise ValueError(f"duplicate feature names: {repeated}")
        return names


class PsiBin(NamedTuple):
    """One baseline bin in Scouter's terms (Scouter's `Bin`)."""

    id: int
    lower_limit: float | None
    upper_limit: float | None
    proportion: float


def _limit(value: float | str | None) -> float | None:
    return None if value is None else float(value)


class PsiFeatureProfile(FrozenModel, OmitsUnset):
    """Baseline bins of one feature.

    Numeric: `counts` has len(edges) + 1 value bins `(lower, upper]` (outer bins open to +/-inf),
    then `missing`. Categorical: one bin per category, then `other` (0 at baseline), then `missing`.
    A feature read from Scouter's JSON has `baseline_proportions` instead of `counts` (Scouter
    keeps no counts).
    """

    _omit_when_none = ("counts", "baseline_proportions")

    kind: Literal["numeric", "categorical"]
    edges: list[FiniteFloat] = Field(
        default_factory=list, description="Inner bin edges, finite and increasing."
    )
    categories: list[str] = Field(default_factory=list, description="Baseline categories.")
    counts: list[int] | None = Field(
        default=None, description="Baseline row count per bin, missing bin last."
    )
    baseline_proportions: list[FiniteFloat] | None = Field(
        default=None,
        description="Baseline share per bin, missing bin last, where the counts are unknown.",
    )

    @model_validator(mode="after")
    def _check_shape(self) -> PsiFeatureProfile:
        if (self.counts is None) == (self.baseline_proportions is None):
            raise ValueError("give exactly one of counts and baseline_proportions")
        field = "counts" if self.counts is not None else "baseline_proportions"
        values: list[float] = list(self.counts or self.baseline_proportions or [])
        expected = len(self.bin_labels())
        if len(values) != expected:
            raise ValueError(f"{field} has {len(values)} entries, expected {expected}")
        if any(b <= a for a, b in zip(self.edges, self.edges[1:], strict=False)):
            raise ValueError("edges must be strictly increasing")
        if any(c < 0 for c in values):
            raise ValueError(f"{field} must be non-negative")
        if self.baseline_proportions is not None and abs(math.fsum(values) - 1) > 1e-6:
            raise ValueError(f"baseline_proportions sum to {math.fsum(values)!r}, not 1")
        return self

    def bin_labels(self) -> list[str]:
        """Human-readable bin names, in the order of `counts`."""
        if self.kind == "categorical":
            return [*self.categories, OTHER_BIN, MISSING_BIN]
        bounds = ["-inf", *(repr(e) for e in self.edges), "inf"]
        ranges = [f"({lo}, {hi}]" for lo, hi in itertools.pairwise(bounds)]
        return [*ranges, MISSING_BIN]

    @property
    def rows(self) -> int | None:
        """Baseline rows of this feature (every bin, missing included); None if unknown."""
        return None if self.counts is None else sum(self.counts)

    @property
    def bins(self) -> list[PsiBin]:
        """Scouter's view of the bins, as `to_scouter_json` writes them: ids from 1 (numeric) or
        0 (categories, in `categories` order), limits (None for categories) and proportions
        over the non-missing baseline.

        Example:
            >>> f = PsiFeatureProfile(kind="numeric", edges=[1.0], counts=[2, 2, 0])
            >>> [(b.id, b.lower_limit, b.upper_limit, b.proportion) for b in f.bins]
            [(1, -inf, 1.0, 0.5), (2, 1.0, inf, 0.5)]
        """
        rows, _ = psi_bins_to_scouter(self.model_dump(mode="json"))
        return [
            PsiBin(b["id"], _limit(b["lower_limit"]), _limit(b["upper_limit"]), b["proportion"])
            for b in rows
        ]

    def proportions(self) -> list[float]:
        """Baseline proportion per bin; they sum to 1."""
        if self.counts is None:
            return list(self.baseline_proportions or [])
        total = sum(self.counts)
        return [c / total for c in self.counts]


class PsiDriftProfile(DriftProfileBase, ScouterKind):
    """A PSI drift profile: config plus baseline bins per monitored feature.

    Reads Scouter's PSI profile JSON as well as this package's (`from_file`,
    `model_validate_json`, a flow's `profile=`); `to_scouter_json()` writes Scouter's.
    """

    _built_from = frozenset({"features_to_monitor", "categorical_features", "binning"})

    scouter_layout = ScouterLayout(psi_from_scouter, psi_to_scouter)

    drift_type: Literal["psi"] = "psi"
    config: PsiDriftConfig
    features: dict[str, PsiFeatureProfile] = Field(description="Baseline bins per feature.")
    baseline_rows: int | None = Field(
        gt=0, description="Rows in the baseline; None when unknown (a profile from Scouter)."
    )
    scouter: ScouterOrigin | None = None

    @field_validator("features")
    @classmethod
    def _check_features_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        limits.check_texts(value, limits.FEATURE, "feature")
        return value
