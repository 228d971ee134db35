"""A store that accepts connections and never answers fails the run, naming its host."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from scouter_flows import ConfigError, Store, StoreUnavailableError


@contextmanager
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        for sock in held:
            sock.close()


def test_a_silent_server_times_out_with_the_host_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCOUTER_STORE_CONNECT_TIMEOUT", "1")
    with silent_server() as port:
        url = f"postgresql://monitor:hunter2@127.0.0.1:{port}/monitoring"
        with pytest.raises(StoreUnavailableError, match=f"127.0.0.1:{port}") as raised:
            Store(url)
        assert "hunter2" not in str(raised.value)
        # The URL's own setting wins over the default.
        with pytest.raises(StoreUnavailableError, match="timeout"):
            Store(f"postgresql://monitor@127.0.0.1:{port}/monitoring?connect_timeout=1")


def test_a_statement_over_the_timeout_is_cancelled(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCOUTER_STORE_STATEMENT_TIMEOUT", "0.5")
    with (
        Store(postgres_url, auto_upgrade=True) as store,
        pytest.raises(StoreUnavailableError, match="statement timeout"),
        store._connect() as conn,
    ):
        conn.execute(sa.text("SELECT pg_sleep(3)"))
    monkeypatch.setenv("SCOUTER_STORE_STATEMENT_TIMEOUT", "ten")
    with pytest.raises(ConfigError, match="SCOUTER_STORE_STATEMENT_TIMEOUT must be a number"):
        Store(postgres_url)
