"""Old import paths and names kept working for one minor version, with a warning naming the new.

A module that lost a name to a move or a rename binds `__getattr__ = moved_names(...)`; the
name resolves on first use, so an old path costs nothing until someone reaches for it.

Example:
    >>> import warnings
    >>> getter = moved_names("old.place", {"Thing": "scouter_flows.window:Window"})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     getter("Thing").__name__
    'Window'
    >>> str(caught[0].message)
    'old.place.Thing is deprecated: use scouter_flows.window.Window'
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from importlib import import_module
from typing import Any


def moved_names(module: str, targets: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` that serves each old name from its `"package.module:name"` target.

    The target is imported only when the old name is used: a deprecated path in a lower layer
    may point into a higher one without the lower layer importing it.
    """

    def attribute(name: str) -> Any:
        target = targets.get(name)
        if target is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        where, _, new = target.partition(":")
        warnings.warn(
            f"{module}.{name} is deprecated: use {where}.{new}", DeprecationWarning, stacklevel=2
        )
        return getattr(import_module(where), new)

    return attribute


def renamed_argument(
    function: str, old: str, new: str, old_value: Any, new_value: Any, default: Any = None
) -> Any:
    """The value of argument `new`, taken from deprecated `old` (with a warning) when given.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     renamed_argument("f", "store_url", "store", "sqlite://", None)
        'sqlite://'
    """
    if old_value is default:
        return new_value
    if new_value is not default:
        raise TypeError(f"{function}() got both {new!r} and its deprecated spelling {old!r}")
    warnings.warn(
        f"{function}({old}=...) is deprecated: use {function}({new}=...)",
        DeprecationWarning,
        stacklevel=3,
    )
    return old_value


def moved_module(old: str, new: str) -> None:
    """Make module `old` another name for module `new`, warning once that it moved.

    Called from the old module's body: every name of the new module, private ones included,
    stays reachable under the old path.
    """
    import sys

    warnings.warn(f"{old} is deprecated: import {new}", DeprecationWarning, stacklevel=3)
    sys.modules[old] = import_module(new)
