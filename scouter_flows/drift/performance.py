"""Model performance from prediction, label and score columns, through mergeable partials.

Classification keeps a confusion table (and, with scores, positives and negatives per distinct
score, so ROC AUC merges exactly); regression keeps sums of errors. Labels may arrive in a
separate frame, joined on an id column.
"""

from __future__ import annotations

import math
from collections import defaultdict
from fractions import Fraction
from typing import Literal, TypedDict, Unpack

import polars as pl
from pydantic import Field

from scouter_flows.drift.custom import CustomPartial
from scouter_flows.errors import ConfigError, DataError
from scouter_flows.profiles.base import FrozenModel
from scouter_flows.profiles.custom import CustomDriftProfile
from scouter_flows.sources.frames import DataLike, require_columns, to_lazyframe

Task = Literal["binary", "multiclass", "regression"]
_LOG_LOSS_EPS = 1e-15


class PerformanceColumns(TypedDict, total=False):
    """Where predictions, labels and scores are (see `performance_partial`)."""

    prediction: str
    label: str
    score: str | None
    labels: DataLike | None
    id_column: str | None


class PerformancePartial(FrozenModel):
    """Sufficient statistics of one part of a window; parts of the same task merge exactly."""

    task: Task
    rows: int = Field(description="Rows with both a prediction and a label.")
    unlabelled: int = Field(default=0, description="Predictions without a label (left out).")
    confusion: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="label -> prediction -> count."
    )
    scores: dict[float, tuple[int, int]] = Field(
        default_factory=dict, description="score -> (positives, negatives), binary only."
    )
    log_loss_sum: float | None = None
    abs_error_sum: float = 0.0
    sq_error_sum: float = 0.0
    abs_pct_error_sum: float = 0.0
    label_sum: float = 0.0
    label_sq_sum: float = 0.0

    def merge(self, other: PerformancePartial) -> PerformancePartial:
        """Both parts together."""
        if self.task != other.task:
            raise DataError(f"cannot merge a {self.task} partial with a {other.task} partial")
        confusion: dict[str, dict[str, int]] = defaultdict(dict)
        for table in (self.confusion, other.confusion):
            for label, row in table.items():
                for pred, count in row.items():
                    confusion[label][pred] = confusion[label].get(pred, 0) + count
        scores = dict(self.scores)
        for score, (pos, neg) in other.scores.items():
            old = scores.get(score, (0, 0))
            scores[score] = (old[0] + pos, old[1] + neg)
        log_loss = (
            None
            if self.log_loss_sum is None or other.log_loss_sum is None
            else self.log_loss_sum + other.log_loss_sum
        )
        return PerformancePartial(
            task=self.task,
            rows=self.rows + other.rows,
            unlabelled=self.unlabelled + other.unlabelled,
            confusion=dict(confusion),
            scores=scores,
            log_loss_sum=log_loss,
            abs_error_sum=self.abs_error_sum + other.abs_error_sum,
            sq_error_sum=self.sq_error_sum + other.sq_error_sum,
            abs_pct_error_sum=self.abs_pct_error_sum + other.abs_pct_error_sum,
            label_sum=self.label_sum + other.label_sum,
            label_sq_sum=self.label_sq_sum + other.label_sq_sum,
        )


def performance_partial(
    data: DataLike,
    *,
    task: Task,
    prediction: str = "prediction",
    label: str = "label",
    score: str | None = None,
    labels: DataLike | None = None,
    id_column: str | None = None,
) -> PerformancePartial:
    """Sufficient statistics of `data` for `task`.

    Args:
        data: Predictions (and labels, unless `labels` is given).
        task: `binary` (labels 0/1 or bool), `multiclass` or `regression`.
        prediction: Column of predicted labels or values.
        label: Column of true labels or values.
        score: Binary only: column of predicted probabilities of class 1 (ROC AUC, log loss).
        labels: Late-arriving ground truth, joined to `data` on `id_column`.
        id_column: The join key when `labels` is given.

    Raises:
        DataError: a column is missing, a binary label is not 0/1, or a score is outside [0, 1].
    """
    lf = to_lazyframe(data)
    if labels is not None:
        if id_column is None:
            raise ConfigError("labels given in a separate frame need id_column to join on")
        truth = to_lazyframe(labels)
        require_columns(truth.collect_schema(), [id_column, label], "labels")
        require_columns(lf.collect_schema(), [id_column, prediction], "predictions")
        lf = lf.drop(label, strict=False).join(
            truth.select(id_column, label), on=id_column, how="left"
        )
    require_columns(lf.collect_schema(), [c for c in (prediction, label, score) if c], "data")
    total = lf.select(pl.len()).collect().item()
    lf = lf.filter(pl.col(label).is_not_null() & pl.col(prediction).is_not_null())
    if task == "regression":
        frame = lf.select(
            y=pl.col(label).cast(pl.Float64), p=pl.col(prediction).cast(pl.Float64)
        ).collect(engine="in-memory")
        e = frame["p"] - frame["y"]
        y = frame["y"]
        with_zero = y.abs() == 0
        return PerformancePartial(
            task=task,
            rows=frame.height,
            unlabelled=total - frame.height,
            abs_error_sum=float(e.abs().sum()),
            sq_error_sum=float((e * e).sum()),
            abs_pct_error_sum=float((e.abs() / y.abs()).filter(~with_zero).sum())
            if frame.height
            else 0.0,
            label_sum=float(y.sum()),
            label_sq_sum=float((y * y).sum()),
        )
    cols = [pl.col(label).cast(pl.String).alias("y"), pl.col(prediction).cast(pl.String).alias("p")]
    if score is not None:
        if task != "binary":
            raise ConfigError("score is supported for binary tasks only")
        cols.append(pl.col(score).cast(pl.Float64).alias("s"))
    frame = lf.select(cols).collect(engine="in-memory")
    if task == "binary":
        frame = _binary_labels(frame, label, prediction)
    confusion: dict[str, dict[str, int]] = defaultdict(dict)
    for y_value, p_value, count in frame.group_by("y", "p").len().iter_rows():
        confusion[y_value][p_value] = count
    scores: dict[float, tuple[int, int]] = {}
    log_loss_sum = None
    if score is not None:
        s = frame["s"]
        if s.is_null().any() or ((s < 0) | (s > 1)).any():
            raise DataError(f"score column {score!r} must hold probabilities in [0, 1]")
        grouped = frame.group_by("s").agg(
            (pl.col("y") == "1").sum().alias("pos"), (pl.col("y") == "0").sum().alias("neg")
        )
        scores = {row[0]: (row[1], row[2]) for row in grouped.iter_rows()}
        clipped = s.clip(_LOG_LOSS_EPS, 1 - _LOG_LOSS_EPS)
        positive = frame["y"] == "1"
        log_loss_sum = -(
            float(clipped.log().filter(positive).sum())
            + float((1 - clipped).log().filter(~positive).sum())
        )
    return PerformancePartial(
        task=task,
        rows=frame.height,
        unlabelled=total - frame.height,
        confusion=dict(confusion),
        scores=scores,
        log_loss_sum=log_loss_sum,
    )


def finalize_performance(partial: PerformancePartial) -> dict[str, float | None]:
    """The metrics of (merged) statistics; a metric undefined for the data is None."""
    n = partial.rows
    if partial.task == "regression":
        if n == 0:
            return dict.fromkeys(("mae", "mse", "rmse", "mape", "r2"))
        mse = partial.sq_error_sum / n
        sst = partial.label_sq_sum - partial.label_sum**2 / n
        return {
            "mae": partial.abs_error_sum / n,
            "mse": mse,
            "rmse": math.sqrt(mse),
            "mape": partial.abs_pct_error_sum / n,
            "r2": 1 - partial.sq_error_sum / sst if sst > 0 else None,
        }
    classes = sorted(set(partial.confusion) | {p for r in partial.confusion.values() for p in r})
    cell = {(y, p): c for y, r in partial.confusion.items() for p, c in r.items()}
    correct = sum(cell.get((k, k), 0) for k in classes)
    metrics: dict[str, float | None] = {"accuracy": correct / n if n else None}
    positives = ["1"] if partial.task == "binary" else classes
    per_class = [_precision_recall_f1(k, classes, cell) for k in positives]
    for i, metric in enumerate(("precision", "recall", "f1")):
        values = [v[i] for v in per_class]
        metrics[metric] = sum(values) / len(values) if values else None
    if partial.task == "binary":
        metrics["roc_auc"] = _roc_auc(partial.scores) if partial.scores else None
        metrics["log_loss"] = (
            partial.log_loss_sum / n if partial.log_loss_sum is not None and n else None
        )
    return metrics


def compute_performance(
    data: DataLike, *, task: Task, **columns: Unpack[PerformanceColumns]
) -> dict[str, float | None]:
    """The metrics of `data` in one call (the arguments are those of `performance_partial`).

    Example:
        >>> compute_performance({"prediction": [1, 0, 1], "label": [1, 0, 0]}, task="binary")
        {'accuracy': 0.666..., 'precision': 0.5, 'recall': 1.0, 'f1': 0.666..., ...}
    """
    partial = performance_partial(data, task=task, **columns)
    return finalize_performance(partial)


def _precision_recall_f1(
    k: str, classes: list[str], cell: dict[tuple[str, str], int]
) -> tuple[float, float, float]:
    tp = cell.get((k, k), 0)
    predicted = sum(cell.get((y, k), 0) for y in classes)
    actual = sum(cell.get((k, p), 0) for p in classes)
    precision = tp / predicted if predicted else 0.0
    recall = tp / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _roc_auc(scores: dict[float, tuple[int, int]]) -> float | None:
    """P(score of a positive > score of a negative), ties counting one half."""
    total_pos = sum(p for p, _ in scores.values())
    total_neg = sum(n for _, n in scores.values())
    if total_pos == 0 or total_neg == 0:
        return None
    below = 0  # negatives with a lower score than the current one
    wins = 0.0
    for score in sorted(scores):
        pos, neg = scores[score]
        wins += pos * (below + 0.5 * neg)
        below += neg
    return wins / (total_pos * total_neg)


def _binary_labels(frame: pl.DataFrame, label: str, prediction: str) -> pl.DataFrame:
    mapping = {"true": "1", "false": "0", "1": "1", "0": "0", "1.0": "1", "0.0": "0"}
    out = frame.with_columns(
        pl.col("y").str.to_lowercase().replace_strict(mapping, default=None),
        pl.col("p").str.to_lowercase().replace_strict(mapping, default=None),
    )
    for column, name in (("y", label), ("p", prediction)):
        bad = frame.filter(out[column].is_null())[column].unique().head(3).to_list()
        if bad:
            raise DataError(f"binary column {name!r} must hold 0/1 or true/false; found {bad}")
    return out


def performance_as_custom(
    partial: PerformancePartial, profile: CustomDriftProfile
) -> CustomPartial:
    """Feed performance metrics to a custom-metric profile whose metric names are metric keys.

    Each metric counts as observed once per labelled row, so the profile's `sample_size` is the
    minimum number of labelled rows; an undefined metric counts as not observed.

    Raises:
        DataError: the profile names a metric this task does not produce.
    """
    values = finalize_performance(partial)
    unknown = sorted(set(profile.metrics) - set(values))
    if unknown:
        raise DataError(
            f"a {partial.task} task produces {sorted(values)}; the profile also names {unknown}"
        )
    counts = {m: partial.rows if values[m] is not None else 0 for m in profile.metrics}
    # Exact, so the window mean is the metric's value itself.
    sums = {m: Fraction(values[m] or 0.0) * counts[m] for m in profile.metrics}
    return CustomPartial(counts=counts, sums=sums, rows=partial.rows)
