"""Judge calls through the official SDKs, each with its structured-output mechanism.

OpenAI: `response_format` json_schema (strict). Anthropic: a forced tool whose input schema is
the output type. Gemini: `response_mime_type` application/json with `response_json_schema`.
Every client has a timeout and the SDK's own retries with back-off on 429, 5xx and timeouts.
Keys and base URLs come from `JudgeSettings` or the environment (`OPENAI_API_KEY`,
`OPENAI_BASE_URL`, `ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`, `GEMINI_API_KEY` or
`GOOGLE_API_KEY`, `GEMINI_BASE_URL`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import SecretStr

from scouter_flows.errors import ConfigError
from scouter_flows.evaluate.prompts import Message, Prompt, Provider

TOOL_NAME = "submit_judgement"
DEFAULT_CACHE = "default"
"""`JudgeSettings.cache` by default: the judge cache in the user cache directory."""


@dataclass(slots=True)
class JudgeSettings:
    """How judges reach their providers: keys, base URLs, timeout, retries and concurrency.

    `concurrency` bounds the judge calls in flight; `cache` lets an unchanged re-run make no
    calls: by default the `JudgeCache` in the user cache directory (opened on first use),
    or a `JudgeCache` of your own; `False` (or None) turns it off.

    Example:
        >>> JudgeSettings(concurrency=32).cache
        'default'
        >>> JudgeSettings(cache=False).judge_cache() is None
        True
    """

    api_keys: dict[Provider, SecretStr] = field(default_factory=dict)
    base_urls: dict[Provider, str] = field(default_factory=dict)
    timeout: float = 60.0
    max_retries: int = 3
    concurrency: int = 16
    cache: Any = DEFAULT_CACHE

    def judge_cache(self) -> Any:
        """The cache to use (the default one is opened here, once), or None when off."""
        if isinstance(self.cache, str) and self.cache == DEFAULT_CACHE:
            from scouter_flows.evaluate.judge_cache import JudgeCache

            self.cache = JudgeCache()
        # Not `self.cache or None`: an empty JudgeCache has length 0.
        return None if self.cache is None or self.cache is False else self.cache

    def key(self, provider: Provider) -> str:
        """The provider's API key (from the settings, else the environment)."""
        given = self.api_keys.get(provider)
        if given is not None:
            return given.get_secret_value()
        names = {
            Provider.OpenAI: ("OPENAI_API_KEY",),
            Provider.Anthropic: ("ANTHROPIC_API_KEY",),
            Provider.Gemini: ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
        }[provider]
        for name in names:
            if os.environ.get(name):
                return os.environ[name]
        raise ConfigError(f"no API key for {provider.value}: set {' or '.join(names)}")

    def base_url(self, provider: Provider) -> str | None:
        """The provider's base URL, if not the SDK's default."""
        env = {
            Provider.OpenAI: "OPENAI_BASE_URL",
            Provider.Anthropic: "ANTHROPIC_BASE_URL",
            Provider.Gemini: "GEMINI_BASE_URL",
        }[provider]
        return self.base_urls.get(provider) or os.environ.get(env) or None


class JudgeClient(Protocol):
    """Sends one rendered prompt and returns the model's raw answer text (JSON expected)."""

    async def complete(self, prompt: Prompt, system: str | None, messages: list[Message]) -> str:
        """The raw answer."""
        ...

    async def aclose(self) -> None:
        """Close the connection pool."""
        ...


class OpenAIJudge:
    """Chat completions with a strict JSON-schema response format."""

    def __init__(self, settings: JudgeSettings) -> None:
        from openai import AsyncOpenAI

        self._client = AsyncOpenAI(
            api_key=settings.key(Provider.OpenAI),
            base_url=settings.base_url(Provider.OpenAI),
            timeout=settings.timeout,
            max_retries=settings.max_retries,
        )

    async def complete(self, prompt: Prompt, system: str | None, messages: list[Message]) -> str:
        chat = [{"role": "system", "content": system}] if system else []
        chat += [{"role": m.role, "content": m.content} for m in messages]
        body: dict[str, Any] = {
            "model": prompt.model,
            "messages": chat,
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": prompt.output_type.__name__,
                    "schema": prompt.output_schema(),
                    "strict": True,
                },
            },
        }
        if prompt.temperature is not None:
            body["temperature"] = prompt.temperature
        if prompt.max_tokens is not None:
            body["max_completion_tokens"] = prompt.max_tokens
        # The client's generic POST (auth, retries, timeout) with the body as it goes on the
        # wire: `chat.completions.create` re-walks its typed parameters at ~2 ms a call, which
        # bounds how many judges one process can keep in flight.
        # The reply as text (`cast_to=str`), parsed here: every openai release takes it, whichever
        # HTTP library (httpx or httpx2) that release is built on.
        reply = await self._client.post("/chat/completions", body=body, cast_to=str)
        data = json.loads(reply)
        return str(data["choices"][0]["message"].get("content") or "")

    async def aclose(self) -> None:
        await self._client.close()


class AnthropicJudge:
    """Messages with one forced tool whose input schema is the output type."""

    def __init__(self, settings: JudgeSettings) -> None:
        from anthropic import AsyncAnthropic

        self._client = AsyncAnthropic(
            api_key=settings.key(Provider.Anthropic),
            base_url=settings.base_url(Provider.Anthropic),
            timeout=settings.timeout,
            max_retries=settings.max_retries,
        )

    async def complete(self, prompt: Prompt, system: str | None, messages: list[Message]) -> str:
        # The current Messages API takes no temperature; the forced tool makes the shape fixed.
        extra: dict[str, Any] = {"system": system} if system else {}
        api: Any = self._client.messages  # the SDK's overloads want literals
        reply = await api.create(
            model=prompt.model,
            max_tokens=prompt.max_tokens or 1024,
            messages=[
                {"role": "assistant" if m.role == "assistant" else "user", "content": m.content}
                for m in messages
            ],
            tools=[
                {
                    "name": TOOL_NAME,
                    "description": "Record the judgement in the required structure.",
                    "input_schema": prompt.output_schema(),
                }
            ],
            tool_choice={"type": "tool", "name": TOOL_NAME},
            **extra,
        )
        for block in reply.content:
            if block.type == "tool_use":
                return json.dumps(block.input)
        return "".join(getattr(block, "text", "") for block in reply.content)

    async def aclose(self) -> None:
        await self._client.close()


class GeminiJudge:
    """generate_content with a JSON response MIME type and the output type's JSON schema."""

    def __init__(self, settings: JudgeSettings) -> None:
        from google import genai
        from google.genai import types

        options = types.HttpOptions(
            base_url=settings.base_url(Provider.Gemini),
            timeout=int(settings.timeout * 1000),
            retry_options=types.HttpRetryOptions(
                attempts=settings.max_retries + 1,
                initial_delay=0.5,
                max_delay=30.0,
                http_status_codes=[408, 429, 500, 502, 503, 504],
            ),
        )
        self._client = genai.Client(api_key=settings.key(Provider.Gemini), http_options=options)

    async def complete(self, prompt: Prompt, system: str | None, messages: list[Message]) -> str:
        from google.genai import types

        reply = await self._client.aio.models.generate_content(
            model=prompt.model,
            contents=[
                types.Content(
                    role="model" if m.role == "assistant" else "user",
                    parts=[types.Part(text=m.content)],
                )
                for m in messages
            ],
            config=types.GenerateContentConfig(
                system_instruction=system,
                temperature=prompt.temperature,
                max_output_tokens=prompt.max_tokens,
                response_mime_type="application/json",
                response_json_schema=prompt.output_schema(),
            ),
        )
        return reply.text or ""

    async def aclose(self) -> None:
        await self._client.aio.aclose()
        self._client.close()


_CLIENTS: dict[Provider, type[OpenAIJudge | AnthropicJudge | GeminiJudge]] = {
    Provider.OpenAI: OpenAIJudge,
    Provider.Anthropic: AnthropicJudge,
    Provider.Gemini: GeminiJudge,
}
_EXTRAS = {Provider.OpenAI: "openai", Provider.Anthropic: "anthropic", Provider.Gemini: "gemini"}


class JudgeClients:
    """One async SDK client per provider, built on first use inside the judging event loop."""

    def __init__(self, settings: JudgeSettings) -> None:
        self.settings = settings
        self._clients: dict[Provider, JudgeClient] = {}

    def get(self, provider: Provider) -> JudgeClient:
        """The client for `provider`.

        Raises:
            ConfigError: its SDK extra is not installed, or it has no API key.
        """
        if provider not in self._clients:
            try:
                self._clients[provider] = _CLIENTS[provider](self.settings)
            except ImportError:
                raise ConfigError(
                    f"{provider.value} judges need its SDK: "
                    f"pip install 'scouter-flows[{_EXTRAS[provider]}]'"
                ) from None
        return self._clients[provider]

    async def aclose(self) -> None:
        """Close every client's connection pool."""
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
