"""Lazy package exports: a name's module is imported the first time the name is read."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

from scouter_flows.deprecation import moved_names


def lazy_exports(
    package: str,
    exports: Mapping[str, str],
    namespace: dict[str, Any],
    deprecated: Mapping[str, str] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module `__getattr__` that imports `exports[name]` on first access (and keeps the value
    in `namespace`, the package's globals), and the matching `__dir__`. `deprecated` maps old
    names to their `"module:new_name"`; they resolve with a warning and are not listed."""
    old_names = moved_names(package, dict(deprecated or {}))

    def getattr_(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            return old_names(name)
        value = getattr(import_module(module), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted(namespace.get("__all__", exports))

    return getattr_, dir_
