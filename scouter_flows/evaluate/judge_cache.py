"""A persistent cache of judge answers, so an unchanged re-run makes no provider calls.

Keyed by provider, model, the rendered messages, the output schema, temperature, max tokens and
the sample index; a SQLite file (safe across threads and processes).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir


def cache_key(parts: dict[str, Any]) -> str:
    """A stable digest of everything that determines a judge's answer."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class JudgeCache:
    """Raw judge answers by key, in a SQLite file (default: the user cache directory)."""

    def __init__(self, path: str | Path | None = None) -> None:
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
        self._conn.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, raw TEXT)")

    def get(self, key: str) -> str | None:
        """The cached raw answer, if any."""
        with self._lock:
            row = self._conn.execute("SELECT raw FROM answers WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, raw: str) -> None:
        """Remember a raw answer that parsed and validated."""
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO answers (key, raw) VALUES (?, ?)", (key, raw)
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
            self._conn.executemany("INSERT OR REPLACE INTO answers (key, raw) VALUES (?, ?)", items)
            self._conn.execute("COMMIT")

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> JudgeCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
