"""Task files in Scouter's format: a YAML or JSON list of tasks, or an object with `tasks:`.

Errors name the file, the item's index and id, and for YAML its line.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

import yaml
from pydantic import ValidationError

from scouter_flows.errors import ConfigError
from scouter_flows.evaluate.prompts import load_prompt
from scouter_flows.evaluate.task_graph import (
    AgentAssertionTask,
    AnyTask,
    AssertionTask,
    LLMJudgeTask,
    TraceAssertionTask,
    execution_plan,
)
from scouter_flows.profiles.base import describe_validation_error

TASK_TYPES: dict[str, type[AnyTask]] = {
    "Assertion": AssertionTask,
    "LLMJudge": LLMJudgeTask,
    "TraceAssertion": TraceAssertionTask,
    "AgentAssertion": AgentAssertionTask,
}


def load_tasks(path: str | Path) -> list[AnyTask]:
    """The tasks of a YAML (`.yaml`, `.yml`) or JSON file, checked as a graph.

    Raises:
        ConfigError: the file is missing or malformed, an item is invalid (named by index, id
            and line), or the graph has duplicate ids, unknown dependencies or a cycle.
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"task file not found: {source}") from None
    items, lines = _parse(source, text)
    tasks = [_task(source, i, item, lines[i]) for i, item in enumerate(items)]
    try:
        execution_plan(tasks)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return tasks


class TasksFile(Sequence[AnyTask]):
    """The tasks of a task file as a sequence (Scouter's `TasksFile`): `len`, index, slice and
    iterate; pass it wherever a task list goes.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "tasks.yaml"
        >>> _ = path.write_text("- {id: answered, context_path: text, operator: IsNotEmpty}")
        >>> tasks = TasksFile.from_path(path)
        >>> len(tasks), tasks[0].id, [t.id for t in tasks[:1]]
        (1, 'answered', ['answered'])
    """

    def __init__(self, tasks: Sequence[AnyTask], path: Path | None = None) -> None:
        self._tasks = list(tasks)
        self.path = path

    @classmethod
    def from_path(cls, path: str | Path) -> TasksFile:
        """The tasks of the YAML or JSON file at `path` (see `load_tasks`)."""
        return cls(load_tasks(path), Path(path))

    @overload
    def __getitem__(self, index: int) -> AnyTask: ...
    @overload
    def __getitem__(self, index: slice) -> list[AnyTask]: ...
    def __getitem__(self, index: int | slice) -> AnyTask | list[AnyTask]:
        return self._tasks[index]

    def __len__(self) -> int:
        return len(self._tasks)

    def __repr__(self) -> str:
        where = f"{str(self.path)!r}, " if self.path else ""
        return f"TasksFile({where}{len(self)} tasks: {', '.join(t.id for t in self._tasks)})"


def _parse(source: Path, text: str) -> tuple[list[Any], list[int | None]]:
    if source.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{source}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
        items = _items(source, data)
        return items, [None] * len(items)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc})") from None
    items = _items(source, data)
    return items, _item_lines(node, len(items))


def _items(source: Path, data: Any) -> list[Any]:
    if isinstance(data, dict) and "tasks" in data:
        data = data["tasks"]
    if not isinstance(data, list):
        raise ConfigError(
            f"{source}: expected a list of tasks (or an object with a 'tasks' list), found "
            f"{type(data).__name__}"
        )
    if not data:
        raise ConfigError(f"{source}: the task list is empty")
    return data


def _item_lines(node: Any, count: int) -> list[int | None]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "tasks":
                node = value
                break
    if isinstance(node, yaml.SequenceNode):
        return [item.start_mark.line + 1 for item in node.value]
    return [None] * count


def _task(source: Path, index: int, item: Any, line: int | None) -> AnyTask:
    where = f"{source}: task {index}" + (f" (line {line})" if line else "")
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: expected an object, found {type(item).__name__}")
    if "id" in item:
        where += f" id {item['id']!r}"
    kind = item.get("task_type", "Assertion")
    model = TASK_TYPES.get(str(kind))
    if model is None:
        raise ConfigError(f"{where}: unknown task_type {kind!r}; expected {sorted(TASK_TYPES)}")
    fields = {**item, "task_type": kind}
    if "prompt" in fields:
        try:
            fields["prompt"] = load_prompt(fields["prompt"], source.parent)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            task = model.model_validate(fields)
        except ValidationError as exc:
            raise ConfigError(f"{where}: {describe_validation_error(exc)}") from None
    for warning in caught:  # say which file and task a warning is about
        warnings.warn(f"{where}: {warning.message}", warning.category, stacklevel=3)
    return task
