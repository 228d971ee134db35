"""The fastapi that Prefect's own server needs before Prefect 3.7.

The `prefect` extra cannot cap fastapi for every Prefect it admits: the server of Prefect 3.4
to 3.6 refuses the task runs of subflows from fastapi 0.132 (422) and fails on every request
from 0.137 (`'PrefectRouter' object has no attribute 'routes'`), while Prefect 3.9 needs 0.137
or newer. A local server (the ephemeral one a flow starts without `PREFECT_API_URL`, or
`prefect server start`) in such an environment is named here with the command that mends it.
"""

from __future__ import annotations

import os
import warnings
from importlib.metadata import PackageNotFoundError, version

from packaging.version import Version  # a dependency of Prefect itself

FIRST_PREFECT_ON_NEW_FASTAPI = Version("3.7")
FIRST_FASTAPI_TOO_NEW = Version("0.132")


def server_fastapi_problem(prefect_version: str, fastapi_version: str) -> str | None:
    """Why Prefect's server would fail with these versions, or None when it works.

    Example:
        >>> server_fastapi_problem("3.7.7", "0.150.0") is None
        True
        >>> print(server_fastapi_problem("3.4.21", "0.150.0"))
        Prefect 3.4.21's server fails with fastapi 0.150.0: pip install "fastapi<0.132"
    """
    if Version(prefect_version) >= FIRST_PREFECT_ON_NEW_FASTAPI:
        return None
    if Version(fastapi_version) < FIRST_FASTAPI_TOO_NEW:
        return None
    return (
        f"Prefect {prefect_version}'s server fails with fastapi {fastapi_version}: "
        f'pip install "fastapi<{FIRST_FASTAPI_TOO_NEW}"'
    )


def warn_if_the_local_server_would_fail() -> None:
    """Warn when this environment would start a Prefect server that cannot work."""
    if os.environ.get("PREFECT_API_URL"):
        return  # a server elsewhere: its own fastapi is what counts
    try:
        problem = server_fastapi_problem(version("prefect"), version("fastapi"))
    except PackageNotFoundError:
        return
    if problem:
        warnings.warn(problem, RuntimeWarning, stacklevel=2)
