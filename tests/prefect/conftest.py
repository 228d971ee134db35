"""One temporary Prefect server for the whole session (starting one takes about 15 s)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prefect.logging import configuration
from prefect.testing.utilities import prefect_test_harness

# Prefect configures logging on first import of its flow API, binding its console handler to
# whatever sys.stderr is then; done here, that is the session's capture rather than the
# stream of one test's capsys, which is closed when that test ends. (Prefect 3.4 names it
# setup_logging, and configures again on each call.)
getattr(configuration, "ensure_logging_setup", configuration.setup_logging)()


@pytest.fixture(autouse=True, scope="session")
def prefect_server() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield
