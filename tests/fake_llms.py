"""Fake OpenAI, Anthropic and Gemini endpoints on 127.0.0.1 for the real SDK clients.

Each checks the path, the auth header and the structured-output request shape (a wrong one is
answered 400 and kept in `violations`), and answers from a script of modes: `ok`, `429`, `500`,
`hang` (past the client's timeout) and `malformed` (text that is not JSON). The judgement is
deterministic: score 5 when the rendered prompt mentions "Paris", else 2.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.fake_providers import FakeProvider, Received, _handler, _serve

OPENAI_KEY = "sk-test-openai-key"
ANTHROPIC_KEY = "sk-ant-test-key"
GEMINI_KEY = "AIza-test-gemini-key"
HANG_SECONDS = 2.5


def _prompt_text(request: Received) -> str:
    return json.dumps(request.body)


def judgement(request: Received) -> dict[str, Any]:
    """What the fake judge answers for a request."""
    good = "Paris" in _prompt_text(request)
    return {"score": 5 if good else 2, "reason": "mentions Paris" if good else "does not"}


def _schema_of(request: Received, provider: str) -> dict[str, Any] | None:
    body = request.body if isinstance(request.body, dict) else {}
    if provider == "openai":
        fmt = body.get("response_format") or {}
        if fmt.get("type") != "json_schema" or not fmt.get("json_schema", {}).get("strict"):
            return None
        return fmt["json_schema"].get("schema")
    if provider == "anthropic":
        tools = body.get("tools") or []
        choice = body.get("tool_choice") or {}
        if not tools or choice != {"type": "tool", "name": tools[0].get("name")}:
            return None
        return tools[0].get("input_schema")
    config = body.get("generationConfig") or {}
    if config.get("responseMimeType") != "application/json":
        return None
    return config.get("responseJsonSchema")


def _check(provider: str) -> Any:
    def check(request: Received) -> str | None:
        headers = request.headers
        if provider == "openai":
            if request.path != "/v1/chat/completions":
                return f"unexpected path {request.path}"
            if headers.get("authorization") != f"Bearer {OPENAI_KEY}":
                return "bad Authorization header"
        elif provider == "anthropic":
            if request.path != "/v1/messages":
                return f"unexpected path {request.path}"
            # The SDK sends the key as x-api-key or (2.x) as a bearer token.
            keyed = headers.get("x-api-key") == ANTHROPIC_KEY or (
                headers.get("authorization") == f"Bearer {ANTHROPIC_KEY}"
            )
            if not keyed or not headers.get("anthropic-version"):
                return "bad API key or anthropic-version header"
            if not request.body.get("max_tokens"):
                return "max_tokens is required"
        else:
            if not (
                request.path.startswith(("/v1/models/", "/v1beta/models/"))
                and request.path.endswith(":generateContent")
            ):
                return f"unexpected path {request.path}"
            if headers.get("x-goog-api-key") != GEMINI_KEY:
                return "bad x-goog-api-key header"
        schema = _schema_of(request, provider)
        if not schema or "score" not in (schema.get("properties") or {}):
            return "no structured-output schema with a score property"
        return None

    return check


def _answer(provider: str, delay: float) -> Any:
    def answer(mode: str, request: Received) -> tuple[int, Any, dict[str, str]]:
        if delay:
            time.sleep(delay)
        if mode in ("429", "500"):
            status = int(mode)
            if provider == "gemini":
                state = "RESOURCE_EXHAUSTED" if status == 429 else "INTERNAL"
                body: Any = {"error": {"code": status, "message": "try later", "status": state}}
            else:
                body = {
                    "error": {
                        "message": "try later",
                        "type": "rate_limit_error" if status == 429 else "api_error",
                    }
                }
                if provider == "anthropic":
                    body = {"type": "error", **body}
            return status, body, {"Retry-After": "0"}
        text = "I would give it a 4." if mode == "malformed" else json.dumps(judgement(request))
        if provider == "openai":
            return (
                200,
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 0,
                    "model": request.body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": text},
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
                {},
            )
        if provider == "anthropic":
            tools = request.body["tools"]
            block: dict[str, Any] = (
                {"type": "text", "text": text}
                if mode == "malformed"
                else {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": tools[0]["name"],
                    "input": judgement(request),
                }
            )
            return (
                200,
                {
                    "id": "msg_1",
                    "type": "message",
                    "role": "assistant",
                    "model": request.body["model"],
                    "content": [block],
                    "stop_reason": "tool_use",
                    "stop_sequence": None,
                    "usage": {"input_tokens": 1, "output_tokens": 1},
                },
                {},
            )
        return (
            200,
            {
                "candidates": [
                    {
                        "index": 0,
                        "finishReason": "STOP",
                        "content": {"role": "model", "parts": [{"text": text}]},
                    }
                ],
                "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1},
            },
            {},
        )

    return answer


@contextmanager
def fake_llm(provider: str, *script: str, delay: float = 0.0) -> Iterator[FakeProvider]:
    """A fake `openai`, `anthropic` or `gemini` endpoint; `delay` seconds per answer."""
    fake = FakeProvider(script=list(script))
    with _serve(_handler(fake, _check(provider), _answer(provider, delay)), fake):
        yield fake
