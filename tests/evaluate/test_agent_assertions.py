"""Agent assertions over the response shapes of OpenAI (chat completions and responses),
Anthropic, Gemini and the plain form, written from the providers' API references."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scouter_flows.evaluate import (
    AgentAssertion,
    AgentAssertionTask,
    AgentEvalConfig,
    AgentEvalProfile,
    AssertionTask,
    EvalDataset,
    EvalRecord,
    load_tasks,
)
from scouter_flows.evaluate.agent import AgentError, read_response
from scouter_flows.evaluate.paths import PathError

OPENAI_CHAT = {
    "id": "chatcmpl-9x",
    "object": "chat.completion",
    "created": 1733600000,
    "model": "gpt-4o-2024-08-06",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {
                            "name": "get_weather",
                            "arguments": '{"city": "Paris", "unit": {"temp": "c", "wind": "kmh"}}',
                        },
                    },
                    {
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "search", "arguments": '{"q": "umbrella"}'},
                    },
                ],
            },
            "logprobs": None,
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {"prompt_tokens": 82, "completion_tokens": 17, "total_tokens": 99},
}
OPENAI_RESPONSES = {
    "id": "resp_67",
    "object": "response",
    "created_at": 1733600000,
    "status": "completed",
    "model": "gpt-4.1-2025-04-14",
    "output": [
        {
            "type": "function_call",
            "id": "fc_1",
            "call_id": "call_a",
            "name": "get_weather",
            "arguments": '{"city": "Paris", "unit": {"temp": "c"}}',
            "status": "completed",
        },
        {"type": "function_call_output", "call_id": "call_a", "output": '{"temp": 18}'},
        {
            "type": "message",
            "id": "msg_1",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "18 degrees in Paris.", "annotations": []}],
        },
    ],
    "usage": {"input_tokens": 50, "output_tokens": 12, "total_tokens": 62},
}
ANTHROPIC = {
    "id": "msg_01A",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [
        {"type": "text", "text": "Let me check the weather."},
        {
            "type": "tool_use",
            "id": "toolu_01",
            "name": "get_weather",
            "input": {"city": "Paris", "unit": {"temp": "c"}},
        },
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {"input_tokens": 120, "output_tokens": 40},
}
GEMINI = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [
                    {"text": "Checking. "},
                    {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
                ],
            },
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {"promptTokenCount": 30, "candidatesTokenCount": 8, "totalTokenCount": 38},
    "modelVersion": "gemini-2.5-flash",
}
PLAIN = {
    "tool_calls": [
        {"name": "get_weather", "arguments": {"city": "Paris"}, "result": {"temp": 18}},
        {"name": "search", "arguments": {"q": "umbrella"}},
    ],
    "response": "18 degrees; take an umbrella.",
    "model": "travel-agent-v2",
    "finish_reason": "stop",
    "usage": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15},
}

A = AgentAssertion
EXPECTED: dict[str, dict[str, Any]] = {
    # assertion label -> shape -> value
    "tool_called": {
        "openai": True,
        "responses": True,
        "anthropic": True,
        "gemini": True,
        "plain": True,
    },
    "tool_not_called": {
        "openai": False,
        "responses": False,
        "anthropic": False,
        "gemini": False,
        "plain": False,
    },
    "with_args": {
        "openai": True,
        "responses": True,
        "anthropic": True,
        "gemini": False,
        "plain": False,
    },
    "sequence": {
        "openai": True,
        "responses": False,
        "anthropic": False,
        "gemini": False,
        "plain": True,
    },
    "count": {"openai": 2, "responses": 1, "anthropic": 1, "gemini": 1, "plain": 2},
    "argument": {
        "openai": "Paris",
        "responses": "Paris",
        "anthropic": "Paris",
        "gemini": "Paris",
        "plain": "Paris",
    },
    "content": {
        "openai": None,
        "responses": "18 degrees in Paris.",
        "anthropic": "Let me check the weather.",
        "gemini": "Checking. ",
        "plain": "18 degrees; take an umbrella.",
    },
    "model": {
        "openai": "gpt-4o-2024-08-06",
        "responses": "gpt-4.1-2025-04-14",
        "anthropic": "claude-sonnet-4-5",
        "gemini": "gemini-2.5-flash",
        "plain": "travel-agent-v2",
    },
    "finish": {
        "openai": "tool_calls",
        "responses": "completed",
        "anthropic": "tool_use",
        "gemini": "STOP",
        "plain": "stop",
    },
    "input": {"openai": 82, "responses": 50, "anthropic": 120, "gemini": 30, "plain": 10},
    "output": {"openai": 17, "responses": 12, "anthropic": 40, "gemini": 8, "plain": 5},
    "total": {"openai": 99, "responses": 62, "anthropic": 160, "gemini": 38, "plain": 15},
}
ASSERTIONS = {
    "tool_called": A.tool_called("get_weather"),
    "tool_not_called": A.tool_not_called("get_weather"),
    "with_args": A.tool_called_with_args("get_weather", {"unit": {"temp": "c"}}),
    "sequence": A.tool_call_sequence(["get_weather", "search"]),
    "count": A.tool_call_count(),
    "argument": A.tool_argument("get_weather", "city"),
    "content": A.response_content(),
    "model": A.response_model(),
    "finish": A.response_finish_reason(),
    "input": A.response_input_tokens(),
    "output": A.response_output_tokens(),
    "total": A.response_total_tokens(),
}
SHAPES = {
    "openai": OPENAI_CHAT,
    "responses": OPENAI_RESPONSES,
    "anthropic": ANTHROPIC,
    "gemini": GEMINI,
    "plain": PLAIN,
}


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("label", list(ASSERTIONS))
def test_every_assertion_on_every_shape(label: str, shape: str) -> None:
    assert ASSERTIONS[label].value(SHAPES[shape]) == EXPECTED[label][shape]


def test_shapes_are_recognised_and_the_provider_hint_forces_one() -> None:
    found = {name: read_response(value).shape for name, value in SHAPES.items()}
    assert found == {
        "openai": "openai",
        "responses": "openai_responses",
        "anthropic": "anthropic",
        "gemini": "gemini",
        "plain": "plain",
    }
    with pytest.raises(AgentError, match="unknown provider 'cohere'"):
        read_response(PLAIN, "cohere")
    # Gemini's snake_case spelling (the Python SDK's to_dict) reads the same.
    snake = {
        "candidates": [
            {
                "content": {"parts": [{"function_call": {"name": "f", "args": {"a": 1}}}]},
                "finish_reason": "STOP",
            }
        ],
        "usage_metadata": {"prompt_token_count": 3, "total_token_count": 4},
        "model_version": "gemini-x",
    }
    response = read_response(snake)
    assert (response.model, response.total_tokens, response.tool_calls[0].name) == (
        "gemini-x",
        4,
        "f",
    )


def test_tool_results_and_fields_by_path() -> None:
    assert A.tool_result("get_weather").value(OPENAI_RESPONSES) == {"temp": 18}
    assert A.tool_result("get_weather").value(PLAIN) == {"temp": 18}
    assert A.response_field("choices[0].message.tool_calls[1].id").value(OPENAI_CHAT) == "call_2"
    assert A.response_field("usage.output_tokens").value(ANTHROPIC) == 40
    assert A.tool_call_count("search").value(OPENAI_CHAT) == 1


def test_a_conversation_reads_as_one_response() -> None:
    turns = [
        ANTHROPIC,
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01", "content": '{"temp": 18}'}
            ],
        },
        {
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5",
            "content": [
                {"type": "tool_use", "id": "toolu_02", "name": "search", "input": {"q": "rain"}},
                {"type": "text", "text": "18 degrees."},
            ],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 200, "output_tokens": 10},
        },
    ]
    assert A.tool_call_sequence(["get_weather", "search"]).value(turns) is True
    assert A.tool_result("get_weather").value(turns) == {"temp": 18}  # from the next turn
    assert A.response_content().value(turns) == "18 degrees."
    assert A.response_finish_reason().value(turns) == "end_turn"
    assert A.response_input_tokens().value(turns) == 320  # summed over the turns
    assert A.tool_call_count().value(turns) == 2


@pytest.mark.parametrize(
    ("assertion", "context", "message"),
    [
        (
            A.tool_argument("book", "when"),
            PLAIN,
            "tool 'book' was not called (tool calls: get_weather, search)",
        ),
        (A.tool_result("search"), PLAIN, "holds no result of tool 'search'"),
        (
            A.tool_argument("get_weather", "day"),
            PLAIN,
            "called without argument 'day' (its arguments: ['city'])",
        ),
        (
            A.tool_argument("search", "q"),
            {
                "tool_calls": [
                    {"name": "search", "arguments": {"q": 1}},
                    {"name": "search", "arguments": {"q": 2}},
                ]
            },
            "tool 'search' was called 2 times and tool_argument reads one call",
        ),
        (
            A.tool_called_with_args("search", {"q": "x"}),
            {
                "choices": [
                    {
                        "message": {
                            "tool_calls": [
                                {"function": {"name": "search", "arguments": '{"q": "x"'}}
                            ]
                        }
                    }
                ]
            },
            "the arguments of tool 'search' are not JSON",
        ),
        (A.tool_called("x"), {"answer": "42"}, "not a response of OpenAI, Anthropic or Gemini"),
        (A.tool_called("x"), "plain text", "the context is a str, not a response object"),
        (A.tool_called("x"), [], "empty list of responses"),
        (A.tool_called("x"), {"tool_calls": ["search"]}, "tool_calls[0] is not an object"),
        (A.response_field("usage.cost"), PLAIN, "cost"),
    ],
)
def test_every_error_path_names_what_went_wrong(
    assertion: AgentAssertion, context: Any, message: str
) -> None:
    with pytest.raises(PathError) as raised:  # AgentError, or the path's own for response_field
        assertion.value(context)
    assert message in str(raised.value)


def test_bad_arguments_do_not_stop_the_assertions_that_need_none() -> None:
    broken = {
        "choices": [
            {"message": {"tool_calls": [{"function": {"name": "search", "arguments": "not json"}}]}}
        ]
    }
    assert A.tool_called("search").value(broken) is True
    assert A.tool_call_count().value(broken) == 1


def test_bad_assertions_fail_when_built() -> None:
    with pytest.raises(ValueError, match="needs the tool's name"):
        AgentAssertion(kind="tool_called")
    with pytest.raises(ValueError, match="needs the tool names"):
        AgentAssertion(kind="tool_call_sequence")
    with pytest.raises(ValueError, match="needs the argument_key"):
        AgentAssertion(kind="tool_argument", name="x")
    with pytest.raises(ValueError, match="unknown provider"):
        AgentAssertionTask(
            id="t", operator="Equals", assertion=A.tool_called("x"), provider="cohere"
        )


def test_scouters_variant_classes_build_and_match() -> None:
    built = AgentAssertion.ToolCalledWithArgs("search", {"q": "x"})
    assert built == A.tool_called_with_args("search", {"q": "x"})
    assert isinstance(built, AgentAssertion.ToolCalledWithArgs)
    assert not isinstance(built, AgentAssertion.ToolCalled)
    assert AgentAssertion.model_validate({"ToolArgument": {"name": "a", "argument_key": "b"}}) == (
        A.tool_argument("a", "b")
    )
    assert AgentAssertion.model_validate({"ResponseContent": {}}) == A.response_content()


TASKS_YAML = """\
tasks:
  - task_type: AgentAssertion
    id: searched
    assertion: {ToolCalled: {name: search}}
    operator: Equals
    expected_value: true
    context_path: response
    condition: true
  - task_type: AgentAssertion
    id: query
    assertion: {ToolArgument: {name: search, argument_key: q}}
    operator: Contains
    expected_value: umbrella
    context_path: response
    depends_on: [searched]
  - task_type: AgentAssertion
    id: cheap
    assertion: {ResponseTotalTokens: {}}
    operator: LessThan
    expected_value: 100
    context_path: response
    provider: OpenAI
  - task_type: Assertion
    id: has_user
    context_path: user
    operator: IsNotEmpty
"""


def test_scouter_task_files_run_with_gates_and_other_tasks(tmp_path: Path) -> None:
    (tmp_path / "tasks.yaml").write_text(TASKS_YAML)
    tasks = load_tasks(tmp_path / "tasks.yaml")
    records = [
        EvalRecord(id="good", context={"response": OPENAI_CHAT, "user": "u1"}),
        EvalRecord(id="no_search", context={"response": GEMINI, "user": "u2"}),
        EvalRecord(id="garbled", context={"response": {"text": "?"}, "user": "u3"}),
    ]
    frame = EvalDataset(records, tasks).evaluate().to_polars()
    found = {(r, t): s for r, t, s in frame.select("record_id", "task_id", "status").rows()}
    assert found == {
        ("good", "searched"): "pass",
        ("good", "query"): "pass",
        ("good", "cheap"): "pass",
        ("good", "has_user"): "pass",
        ("no_search", "searched"): "fail",
        ("no_search", "query"): "skipped",  # behind the failed gate
        ("no_search", "cheap"): "error",  # provider OpenAI named, a Gemini response given
        ("no_search", "has_user"): "pass",
        ("garbled", "searched"): "error",
        ("garbled", "query"): "skipped",
        ("garbled", "cheap"): "error",
        ("garbled", "has_user"): "pass",
    }
    messages = {(r, t): m for r, t, m in frame.select("record_id", "task_id", "message").rows()}
    assert messages[("garbled", "searched")].startswith("response: the context is not a response")
    assert (
        "provider 'openai' was named, but the context has no 'choices'"
        in (messages[("no_search", "cheap")])
    )
    assert messages[("no_search", "query")] == "gate 'searched' did not pass"


def test_a_profile_with_agent_tasks_round_trips_through_scouters_file(tmp_path: Path) -> None:
    tasks = [
        AgentAssertionTask(
            id="searched",
            operator="Equals",
            expected_value=True,
            assertion=A.tool_called("search"),
            provider="openai",
        ),
        AgentAssertionTask(
            id="calls",
            operator="LessThanOrEqual",
            expected_value=3,
            assertion=A.tool_call_count(),
            context_path="response",
        ),
        AssertionTask(id="answered", operator="IsNotEmpty", context_path="response.response"),
    ]
    profile = AgentEvalProfile(
        config=AgentEvalConfig(space="support", name="bot", version="1.0.0"), tasks=tasks
    )
    path = tmp_path / "scouter.json"
    document = json.loads(profile.to_scouter_json(path))
    agent = document["tasks"]["agent"]
    assert [t["id"] for t in agent] == ["searched", "calls"]
    assert agent[0]["assertion"] == {"ToolCalled": {"name": "search"}}
    assert agent[0]["provider"] == "OpenAI"
    assert agent[1]["assertion"] == {"ToolCallCount": {"name": None}}
    read_back = AgentEvalProfile.from_file(path).tasks  # Scouter's file (grouped by kind)
    assert {t.id: t for t in read_back} == {t.id: t for t in profile.tasks}
    ours = profile.save_to_json(tmp_path / "ours.json")
    assert AgentEvalProfile.from_file(ours) == profile
