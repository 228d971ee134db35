"""Judge prompts: messages with `${path}` placeholders, a model, a provider and an output type.

Differs from Scouter on purpose: placeholders take nested paths (`${response.text}`) in every
message, system included; strings go in raw and other values as JSON; a placeholder that does
not resolve is an error for that record, never sent literally.
"""

from __future__ import annotations

import functools
import json
import re
import warnings
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

from scouter_flows.errors import ConfigError
from scouter_flows.evaluate.paths import PathError, parse_path, resolve
from scouter_flows.profiles.base import FrozenModel

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


class Provider(StrEnum):
    """Who answers a judge prompt (through that provider's official SDK)."""

    OpenAI = "OpenAI"
    Anthropic = "Anthropic"
    Gemini = "Gemini"

    @classmethod
    def _missing_(cls, value: object) -> Provider | None:
        aliases = {
            "openai": cls.OpenAI,
            "anthropic": cls.Anthropic,
            "gemini": cls.Gemini,
            "google": cls.Gemini,
        }
        return aliases.get(str(value).lower())


class Score(BaseModel):
    """The default judge output: an integer score from 1 to 5 and the reason for it."""

    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=1, le=5, description="1 (worst) to 5 (best).")
    reason: str = Field(description="Why this score, in a sentence or two.")


OUTPUT_TYPES: dict[str, type[BaseModel]] = {"Score": Score}


class Role(StrEnum):
    """Who speaks a chat message (Scouter's `Role`)."""

    User = "user"
    Assistant = "assistant"
    System = "system"


class Message(FrozenModel):
    """One chat message (Scouter's `ChatMessage`)."""

    role: Literal["system", "user", "assistant"] = "user"
    content: str

    @field_validator("role", mode="before")
    @classmethod
    def _role_name(cls, value: Any) -> Any:
        return value.value if isinstance(value, Role) else value


ChatMessage = Message


class Prompt(FrozenModel):
    """What a judge is asked, of which model, and the shape of its answer.

    Example:
        >>> Prompt(messages="Rate the answer ${response.text} to ${question} from 1 to 5.",
        ...        model="gpt-4o-mini", provider="OpenAI").placeholders()
        ['response.text', 'question']
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    messages: list[Message] = Field(description="The chat; a plain string is one user message.")
    model: str = Field(description="The provider's model name.")
    provider: Provider = Field(description="OpenAI, Anthropic or Gemini.")
    system_instruction: str | None = Field(default=None, description="An optional system text.")
    output_type: type[BaseModel] = Field(
        default=Score, description="The pydantic model the answer must validate against."
    )
    temperature: float | None = Field(default=0.0, ge=0, le=2)
    max_tokens: int | None = Field(default=512, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _scouter_prompt_file(cls, data: Any) -> Any:
        # Scouter's prompt files: `system_instructions` as a list, sampling in `settings`
        # (flat, or under Gemini's `generation_config`), the answer's shape in `response_type`.
        if not isinstance(data, dict):
            return data
        data = _from_serialized_prompt(dict(data))
        if "system_instructions" in data:
            if "system_instruction" in data:
                raise ValueError("give system_instruction or system_instructions, not both")
            texts = data.pop("system_instructions")
            texts = [texts] if isinstance(texts, str) else list(texts or [])
            data["system_instruction"] = "\n\n".join(str(t) for t in texts) or None
        if "response_type" in data and "output_type" not in data:
            data["output_type"] = data.pop("response_type")
        data.pop("response_json_schema", None)  # the output type's own schema is sent
        if "settings" in data:
            data.update(_sampling(data.pop("settings")))
        return data

    @field_validator("messages", mode="before")
    @classmethod
    def _messages(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [{"role": "user", "content": value}]
        if isinstance(value, list):
            return [{"role": "user", "content": m} if isinstance(m, str) else m for m in value]
        return value

    @field_validator("output_type", mode="before")
    @classmethod
    def _output_type(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value not in OUTPUT_TYPES:
                raise ValueError(
                    f"unknown output_type {value!r}; use {sorted(OUTPUT_TYPES)} "
                    "or pass a pydantic model class"
                )
            return OUTPUT_TYPES[value]
        if not (isinstance(value, type) and issubclass(value, BaseModel)):
            raise ValueError("output_type must be a pydantic model class (default Score)")
        return value

    @field_serializer("output_type")
    def _output_type_name(self, value: type[BaseModel]) -> str:
        return output_type_name(value)

    def model_post_init(self, context: Any, /) -> None:
        texts = [m.content for m in self.messages] + [self.system_instruction or ""]
        for text in texts:
            for path in _PLACEHOLDER.findall(text):
                try:
                    parse_path(path)
                except ConfigError as exc:
                    raise ValueError(f"placeholder ${{{path}}}: {exc}") from None
        if not self.messages:
            raise ValueError("a prompt needs at least one message")

    def placeholders(self) -> list[str]:
        """The paths the prompt reads from each record, in order of appearance."""
        texts = [self.system_instruction or ""] + [m.content for m in self.messages]
        return [p for text in texts for p in _PLACEHOLDER.findall(text)]

    def output_schema(self) -> dict[str, Any]:
        """The JSON schema of the output type (built once per type)."""
        return _schema(self.output_type)

    def render(self, context: Any) -> tuple[str | None, list[Message]]:
        """The system text and messages with every placeholder filled from `context`.

        Raises:
            PathError: a placeholder does not resolve (the path is named).
        """

        def fill(text: str) -> str:
            def value(match: re.Match[str]) -> str:
                try:
                    found = resolve(context, parse_path(match.group(1)))
                except PathError as exc:
                    raise PathError(f"placeholder ${{{match.group(1)}}}: {exc}") from None
                return found if isinstance(found, str) else json.dumps(found, ensure_ascii=False)

            return _PLACEHOLDER.sub(value, text)

        system = fill(self.system_instruction) if self.system_instruction else None
        return system, [Message(role=m.role, content=fill(m.content)) for m in self.messages]


def _from_serialized_prompt(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of a prompt as Scouter stores it in a profile: `message` with tagged contents
    (`{"Str": ...}`), `system_instruction` as a list of such messages, model and provider in
    `model_settings`."""
    if "message" in data and "messages" not in data:
        data["messages"] = [
            {"role": m.get("role", "user") if isinstance(m, dict) else "user",
             "content": _text(m, f"message[{i}]")}
            for i, m in enumerate(data.pop("message") or [])
        ]  # fmt: skip
    if isinstance(data.get("system_instruction"), list):
        data["system_instructions"] = [
            _text(m, f"system_instruction[{i}]")
            for i, m in enumerate(data.pop("system_instruction"))
        ]
    settings = data.pop("model_settings", None)
    if isinstance(settings, dict):
        settings = dict(settings)
        for key in ("model", "provider"):
            if key in settings and key not in data:
                data[key] = settings.pop(key)
        data["settings"] = {**settings, **(data.get("settings") or {})}
    for key in ("version", "parameters"):
        data.pop(key, None)
    return data


def _text(message: Any, where: str) -> Any:
    """The text of a stored message: a string, or `content` as a string or `{"Str": ...}`."""
    if not isinstance(message, dict):
        return message
    content = message.get("content")
    if isinstance(content, dict):
        if set(content) != {"Str"}:
            raise ValueError(
                f"{where}.content: only text ({{'Str': ...}}) is supported, found {sorted(content)}"
            )
        return content["Str"]
    return content


_MAX_TOKENS = ("max_tokens", "max_output_tokens", "max_completion_tokens")


def _sampling(settings: Any) -> dict[str, Any]:
    """Temperature and max tokens from Scouter's prompt `settings`; other settings are named in a
    warning, since a judge here sends only these two."""
    if settings is None:
        return {}
    if not isinstance(settings, dict):
        raise ValueError(f"settings: expected an object, found {type(settings).__name__}")
    flat = {**settings, **(settings.get("generation_config") or {})}
    flat.pop("generation_config", None)
    out: dict[str, Any] = {}
    if "temperature" in flat:
        out["temperature"] = flat.pop("temperature")
    for key in _MAX_TOKENS:
        if key in flat:
            out["max_tokens"] = flat.pop(key)
    ignored = sorted(k for k, v in flat.items() if v is not None)
    if ignored:
        warnings.warn(
            f"prompt settings {ignored} are not sent: judges send temperature and max tokens only",
            UserWarning,
            stacklevel=2,
        )
    return out


@functools.cache
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def output_type_name(model: type[BaseModel]) -> str:
    """The name an output type is stored under (register custom ones to read them back)."""
    return next((k for k, v in OUTPUT_TYPES.items() if v is model), model.__name__)


def register_output_type(model: type[BaseModel]) -> None:
    """Make a custom judge output model loadable by name from task files and profiles."""
    OUTPUT_TYPES[model.__name__] = model


def load_prompt(value: Any, base: Path | None = None) -> Any:
    """A prompt given inline or as `{path: file}` (YAML or JSON), for task files.

    A relative path is looked up in the working directory (where Scouter looks), then beside
    the task file (`base`).
    """
    if isinstance(value, dict) and set(value) == {"path"}:
        given = Path(value["path"])
        tried = [given] if given.is_absolute() or base is None else [given, base / given]
        path = next((t for t in tried if t.is_file()), None)
        if path is None:
            raise ConfigError(
                f"prompt file not found: {' nor '.join(str(t) for t in dict.fromkeys(tried))}"
            )
        text = path.read_text(encoding="utf-8")
        try:
            return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: not a valid prompt file ({exc})") from None
    return value
