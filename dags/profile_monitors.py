"""Airflow DAGs from the store: one monitor per active profile, on its alert schedule.

Every registered, active profile becomes `scouter_<type>_<space>_<name>_<version>`: a DAG that
monitors its data interval, dispatches alerts only when the run left some pending and, for
drift profiles, emits an event on the profile's Asset when drift was found.

Configure with environment variables:
  the store                 the `scouter_default` connection, else SCOUTER_DATABASE_URL: where
                            the profiles are listed from and the runs are written to
  SCOUTER_SOURCE_TEMPLATE   where each profile's rows are, e.g. /data/{space}/{name}/*.parquet
                            (placeholders: space, name, version, drift_type)
  SCOUTER_MONITOR_CACHE_TTL seconds the profile list is cached between parses (default 300)

Parsing reads the store at most once per TTL (the list is cached in a file) and never fails
because the store is down: the last cached list is used, or no DAG is built, and a warning is
logged. Nothing heavy (Polars, the store) is imported unless the cache is refreshed.
"""

from __future__ import annotations

import os

from scouter_flows.operators import build_monitor_dags

globals().update(
    build_monitor_dags(
        sources=os.environ.get("SCOUTER_SOURCE_TEMPLATE", "/data/{space}/{name}/*.parquet"),
        ttl_seconds=float(os.environ.get("SCOUTER_MONITOR_CACHE_TTL", "300")),
    )
)
