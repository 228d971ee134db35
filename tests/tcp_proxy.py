"""A TCP proxy on 127.0.0.1 that can be cut: a store outage without stopping the server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field


@dataclass
class Proxy:
    """Forwards `port` to the target while up; when down, drops every connection and closes
    new ones at once (what a client sees of a database that went away)."""

    port: int = 0
    up: bool = True
    _links: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cut(self) -> None:
        """Take the store away: live connections reset, new ones refused."""
        with self._lock:
            self.up = False
            for sock in self._links:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._links.clear()

    def restore(self) -> None:
        """Bring the store back."""
        with self._lock:
            self.up = True


@contextmanager
def tcp_proxy(host: str, port: int) -> Iterator[Proxy]:
    """A proxy to `host:port`, stopped on exit."""
    proxy = Proxy()
    listener = socket.create_server(("127.0.0.1", 0))
    proxy.port = listener.getsockname()[1]
    stopping = threading.Event()

    def pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with suppress(OSError):
                    sock.close()

    def accept() -> None:
        while not stopping.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with proxy._lock:
                if not proxy.up:
                    client.close()
                    continue
                try:
                    server = socket.create_connection((host, port), timeout=5)
                except OSError:
                    client.close()
                    continue
                server.settimeout(None)
                proxy._links += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=pump, args=(a, b), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        stopping.set()
        listener.close()
        proxy.cut()
