"""The one error hierarchy of scouter-flows.

Every message says what went wrong, where (file, column, field or value) and what was expected.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataError",
    "DispatchError",
    "EvalError",
    "ScouterFlowsError",
    "StoreError",
    "StoreUnavailableError",
]


class ScouterFlowsError(RuntimeError):
    """Base class of every error raised on purpose by scouter-flows. A `RuntimeError`, as
    Scouter's errors are, so that code written against Scouter still catches it."""


class ConfigError(ScouterFlowsError, ValueError):
    """A configuration, profile or parameter is invalid."""


class DataError(ScouterFlowsError, ValueError):
    """Input data is missing, empty, of the wrong shape or of the wrong type."""


class StoreError(ScouterFlowsError):
    """The results store cannot be opened, migrated, read or written."""


class StoreUnavailableError(StoreError):
    """The store did not answer: a connection failed, timed out or was lost, or a lock was
    held too long. The data was fine; trying again later may succeed."""


class DispatchError(ScouterFlowsError):
    """One or more alerts could not be delivered; they stay in the outbox for a retry."""


class EvalError(ScouterFlowsError):
    """A GenAI evaluation task or dataset is invalid."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (of the driver's own error, when a database
    library wraps one), else its type name: enough to say why, short enough for one line.

    Example:
        >>> first_line(ValueError("bad value\\nmore detail"))
        'bad value'
    """
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class UnknownRecordError(ScouterFlowsError, KeyError):
    """`results[record_id]` named no record: a `KeyError`, and a `RuntimeError` as Scouter's."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""
