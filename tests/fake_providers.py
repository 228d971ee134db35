"""Fake Slack and OpsGenie HTTP servers on 127.0.0.1 for driving the real SDK clients.

Each server checks the path, the auth header and the payload of every request (a wrong one is
answered 400 and kept in `violations`), records what it was sent, and answers from a script of
modes: `ok`, `429` (with Retry-After), `500`, `hang` (answers after the client's timeout),
`401`, and for Slack `not_ok` (HTTP 200 with `ok: false`). When the script runs out, `ok`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SLACK_TOKEN = "xoxb-0000-secret-slack-token"
WEBHOOK_PATH = "/services/T000/B000/secret-webhook-path"
OPSGENIE_KEY = "0123-secret-genie-key"
HANG_SECONDS = 2.5
SLOW_SECONDS = 0.5
RETRY_AFTER = "7"


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeProvider:
    """One fake server: its base URL, the script of answers and what it received."""

    url: str = ""
    script: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    max_in_flight: int = 0
    then: str = "ok"
    """The answer once the script has run out."""

    def next_mode(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else self.then

    @property
    def delivered(self) -> list[Received]:
        """Requests answered with success (at once, or slowly)."""
        return [r for r in self.received if r.headers.get("x-answered") in ("ok", "slow")]


def _handler(provider: FakeProvider, check: Any, answer: Any) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real providers allow
        disable_nagle_algorithm = True  # headers and body leave at once

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            parts = urlsplit(self.path)
            request = Received(
                "POST",
                parts.path,
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
                body,
            )
            problem = check(request)
            mode = provider.next_mode()
            request.headers["x-answered"] = "bad" if problem else mode
            with provider.lock:
                provider.received.append(request)
                if problem:
                    provider.violations.append(problem)
            if problem:
                self._send(400, {"ok": False, "error": problem, "message": problem})
                return
            with provider.lock:
                provider.in_flight += 1
                provider.max_in_flight = max(provider.max_in_flight, provider.in_flight)
            try:
                if mode == "hang":
                    time.sleep(HANG_SECONDS)
                    mode = "ok"
                elif mode == "slow":  # a provider that takes its time, then succeeds
                    time.sleep(SLOW_SECONDS)
                    mode = "ok"
                status, payload, headers = answer(mode, request)
            finally:
                with provider.lock:
                    provider.in_flight -= 1
            self._send(status, payload, headers)

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                pass

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            return

    return Handler


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # many clients connect at once; the default 5 drops SYNs
    daemon_threads = True


@contextmanager
def _serve(handler: type[BaseHTTPRequestHandler], provider: FakeProvider) -> Iterator[None]:
    server = _Server(("127.0.0.1", 0), handler)
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _check_slack(request: Received) -> str | None:
    body = request.body
    if request.path == WEBHOOK_PATH:
        if not isinstance(body, dict) or not body.get("blocks") or not body.get("text"):
            return "webhook payload needs text and blocks"
        return None
    if request.path != "/api/chat.postMessage":
        return f"unexpected path {request.path}"
    if request.headers.get("authorization") != f"Bearer {SLACK_TOKEN}":
        return "invalid_auth"
    if not isinstance(body, dict) or not body.get("channel"):
        return "channel_not_specified"
    blocks = body.get("blocks") or []
    if not blocks or blocks[0].get("type") != "header" or not body.get("text"):
        return "invalid_blocks: a header block and a text fallback are expected"
    for block in blocks:
        text = (block.get("text") or {}).get("text", "")
        if block["type"] == "header" and len(text) > 150:
            return "invalid_blocks: header over 150 characters"
        if block["type"] == "section" and len(text) > 3000:
            return "invalid_blocks: section over 3000 characters"
    return None


def _answer_slack(mode: str, request: Received) -> tuple[int, Any, dict[str, str]]:
    webhook = request.path == WEBHOOK_PATH
    if mode == "429":
        return (
            429,
            "rate_limited" if webhook else {"ok": False, "error": "ratelimited"},
            {"Retry-After": RETRY_AFTER},
        )
    if mode == "500":
        return 500, "internal_error" if webhook else {"ok": False, "error": "fatal_error"}, {}
    if mode == "401":
        return 401, "invalid_token" if webhook else {"ok": False, "error": "invalid_auth"}, {}
    if mode == "not_ok":
        return 200, {"ok": False, "error": "channel_not_found"}, {}
    if webhook:
        return 200, "ok", {}
    n = len(request.body["blocks"])
    return 200, {"ok": True, "channel": "C0123", "ts": f"1764547200.{n:06d}"}, {}


def _check_opsgenie(request: Received) -> str | None:
    if request.headers.get("authorization") != f"GenieKey {OPSGENIE_KEY}":
        return "Could not authenticate"
    body = request.body
    if request.path == "/v2/alerts":
        required = ("message", "alias", "description", "responders", "priority", "details")
        missing = [k for k in required if not (isinstance(body, dict) and body.get(k))]
        if missing:
            return f"missing fields {missing}"
        if len(body["message"]) > 130:
            return "message over 130 characters"
        if body["priority"] not in {"P1", "P2", "P3", "P4", "P5"}:
            return f"bad priority {body['priority']}"
        return None
    if request.path.startswith("/v2/alerts/") and request.path.endswith("/close"):
        if request.query.get("identifierType") != ["alias"]:
            return "close must name the alias"
        return None
    return f"unexpected path {request.path}"


def _answer_opsgenie(mode: str, request: Received) -> tuple[int, Any, dict[str, str]]:
    took = {"took": 0.01, "requestId": f"req-{len(request.path)}-{id(request)}"}
    if mode == "429":
        return 429, {"message": "Too many requests", **took}, {"Retry-After": RETRY_AFTER}
    if mode == "500":
        return 500, {"message": "Internal Server Error", **took}, {}
    if mode == "401":
        return 401, {"message": "Key format is not valid!", **took}, {}
    return 202, {"result": "Request will be processed", **took}, {}


@contextmanager
def fake_slack(*script: str, then: str = "ok") -> Iterator[FakeProvider]:
    """A fake Slack Web API (`/api/chat.postMessage`) and incoming webhook: answers as
    `script` says, then as `then` says."""
    provider = FakeProvider(script=list(script), then=then)
    with _serve(_handler(provider, _check_slack, _answer_slack), provider):
        yield provider


@contextmanager
def fake_opsgenie(*script: str, then: str = "ok") -> Iterator[FakeProvider]:
    """A fake OpsGenie Alert API (`/v2/alerts`, `/v2/alerts/{alias}/close`): answers as
    `script` says, then as `then` says."""
    provider = FakeProvider(script=list(script), then=then)
    with _serve(_handler(provider, _check_opsgenie, _answer_opsgenie), provider):
        yield provider
