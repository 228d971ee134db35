"""Drift runs (PSI, SPC, custom metrics) and their per-feature or per-metric results."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl
import sqlalchemy as sa

from scouter_flows.alerts.records import WINDOW_ENTITY, AlertPolicy, AlertRecord
from scouter_flows.errors import StoreError
from scouter_flows.profiles.results import OUT_OF_BOUNDS_SE, AnyResult
from scouter_flows.sqla import Select
from scouter_flows.store import schema
from scouter_flows.store.connection import StoreConnection
from scouter_flows.store.outbox import upsert_run, write_alerts
from scouter_flows.store.records import RunWritten
from scouter_flows.window import Window

SPC_LIMIT = OUT_OF_BOUNDS_SE
"""The rule string's out-of-bounds limit; an SPC feature stores its largest |z| as its value and
the limit it was judged against as its threshold."""


class DriftRuns(StoreConnection):
    """Writes and reads of drift runs."""

    def write_drift_run(
        self,
        profile_id: int,
        window: Window,
        result: AnyResult,
        alerts: Sequence[AlertRecord] = (),
        *,
        policy: AlertPolicy | None = None,
        started_at: datetime | None = None,
    ) -> RunWritten:
        """Write a run, its per-feature (or per-metric) results and its alerts in one
        transaction.

        The run is keyed by (profile, window): a re-run replaces the earlier results, and two
        concurrent writers end with one complete set. Alerts already sent for this run stay
        sent (a re-run never re-notifies); the others are replaced by `alerts`, one row per
        destination of `policy` (default: the console), `pending` or, when the breach kept
        firing from the previous window within the cool-down, `suppressed`.
        """
        now = datetime.now(UTC)
        status = run_status(result)
        runs, results, metrics = schema.drift_runs, schema.drift_results, schema.metric_results
        run_values: dict[str, Any] = {
            "status": status,
            "started_at": started_at or now,
            "finished_at": now,
            "rows_observed": result.rows,
            "error": None,
        }
        with self._begin() as conn:
            run_id = upsert_run(conn, runs, profile_id, window, run_values)
            conn.execute(sa.delete(results).where(results.c.run_id == run_id))
            conn.execute(sa.delete(metrics).where(metrics.c.run_id == run_id))
            rows = result.stored_rows(run_id)
            if rows:
                table = metrics if result.stored_in == "metric_results" else results
                conn.execute(sa.insert(table), rows)
            judged = {name for name, state in result.statuses() if state != "insufficient_data"}
            if result.rows:
                judged.add(WINDOW_ENTITY)  # rows arrived: a no-data alert resolves
            pending = write_alerts(
                conn, runs, run_id, profile_id, window, alerts, judged, policy or AlertPolicy(), now
            )
        return run_summary(run_id, profile_id, window, result, pending)

    def drift_results(self, run_id: int) -> pl.DataFrame:
        """Per-feature (or, for a custom-metric run, per-metric) results of one run: feature,
        value, threshold, status (a metric's threshold is None: its bounds are in `series`)."""
        table, metrics = schema.drift_results, schema.metric_results
        query = (
            sa.select(table.c.feature, table.c.value, table.c.threshold, table.c.status)
            .where(table.c.run_id == run_id)
            .union_all(
                sa.select(
                    metrics.c.metric,
                    metrics.c.value,
                    sa.cast(sa.null(), sa.Float),
                    metrics.c.status,
                ).where(metrics.c.run_id == run_id)
            )
            .order_by("feature")
        )
        return self._frame(
            query,
            {
                "feature": pl.String,
                "value": pl.Float64,
                "threshold": pl.Float64,
                "status": pl.String,
            },
        )

    def runs(
        self,
        space: str | None = None,
        name: str | None = None,
        *,
        version: str | None = None,
        drift_type: str | None = None,
        limit: int | None = None,
    ) -> pl.DataFrame:
        """Drift runs, newest window first, with their profile's space, name and version
        (optionally only one version or drift type, and only the newest `limit`)."""
        runs, profiles = schema.drift_runs, schema.profiles
        query = self._runs_query().order_by(runs.c.window_end.desc(), runs.c.id.desc())
        for column, value in (
            (profiles.c.space, space),
            (profiles.c.name, name),
            (profiles.c.version, version),
            (profiles.c.drift_type, drift_type),
        ):
            if value is not None:
                query = query.where(column == value)
        return self._frame(query.limit(limit), _RUN_COLUMNS)

    def run_history(self, profile_id: int, limit: int = 10) -> list[dict[str, Any]]:
        """The newest `limit` runs of one profile, newest window first: run id, window,
        status, rows and the features (or metrics) that drifted, for a history view."""
        runs, features, metrics = schema.drift_runs, schema.drift_results, schema.metric_results
        newest = (
            sa.select(
                runs.c.id,
                runs.c.window_start,
                runs.c.window_end,
                runs.c.status,
                runs.c.rows_observed,
            )
            .where(runs.c.profile_id == profile_id)
            .order_by(runs.c.window_end.desc(), runs.c.id.desc())
            .limit(limit)
        )
        drifted = sa.union_all(
            sa.select(features.c.run_id, features.c.feature).where(features.c.status == "drift"),
            sa.select(metrics.c.run_id, metrics.c.metric).where(metrics.c.status == "drift"),
        ).subquery()
        with self._connect() as conn:
            rows = conn.execute(newest).all()
            ids = [row.id for row in rows]
            names: dict[int, list[str]] = {i: [] for i in ids}
            query = (
                sa.select(drifted.c.run_id, drifted.c.feature)
                .where(drifted.c.run_id.in_(ids))
                .order_by(drifted.c.feature)
            )
            for run_id, feature in conn.execute(query):
                names[run_id].append(feature)
        return [
            {
                "run_id": row.id,
                "window_start": row.window_start,
                "window_end": row.window_end,
                "status": row.status,
                "rows": row.rows_observed,
                "drifted": names[row.id],
            }
            for row in rows
        ]

    def feature_history(self, profile_id: int, limit: int = 20) -> pl.DataFrame:
        """Every feature's (or custom metric's) result in the newest `limit` runs of one
        profile, oldest window first, for a history chart.

        Columns: run_id, window_start, window_end, feature, value, threshold, lower, upper
        (a metric's bounds), status, alerted (an alert was raised on it in that run).
        """
        runs, results, metrics = schema.drift_runs, schema.drift_results, schema.metric_results
        alerts = schema.alerts
        newest = (
            sa.select(runs.c.id, runs.c.window_start, runs.c.window_end)
            .where(runs.c.profile_id == profile_id)
            .order_by(runs.c.window_end.desc(), runs.c.id.desc())
            .limit(limit)
            .subquery()
        )
        entities = sa.union_all(
            sa.select(
                results.c.run_id,
                results.c.feature,
                results.c.value,
                results.c.threshold,
                sa.cast(sa.null(), sa.Float).label("lower"),
                sa.cast(sa.null(), sa.Float).label("upper"),
                results.c.status,
            ),
            sa.select(
                metrics.c.run_id,
                metrics.c.metric,
                metrics.c.value,
                sa.cast(sa.null(), sa.Float),
                metrics.c.lower,
                metrics.c.upper,
                metrics.c.status,
            ),
        ).subquery()
        alerted = (
            sa.select(alerts.c.id)
            .where(
                alerts.c.run_id == entities.c.run_id,
                alerts.c.entity == entities.c.feature,
                alerts.c.event == "trigger",
            )
            .exists()
        )
        query = (
            sa.select(
                newest.c.id.label("run_id"),
                newest.c.window_start,
                newest.c.window_end,
                entities.c.feature,
                entities.c.value,
                entities.c.threshold,
                entities.c.lower,
                entities.c.upper,
                entities.c.status,
                alerted.label("alerted"),
            )
            .join(entities, entities.c.run_id == newest.c.id)
            .order_by(newest.c.window_end, newest.c.id, entities.c.feature)
        )
        return self._frame(
            query,
            {
                "run_id": pl.Int64,
                "window_start": pl.Datetime("us", "UTC"),
                "window_end": pl.Datetime("us", "UTC"),
                "feature": pl.String,
                "value": pl.Float64,
                "threshold": pl.Float64,
                "lower": pl.Float64,
                "upper": pl.Float64,
                "status": pl.String,
                "alerted": pl.Boolean,
            },
        )

    def drift_run(self, run_id: int) -> dict[str, Any] | None:
        """One drift run as stored, or None: run_id, profile_id, its space, name, version and
        drift type, window_start, window_end, status, rows_observed, and `results`, the rows of
        its per-feature (or per-metric) table with their payloads, to rebuild its result."""
        runs, results, metrics = schema.drift_runs, schema.drift_results, schema.metric_results
        query = self._runs_query().add_columns(runs.c.profile_id).where(runs.c.id == run_id)
        with self._connect() as conn:
            row = conn.execute(query).first()
            if row is None:
                return None
            table = metrics if row.drift_type == "custom" else results
            rows = conn.execute(
                sa.select(table).where(table.c.run_id == run_id).order_by(*table.primary_key)
            ).all()
        run = row._asdict()
        run["results"] = [dict(r._mapping) for r in rows]
        return run

    def run_at(
        self, space: str, name: str, version: str, at: datetime, drift_type: str | None = None
    ) -> int:
        """The id of the profile's drift run whose window holds `at` or ends at it.

        Raises:
            StoreError: no run of that profile covers `at`.
        """
        runs, profiles = schema.drift_runs, schema.profiles
        query = (
            sa.select(runs.c.id)
            .join(profiles, profiles.c.id == runs.c.profile_id)
            .where(
                profiles.c.space == space,
                profiles.c.name == name,
                profiles.c.version == version,
                runs.c.window_start <= at,
                runs.c.window_end >= at,
            )
            .order_by(runs.c.window_end.desc(), runs.c.id.desc())
            .limit(1)
        )
        if drift_type is not None:
            query = query.where(profiles.c.drift_type == drift_type)
        with self._connect() as conn:
            found = conn.execute(query).scalar()
        if found is None:
            raise StoreError(
                f"no drift run of {space}/{name}/{version} has a window holding "
                f"{at.isoformat()}: `scouter-flows runs --profile {space}/{name}/{version}` "
                "lists them"
            )
        return int(found)

    @staticmethod
    def _runs_query() -> Select[Any]:
        runs, profiles = schema.drift_runs, schema.profiles
        return sa.select(
            runs.c.id.label("run_id"),
            profiles.c.space,
            profiles.c.name,
            profiles.c.version,
            profiles.c.drift_type,
            runs.c.window_start,
            runs.c.window_end,
            runs.c.status,
            runs.c.rows_observed,
            runs.c.finished_at,
        ).join(profiles, profiles.c.id == runs.c.profile_id)

    def latest_runs(self) -> pl.DataFrame:
        """The newest run (by window end) of every profile, with the profile's identity."""
        runs, profiles = schema.drift_runs, schema.profiles
        newest = sa.select(
            runs.c.id,
            sa.func.row_number()
            .over(
                partition_by=runs.c.profile_id,
                order_by=(runs.c.window_end.desc(), runs.c.id.desc()),
            )
            .label("position"),
        ).subquery()
        query = (
            self._runs_query()
            .join(newest, newest.c.id == runs.c.id)
            .where(newest.c.position == 1)
            .order_by(profiles.c.space, profiles.c.name, profiles.c.version)
        )
        return self._frame(query, _RUN_COLUMNS)

    def series(
        self,
        space: str,
        name: str,
        version: str,
        entity: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pl.DataFrame:
        """One feature's (or custom metric's) value per window, oldest first, for charts.

        Columns: window_start, window_end, value, threshold, status (threshold is None for
        custom metrics, whose bounds are in `lower`/`upper`; here `lower`, `upper` are also
        given). Windows ending in [start, end) when given.
        """
        runs, profiles = schema.drift_runs, schema.profiles
        results, metrics = schema.drift_results, schema.metric_results
        base = sa.select(runs.c.window_start, runs.c.window_end).join(
            profiles, profiles.c.id == runs.c.profile_id
        )
        base = base.where(
            profiles.c.space == space, profiles.c.name == name, profiles.c.version == version
        )
        if start is not None:
            base = base.where(runs.c.window_end >= start)
        if end is not None:
            base = base.where(runs.c.window_end < end)
        features = base.add_columns(
            results.c.value,
            results.c.threshold,
            sa.null().label("lower"),
            sa.null().label("upper"),
            results.c.status,
        ).join(results, sa.and_(results.c.run_id == runs.c.id, results.c.feature == entity))
        custom = base.add_columns(
            metrics.c.value,
            sa.null().label("threshold"),
            metrics.c.lower,
            metrics.c.upper,
            metrics.c.status,
        ).join(metrics, sa.and_(metrics.c.run_id == runs.c.id, metrics.c.metric == entity))
        query = sa.union_all(features, custom).order_by("window_end")
        return self._frame(
            query,
            {
                "window_start": pl.Datetime("us", "UTC"),
                "window_end": pl.Datetime("us", "UTC"),
                "value": pl.Float64,
                "threshold": pl.Float64,
                "lower": pl.Float64,
                "upper": pl.Float64,
                "status": pl.String,
            },
        )


def run_summary(
    run_id: int | None, profile_id: int, window: Window, result: AnyResult, pending: int = 0
) -> RunWritten:
    """The summary of a run (`run_id` None: a dry run, not written)."""
    return RunWritten(
        run_id=run_id,
        profile_id=profile_id,
        window_start=window.start.isoformat(),
        window_end=window.end.isoformat(),
        status=run_status(result),
        rows_observed=result.rows,
        features=len(result.statuses()),
        drifted=result.drifted,
        pending_alerts=pending,
    )


def run_status(result: AnyResult) -> str:
    """`no_data` (the window held no row), `drift`, `insufficient_data` (nothing could be
    judged) or `ok`."""
    if result.rows == 0:
        return "no_data"
    if result.has_drift:
        return "drift"
    statuses = [status for _, status in result.statuses()]
    if statuses and all(status == "insufficient_data" for status in statuses):
        return "insufficient_data"
    return "ok"


_RUN_COLUMNS: dict[str, Any] = {
    "run_id": pl.Int64,
    "space": pl.String,
    "name": pl.String,
    "version": pl.String,
    "drift_type": pl.String,
    "window_start": pl.Datetime("us", "UTC"),
    "window_end": pl.Datetime("us", "UTC"),
    "status": pl.String,
    "rows_observed": pl.Int64,
    "finished_at": pl.Datetime("us", "UTC"),
}
