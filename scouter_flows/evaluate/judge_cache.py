"""A persistent cache of judge answers, so an unchanged re-run makes no provider calls.

Keyed by provider, model, the rendered messages, the output schema, temperature, max tokens and
the sample index; a SQLite file (safe across threads and processes).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir


def cache_key(parts: dict[str, Any]) -> str:
    """A stable digest of everything that determines a judge's answer."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class JudgeCache:
    """Raw judge answers by key, in a SQLite file (default: the user cache directory).

    Args:
        path: The file; default `judges.db` in the user cache directory.
        max_age: Forget answers stored longer ago than this when the cache is opened (a
            provider's model behind an unchanged name can change); default keep them.
    """

    def __init__(self, path: str | Path | None = None, max_age: timedelta | None = None) -> None:
        self.path = Path(path) if path else Path(user_cache_dir("scouter-flows")) / "judges.db"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared by the judge threads, serialised by a lock: reads and writes
        # are microseconds next to a provider call.
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            self.path, timeout=30, isolation_level=None, check_same_thread=False
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        # A lost answer on power failure is only a repeated call: no fsync per answer.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, raw TEXT, stored_at REAL)"
        )
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(answers)")}
        if "stored_at" not in columns:  # a cache file written before answers were timed
            self._conn.execute("ALTER TABLE answers ADD COLUMN stored_at REAL")
        if max_age is not None:
            self.prune(max_age)

    def prune(self, older_than: timedelta) -> int:
        """Forget answers stored more than `older_than` ago (and untimed ones); returns how
        many were forgotten."""
        if older_than <= timedelta(0):
            raise ValueError(f"older_than must be positive, got {older_than}")
        cutoff = time.time() - older_than.total_seconds()
        with self._lock:
            gone = self._conn.execute(
                "DELETE FROM answers WHERE stored_at IS NULL OR stored_at < ?", (cutoff,)
            )
            return int(gone.rowcount)

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0])

    def get(self, key: str) -> str | None:
        """The cached raw answer, if any."""
        with self._lock:
            row = self._conn.execute("SELECT raw FROM answers WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, raw: str) -> None:
        """Remember a raw answer that parsed and validated."""
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO answers (key, raw, stored_at) VALUES (?, ?, ?)",
                (key, raw, time.time()),
            )

    def get_many(self, keys: list[str]) -> dict[str, str]:
        """The cached raw answers among `keys`."""
        found: dict[str, str] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, raw FROM answers WHERE key IN ({marks})"
                found.update(self._conn.execute(query, chunk).fetchall())
        return found

    def put_many(self, items: list[tuple[str, str]]) -> None:
        """Remember several raw answers in one transaction."""
        if not items:
            return
        with self._lock:
            self._conn.execute("BEGIN")
            now = time.time()
            self._conn.executemany(
                "INSERT OR REPLACE INTO answers (key, raw, stored_at) VALUES (?, ?, ?)",
                [(key, raw, now) for key, raw in items],
            )
            self._conn.execute("COMMIT")

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> JudgeCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
