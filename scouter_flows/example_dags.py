"""The example Airflow DAGs: shipped in the wheel as `scouter_flows/dags/`, read from the
repository's `dags/` in a clone."""

from __future__ import annotations

import shutil
from pathlib import Path

from scouter_flows.errors import ConfigError


def example_dags_folder() -> Path:
    """Where the example DAG files are: inside the installed package, else in the clone.

    Raises:
        ConfigError: neither is there (an install without them).
    """
    package = Path(__file__).parent
    for folder in (package / "dags", package.parent / "dags"):
        if any(folder.glob("*.py")):
            return folder
    raise ConfigError(f"no example DAGs next to {package}; reinstall scouter-flows from its wheel")


def copy_example_dags(directory: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Copy every example DAG into `directory` (created if missing); the copies' paths.

    Example:
        >>> import tempfile
        >>> names = [p.name for p in copy_example_dags(tempfile.mkdtemp())]
        >>> "drift_monitor.py" in names
        True

    Raises:
        ConfigError: a file of the same name is there and `overwrite` is off (nothing is
            copied then).
    """
    target = Path(directory)
    sources = sorted(example_dags_folder().glob("*.py"))
    taken = [target / s.name for s in sources if (target / s.name).exists()]
    if taken and not overwrite:
        raise ConfigError(
            f"{', '.join(str(p) for p in taken)} already exist; pass --overwrite to replace them"
        )
    target.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy2(source, target / source.name)) for source in sources]
