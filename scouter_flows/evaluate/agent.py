"""`AgentAssertion`: what an agent did and returned, read from the model's own response.

A record's context (or the part `context_path` points at) holds a response in the shape its
provider returns it, and each assertion reads one value out of it for the task's operator:
whether a tool was called, with which arguments, in which order, how often, what it returned;
the response's text, model, finish reason and token counts; or any field by path.

Shapes read (chosen from the keys, or forced with `provider=`):

- OpenAI chat completions (`choices[].message.tool_calls`, `usage.prompt_tokens`);
- OpenAI responses (`output[]` items `message` / `function_call` / `function_call_output`,
  `usage.input_tokens`);
- Anthropic messages (`content[]` blocks `text` / `tool_use` / `tool_result`, `stop_reason`);
- Gemini `generateContent` (`candidates[].content.parts[]` with `functionCall` /
  `functionResponse`, `usageMetadata`), in camelCase or snake_case;
- a plain `{tool_calls: [{name, arguments, result}], response: ...}`.

A list of responses (the turns of one conversation) is read as one: tool calls in order across
them, text, model and finish reason of the last, token counts summed.

Differs from Scouter on purpose: a tool that was never called, a tool called more than once
for an assertion that reads one call (`tool_argument`, `tool_result`), arguments that are not
JSON and a context in no known shape end the task in `error` with a message saying which,
where Scouter reads `null` and lets the operator decide.

Example:
    >>> response = {"tool_calls": [{"name": "search", "arguments": {"q": "rain"}}],
    ...             "response": "It will rain."}
    >>> AgentAssertion.tool_called("search").value(response)
    True
    >>> AgentAssertion.tool_argument("search", "q").value(response)
    'rain'
    >>> AgentAssertion.response_content().value(response)
    'It will rain.'
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from scouter_flows.evaluate.paths import PathError, parse_path, resolve
from scouter_flows.profiles.base import FrozenModel
from scouter_flows.traces.filters import ScouterTagged, ScouterVariant, add_scouter_variants

ResponseShape = Literal["openai", "openai_responses", "anthropic", "gemini", "plain"]

_NO_RESULT: Any = object()

Result = tuple[str | None, str | None, Any]
"""A tool's result as a response carries it: (call id, tool name, value)."""


class AgentError(PathError):
    """The response cannot answer the assertion (the task's status is `error`)."""


@dataclass(slots=True)
class ToolCall:
    """One tool call of a response, with its result when the context holds it."""

    name: str
    arguments: Any
    """As the provider gave them: a dict, or (OpenAI) a JSON string."""
    id: str | None = None
    result: Any = _NO_RESULT
    _parsed: dict[str, Any] | None = field(default=None, repr=False)

    def parsed_arguments(self) -> dict[str, Any]:
        """The arguments as an object (parsed once).

        Raises:
            AgentError: they are a string that is not JSON, or JSON that is not an object.
        """
        if self._parsed is None:
            self._parsed = self._parse_arguments()
        return self._parsed

    def _parse_arguments(self) -> dict[str, Any]:
        value = self.arguments
        if value is None or value == "":
            return {}
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise AgentError(
                    f"the arguments of tool {self.name!r} are not JSON ({exc.msg} at "
                    f"character {exc.pos}): {value[:80]!r}"
                ) from None
        if not isinstance(value, dict):
            raise AgentError(
                f"the arguments of tool {self.name!r} are not an object: {str(value)[:80]!r}"
            )
        return value


@dataclass(slots=True)
class AgentResponse:
    """A response (or the turns of a conversation) in one normalised form."""

    shape: ResponseShape
    tool_calls: list[ToolCall] = field(default_factory=list)
    text: str | None = None
    model: str | None = None
    finish_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    raw: Any = None
    unmatched: list[Result] = field(default_factory=list)
    """Tool results that answer no call of this response (a later turn's, for an earlier
    turn's call)."""


def read_response(value: Any, provider: str | None = None) -> AgentResponse:
    """`value`, a provider's response (or a list of them), normalised.

    Raises:
        AgentError: `value` is in none of the shapes (the message lists the keys it has).

    Example:
        >>> read_response({"model": "gpt-4o", "choices": [{"message": {"content": "hi"},
        ...     "finish_reason": "stop"}], "usage": {"prompt_tokens": 3,
        ...     "completion_tokens": 1, "total_tokens": 4}}).total_tokens
        4
    """
    if isinstance(value, list):
        if not value:
            raise AgentError("the context is an empty list of responses")
        return _conversation([read_response(item, provider) for item in value], value)
    if not isinstance(value, dict):
        raise AgentError(
            f"the context is a {type(value).__name__}, not a response object "
            "(OpenAI, Anthropic, Gemini, or {tool_calls, response})"
        )
    shape = _shape(value) if provider is None else _PROVIDER_SHAPES.get(str(provider).lower())
    if shape is None:
        raise AgentError(
            f"the context is not a response of OpenAI, Anthropic or Gemini, nor "
            f"{{tool_calls, response}}: its keys are {sorted(value)[:12]}"
            if provider is None
            else f"unknown provider {provider!r}: expected one of {sorted(_PROVIDER_SHAPES)}"
        )
    if provider is not None and not any(key in value for key in _SIGNATURES[shape]):
        raise AgentError(
            f"provider {provider!r} was named, but the context has no "
            f"{' or '.join(repr(k) for k in _SIGNATURES[shape])} (its keys are "
            f"{sorted(value)[:12]})"
        )
    response = _READERS[shape](value)
    response.raw = value
    return response


_parsed: ContextVar[dict[tuple[int, str | None], tuple[Any, AgentResponse]] | None] = ContextVar(
    "scouter_flows_agent_responses", default=None
)


@contextmanager
def responses_read_once() -> Iterator[None]:
    """Within the block, a response object is read once however many assertions read it (an
    evaluation's tasks go over the same records one task after another)."""
    token = _parsed.set({})
    try:
        yield
    finally:
        _parsed.reset(token)


def _read(value: Any, provider: str | None) -> AgentResponse:
    cache = _parsed.get()
    if cache is None:
        return read_response(value, provider)
    key = (id(value), provider)
    hit = cache.get(key)
    if hit is not None and hit[0] is value:  # the object itself, kept alive by the entry
        return hit[1]
    response = read_response(value, provider)
    cache[key] = (value, response)
    return response


def _shape(value: dict[str, Any]) -> ResponseShape | None:
    if "choices" in value:
        return "openai"
    if isinstance(value.get("output"), list):
        return "openai_responses"
    if "candidates" in value:
        return "gemini"
    if isinstance(value.get("content"), list) and (
        value.get("type") == "message" or "stop_reason" in value or "role" in value
    ):
        return "anthropic"  # a response, or a user turn of tool_result blocks
    if "tool_calls" in value or "response" in value:
        return "plain"
    return None


def _conversation(turns: list[AgentResponse], raw: list[Any]) -> AgentResponse:
    last = turns[-1]

    def total(name: str) -> int | None:
        counts = [getattr(t, name) for t in turns if getattr(t, name) is not None]
        return sum(counts) if counts else None

    calls = [call for turn in turns for call in turn.tool_calls]
    unmatched = _attach_results(calls, [r for turn in turns for r in turn.unmatched])
    return AgentResponse(
        shape=last.shape,
        tool_calls=calls,
        text=last.text,
        model=last.model,
        finish_reason=last.finish_reason,
        input_tokens=total("input_tokens"),
        output_tokens=total("output_tokens"),
        total_tokens=total("total_tokens"),
        raw=raw,
        unmatched=unmatched,
    )


def _attach_results(calls: list[ToolCall], results: list[Result]) -> list[Result]:
    """Give each result to its call (by id, else by name); return those with no call here
    (answers to a call of an earlier turn)."""
    unmatched = []
    for call_id, name, result in results:
        for call in calls:
            if call.result is not _NO_RESULT:
                continue
            if (call_id is not None and call.id == call_id) or (
                call_id is None and name is not None and call.name == name
            ):
                call.result = result
                break
        else:
            unmatched.append((call_id, name, result))
    return unmatched


def _openai(value: dict[str, Any]) -> AgentResponse:
    choices = value.get("choices") or []
    message = (choices[0].get("message") or {}) if choices else {}
    calls = [
        ToolCall(
            name=str((c.get("function") or {}).get("name")),
            arguments=(c.get("function") or {}).get("arguments"),
            id=c.get("id"),
        )
        for c in message.get("tool_calls") or []
    ]
    content = message.get("content")
    if isinstance(content, list):  # content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict)) or None
    usage = value.get("usage") or {}
    return AgentResponse(
        shape="openai",
        tool_calls=calls,
        text=content,
        model=value.get("model"),
        finish_reason=choices[0].get("finish_reason") if choices else None,
        input_tokens=usage.get("prompt_tokens"),
        output_tokens=usage.get("completion_tokens"),
        total_tokens=usage.get("total_tokens"),
    )


def _openai_responses(value: dict[str, Any]) -> AgentResponse:
    calls: list[ToolCall] = []
    texts: list[str] = []
    outputs: list[Result] = []
    for item in value.get("output") or []:
        kind = item.get("type")
        if kind == "function_call":
            calls.append(
                ToolCall(
                    name=str(item.get("name")),
                    arguments=item.get("arguments"),
                    id=item.get("call_id"),
                )
            )
        elif kind == "function_call_output":
            outputs.append((item.get("call_id"), None, _json_or_text(item.get("output"))))
        elif kind == "message":
            texts += [p.get("text", "") for p in item.get("content") or [] if p.get("text")]
    unmatched = _attach_results(calls, outputs)
    usage = value.get("usage") or {}
    incomplete = (value.get("incomplete_details") or {}).get("reason")
    return AgentResponse(
        shape="openai_responses",
        tool_calls=calls,
        unmatched=unmatched,
        text="".join(texts) or value.get("output_text") or None,
        model=value.get("model"),
        finish_reason=incomplete or value.get("status"),
        input_tokens=usage.get("input_tokens"),
        output_tokens=usage.get("output_tokens"),
        total_tokens=usage.get("total_tokens"),
    )


def _anthropic(value: dict[str, Any]) -> AgentResponse:
    calls: list[ToolCall] = []
    texts: list[str] = []
    results: list[Result] = []
    for block in value.get("content") or []:
        kind = block.get("type")
        if kind == "tool_use":
            calls.append(
                ToolCall(
                    name=str(block.get("name")), arguments=block.get("input"), id=block.get("id")
                )
            )
        elif kind == "tool_result":
            results.append((block.get("tool_use_id"), None, _block_content(block)))
        elif kind == "text":
            texts.append(block.get("text", ""))
    unmatched = _attach_results(calls, results)
    usage = value.get("usage") or {}
    tokens_in, tokens_out = usage.get("input_tokens"), usage.get("output_tokens")
    return AgentResponse(
        shape="anthropic",
        tool_calls=calls,
        unmatched=unmatched,
        text="".join(texts) or None,
        model=value.get("model"),
        finish_reason=value.get("stop_reason"),
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        total_tokens=None if tokens_in is None or tokens_out is None else tokens_in + tokens_out,
    )


def _gemini(value: dict[str, Any]) -> AgentResponse:
    candidates = value.get("candidates") or []
    first = candidates[0] if candidates else {}
    parts = (first.get("content") or {}).get("parts") or []
    calls: list[ToolCall] = []
    texts: list[str] = []
    results: list[Result] = []
    for part in parts:
        call = _either(part, "functionCall", "function_call")
        answer = _either(part, "functionResponse", "function_response")
        if call is not None:
            calls.append(
                ToolCall(name=str(call.get("name")), arguments=call.get("args"), id=call.get("id"))
            )
        elif answer is not None:
            results.append((answer.get("id"), answer.get("name"), answer.get("response")))
        elif part.get("text"):
            texts.append(part["text"])
    unmatched = _attach_results(calls, results)
    usage = _either(value, "usageMetadata", "usage_metadata") or {}
    return AgentResponse(
        shape="gemini",
        tool_calls=calls,
        unmatched=unmatched,
        text="".join(texts) or None,
        model=_either(value, "modelVersion", "model_version"),
        finish_reason=_either(first, "finishReason", "finish_reason"),
        input_tokens=_either(usage, "promptTokenCount", "prompt_token_count"),
        output_tokens=_either(usage, "candidatesTokenCount", "candidates_token_count"),
        total_tokens=_either(usage, "totalTokenCount", "total_token_count"),
    )


def _plain(value: dict[str, Any]) -> AgentResponse:
    calls = []
    for i, item in enumerate(value.get("tool_calls") or []):
        if not isinstance(item, dict) or "name" not in item:
            raise AgentError(f"tool_calls[{i}] is not an object with a name: {str(item)[:80]!r}")
        call = ToolCall(name=str(item["name"]), arguments=item.get("arguments"), id=item.get("id"))
        if "result" in item:
            call.result = item["result"]
        calls.append(call)
    text = value.get("response")
    if isinstance(text, dict):  # {response: {content: ...}}
        text = text.get("content") or text.get("text")
    usage = value.get("usage") or {}
    return AgentResponse(
        shape="plain",
        tool_calls=calls,
        text=None if text is None else str(text),
        model=value.get("model"),
        finish_reason=value.get("finish_reason"),
        input_tokens=usage.get("input_tokens"),
        output_tokens=usage.get("output_tokens"),
        total_tokens=usage.get("total_tokens"),
    )


_READERS = {
    "openai": _openai,
    "openai_responses": _openai_responses,
    "anthropic": _anthropic,
    "gemini": _gemini,
    "plain": _plain,
}
_PROVIDER_SHAPES: dict[str, ResponseShape] = {
    "openai": "openai",
    "openai_responses": "openai_responses",
    "anthropic": "anthropic",
    "gemini": "gemini",
    "google": "gemini",
    "googleadk": "gemini",
    "vertex": "gemini",
    "plain": "plain",
}


_SIGNATURES: dict[ResponseShape, tuple[str, ...]] = {
    "openai": ("choices",),
    "openai_responses": ("output",),
    "anthropic": ("content",),
    "gemini": ("candidates",),
    "plain": ("tool_calls", "response"),
}
"""The keys a response of each shape has, checked when the shape is named."""

RESPONSE_PROVIDERS = sorted(_PROVIDER_SHAPES)
"""The names `provider=` takes."""


def _either(value: dict[str, Any], camel: str, snake: str) -> Any:
    found = value.get(camel)
    return value.get(snake) if found is None else found


def _json_or_text(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _block_content(block: dict[str, Any]) -> Any:
    content = block.get("content")
    if isinstance(content, list):
        texts = [c.get("text", "") for c in content if isinstance(c, dict)]
        return _json_or_text("".join(texts))
    return _json_or_text(content)


AgentKind = Literal[
    "tool_called",
    "tool_not_called",
    "tool_called_with_args",
    "tool_call_sequence",
    "tool_call_count",
    "tool_argument",
    "tool_result",
    "response_content",
    "response_model",
    "response_finish_reason",
    "response_input_tokens",
    "response_output_tokens",
    "response_total_tokens",
    "response_field",
]
_NEEDS_NAME = {
    "tool_called",
    "tool_not_called",
    "tool_called_with_args",
    "tool_argument",
    "tool_result",
}


class AgentAssertion(FrozenModel, ScouterTagged):
    """What to read from an agent's response; build one with the class methods (Scouter's
    names), or give Scouter's tagged form (`{ToolCalled: {name: search}}`) in a task file."""

    kind: AgentKind
    name: str | None = Field(default=None, description="The tool (tool assertions).")
    names: list[str] = Field(default_factory=list, description="tool_call_sequence: in order.")
    arguments: dict[str, Any] | None = Field(
        default=None, description="tool_called_with_args: the arguments that must match."
    )
    argument_key: str | None = Field(default=None, description="tool_argument: which one.")
    path: str | None = Field(default=None, description="response_field: where, in the raw.")

    ToolCalled: ClassVar[ScouterVariant]
    ToolNotCalled: ClassVar[ScouterVariant]
    ToolCalledWithArgs: ClassVar[ScouterVariant]
    ToolCallSequence: ClassVar[ScouterVariant]
    ToolCallCount: ClassVar[ScouterVariant]
    ToolArgument: ClassVar[ScouterVariant]
    ToolResult: ClassVar[ScouterVariant]
    ResponseContent: ClassVar[ScouterVariant]
    ResponseModel: ClassVar[ScouterVariant]
    ResponseFinishReason: ClassVar[ScouterVariant]
    ResponseInputTokens: ClassVar[ScouterVariant]
    ResponseOutputTokens: ClassVar[ScouterVariant]
    ResponseTotalTokens: ClassVar[ScouterVariant]
    ResponseField: ClassVar[ScouterVariant]

    @model_validator(mode="after")
    def _check_fields(self) -> AgentAssertion:
        if self.kind in _NEEDS_NAME and not self.name:
            raise ValueError(f"{self.kind} needs the tool's name")
        if self.kind == "tool_call_sequence" and not self.names:
            raise ValueError("tool_call_sequence needs the tool names, in order")
        if self.kind == "tool_called_with_args" and self.arguments is None:
            raise ValueError("tool_called_with_args needs the arguments to match")
        if self.kind == "tool_argument" and not self.argument_key:
            raise ValueError("tool_argument needs the argument_key to read")
        if self.kind == "response_field":
            if not self.path:
                raise ValueError("response_field needs a path into the response")
            parse_path(self.path)
        return self

    # -- constructors (Scouter's names) ---------------------------------------------------------

    @classmethod
    def tool_called(cls, name: str) -> AgentAssertion:
        """True when the response called the tool `name`."""
        return cls(kind="tool_called", name=name)

    @classmethod
    def tool_not_called(cls, name: str) -> AgentAssertion:
        """True when the response did not call `name`."""
        return cls(kind="tool_not_called", name=name)

    @classmethod
    def tool_called_with_args(cls, name: str, arguments: dict[str, Any]) -> AgentAssertion:
        """True when some call of `name` has these arguments (a partial match: nested objects
        compare key by key, other values by equality; further arguments are allowed)."""
        return cls(kind="tool_called_with_args", name=name, arguments=arguments)

    @classmethod
    def tool_call_sequence(cls, names: list[str]) -> AgentAssertion:
        """True when the calls include `names` in this order (others may come between), as
        Scouter checks it."""
        return cls(kind="tool_call_sequence", names=names)

    @classmethod
    def tool_call_count(cls, name: str | None = None) -> AgentAssertion:
        """How many tool calls (of `name`, or of any tool)."""
        return cls(kind="tool_call_count", name=name)

    @classmethod
    def tool_argument(cls, name: str, argument_key: str) -> AgentAssertion:
        """The value of one argument of the call of `name`."""
        return cls(kind="tool_argument", name=name, argument_key=argument_key)

    @classmethod
    def tool_result(cls, name: str) -> AgentAssertion:
        """What the call of `name` returned (JSON text is parsed)."""
        return cls(kind="tool_result", name=name)

    @classmethod
    def response_content(cls) -> AgentAssertion:
        """The response's text (None when it has none, only tool calls)."""
        return cls(kind="response_content")

    @classmethod
    def response_model(cls) -> AgentAssertion:
        """The model that answered, as the response names it."""
        return cls(kind="response_model")

    @classmethod
    def response_finish_reason(cls) -> AgentAssertion:
        """Why the model stopped (`stop`, `tool_calls`, `end_turn`, `STOP`, ...)."""
        return cls(kind="response_finish_reason")

    @classmethod
    def response_input_tokens(cls) -> AgentAssertion:
        """Prompt tokens."""
        return cls(kind="response_input_tokens")

    @classmethod
    def response_output_tokens(cls) -> AgentAssertion:
        """Completion tokens."""
        return cls(kind="response_output_tokens")

    @classmethod
    def response_total_tokens(cls) -> AgentAssertion:
        """Prompt and completion tokens together."""
        return cls(kind="response_total_tokens")

    @classmethod
    def response_field(cls, path: str) -> AgentAssertion:
        """Any field of the raw response, by path (`choices[0].message.content`)."""
        return cls(kind="response_field", path=path)

    # -- evaluation -----------------------------------------------------------------------------

    def value(self, context: Any, provider: str | None = None) -> Any:
        """The value this assertion reads from `context` (a response, or a list of them).

        Raises:
            AgentError: the context is in no known shape, or cannot answer (see the module).
        """
        response = context if isinstance(context, AgentResponse) else _read(context, provider)
        kind, calls = self.kind, response.tool_calls
        if kind == "response_field":
            assert self.path is not None
            return resolve(response.raw, parse_path(self.path))
        if kind.startswith("response_"):
            return getattr(response, _RESPONSE_FIELDS[kind])
        if kind == "tool_call_count":
            return sum(1 for c in calls if self.name is None or c.name == self.name)
        if kind == "tool_call_sequence":
            wanted = iter(self.names)
            current = next(wanted, None)
            for call in calls:
                if current is not None and call.name == current:
                    current = next(wanted, None)
            return current is None
        mine = [c for c in calls if c.name == self.name]
        if kind == "tool_called":
            return bool(mine)
        if kind == "tool_not_called":
            return not mine
        if kind == "tool_called_with_args":
            assert self.arguments is not None
            return any(_partial_match(c.parsed_arguments(), self.arguments) for c in mine)
        call = self._one_call(mine, calls)
        if kind == "tool_argument":
            arguments = call.parsed_arguments()
            if self.argument_key not in arguments:
                raise AgentError(
                    f"tool {self.name!r} was called without argument {self.argument_key!r} "
                    f"(its arguments: {sorted(arguments) or 'none'})"
                )
            return arguments[self.argument_key]
        if call.result is _NO_RESULT:
            raise AgentError(
                f"the context holds no result of tool {self.name!r} (results are read from the "
                "plain form's tool_calls[].result, OpenAI responses' function_call_output, "
                "Anthropic tool_result blocks and Gemini functionResponse parts)"
            )
        return call.result

    def _one_call(self, mine: list[ToolCall], calls: list[ToolCall]) -> ToolCall:
        if not mine:
            made = ", ".join(c.name for c in calls) or "none"
            raise AgentError(f"tool {self.name!r} was not called (tool calls: {made})")
        if len(mine) > 1:
            raise AgentError(
                f"tool {self.name!r} was called {len(mine)} times and {self.kind} reads one "
                "call: check any call with tool_called_with_args, or count them with "
                "tool_call_count"
            )
        return mine[0]

    @classmethod
    def _tagged_fields(cls, kind: str, fields: dict[str, Any] | list[Any]) -> dict[str, Any]:
        if isinstance(fields, list):
            return {"names": fields}
        return fields


_RESPONSE_FIELDS = {
    "response_content": "text",
    "response_model": "model",
    "response_finish_reason": "finish_reason",
    "response_input_tokens": "input_tokens",
    "response_output_tokens": "output_tokens",
    "response_total_tokens": "total_tokens",
}


def _partial_match(actual: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and _partial_match(actual[key], value) for key, value in expected.items()
        )
    return bool(actual == expected)


SCOUTER_VARIANTS: dict[str, tuple[str, ...]] = {
    "ToolCalled": ("name",),
    "ToolNotCalled": ("name",),
    "ToolCalledWithArgs": ("name", "arguments"),
    "ToolCallSequence": ("names",),
    "ToolCallCount": ("name",),
    "ToolArgument": ("name", "argument_key"),
    "ToolResult": ("name",),
    "ResponseContent": (),
    "ResponseModel": (),
    "ResponseFinishReason": (),
    "ResponseInputTokens": (),
    "ResponseOutputTokens": (),
    "ResponseTotalTokens": (),
    "ResponseField": ("path",),
}
"""Scouter's variant of each assertion kind, with its fields in order."""

add_scouter_variants(AgentAssertion, SCOUTER_VARIANTS, {})


def assertion_to_scouter(assertion: AgentAssertion) -> dict[str, Any]:
    """`assertion` in Scouter's tagged form.

    Example:
        >>> assertion_to_scouter(AgentAssertion.tool_argument("search", "q"))
        {'ToolArgument': {'name': 'search', 'argument_key': 'q'}}
    """
    tag = "".join(part.capitalize() for part in assertion.kind.split("_"))
    return {tag: {name: getattr(assertion, name) for name in SCOUTER_VARIANTS[tag]}}
