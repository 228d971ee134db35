"""The store-backed logger through store outages: nothing accepted is lost or written twice."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scouter_flows import Store, Window
from scouter_flows.sources.logger import InferenceLogger
from scouter_flows.sqla import make_url
from scouter_flows.store.sink import StoreSink
from tests.tcp_proxy import tcp_proxy

AT = datetime(2026, 11, 21, 12, tzinfo=UTC)
OUTAGE = 30.0


def log_through(logger: InferenceLogger, first: int, count: int, seconds: float) -> None:
    """Insert records `first` .. `first + count - 1`, spread over `seconds`."""
    for i in range(first, first + count):
        assert logger.insert({"record_id": f"r{i}", "logged_at": AT, "x": float(i)})
        if i % 100 == 0:
            time.sleep(seconds * 100 / count)


def stored_ids(url: str) -> list[str]:
    with Store(url) as store:
        logs = store.inference_logs("s", "n", Window(AT, AT + timedelta(seconds=1)))
    return logs["record_id"].to_list()


def test_a_postgres_outage_loses_no_record(postgres_url: str) -> None:
    from tests.support import RESET_POSTGRES, run_sql

    run_sql(postgres_url, RESET_POSTGRES)
    Store(postgres_url, auto_upgrade=True).close()
    real = make_url(postgres_url)
    with tcp_proxy(real.host or "127.0.0.1", real.port or 5432) as proxy:
        proxied = real.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        logger = InferenceLogger(StoreSink("s", "n", proxied), batch_size=500, flush_interval=0.1)
        log_through(logger, 0, 2_000, 1.0)
        logger.flush(timeout=60)
        proxy.cut()
        log_through(logger, 2_000, 6_000, OUTAGE)  # accepted while the store is away
        proxy.restore()
        logger.close()
    assert (logger.written, logger.dropped) == (8_000, 0)
    ids = stored_ids(postgres_url)
    assert len(ids) == len(set(ids)) == 8_000


def test_a_long_sqlite_lock_loses_no_record(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    url = f"sqlite:///{path}"
    Store(url, auto_upgrade=True).close()
    logger = InferenceLogger(StoreSink("s", "n", url), batch_size=500, flush_interval=0.1)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock past the 30 s timeout
    released = threading.Timer(OUTAGE + 5, holder.rollback)
    released.start()
    try:
        log_through(logger, 0, 1_000, 1.0)
        released.join()
        logger.close()
    finally:
        released.cancel()
        holder.close()
    assert (logger.written, logger.dropped) == (1_000, 0)
    assert len(set(stored_ids(url))) == 1_000
