"""Data profiles of a window as steps: profile the window's rows, store the profile."""

from __future__ import annotations

from typing import Any

from scouter_flows.drift.profiler import DataProfiler
from scouter_flows.profiles.data_profile import DataProfile
from scouter_flows.profiles.monitors import parse_key
from scouter_flows.sources.files import FileSource, timestamp_column_of
from scouter_flows.store.store import Store
from scouter_flows.window import Window


def profile_window(
    source: FileSource,
    window: Window,
    *,
    columns: list[str] | None = None,
    bin_size: int = 20,
    compute_correlations: bool = False,
    top_categories: int = 10,
) -> DataProfile:
    """The data profile of `window`'s rows (of `columns`, default all but the timestamp).

    Raises:
        DataError: the window is empty, or a column is missing or of an unsupported type.
    """
    with source.reading(window):
        lf = source.scan(window)
        schema = lf.collect_schema()
        stamp = timestamp_column_of(schema, source.timestamp_column)
        names = columns or [c for c in schema.names() if c != stamp]
        return DataProfiler().create_data_profile(
            lf.select(names),
            bin_size=bin_size,
            compute_correlations=compute_correlations,
            top_categories=top_categories,
        )


def persist_data_profile(
    model: str, window: Window, profile: DataProfile, store_url: str | None = None
) -> dict[str, Any]:
    """Store the profile of `window` for `model` (`space/name/version`); return the summary."""
    space, name, version = parse_key(model)
    with Store(store_url) as store:
        data_profile_id = store.write_data_profile(space, name, version, window, profile)
    return profile_summary(model, window, profile, data_profile_id)


def profile_summary(
    model: str, window: Window, profile: DataProfile, data_profile_id: int | None = None
) -> dict[str, Any]:
    """What a data-profile run produced (`data_profile_id` None: not stored)."""
    return {
        "data_profile_id": data_profile_id,
        "model": model,
        "window_start": window.start.isoformat(),
        "window_end": window.end.isoformat(),
        "rows_observed": profile.rows,
        "features": len(profile.features),
        "missing": {n: f.missing for n, f in profile.features.items() if f.missing},
    }
