"""No credential ever reaches a log line, an exception, a repr or a stored row."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from scouter_flows import DispatchError, Store
from scouter_flows.alerts import Credentials, RetryPolicy, dispatch_pending
from scouter_flows.sqla import create_engine
from tests.alerts.helpers import Monitor, slack_and_opsgenie
from tests.fake_providers import (
    OPSGENIE_KEY,
    SLACK_TOKEN,
    WEBHOOK_PATH,
    fake_opsgenie,
    fake_slack,
)

SECRETS = (SLACK_TOKEN, OPSGENIE_KEY, WEBHOOK_PATH.rsplit("/", 1)[-1])
CONFIG = slack_and_opsgenie()


def _dump(store_url: str) -> str:
    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            return "\n".join(
                repr(row)
                for table in tables
                for row in conn.execute(sa.text(f"SELECT * FROM {table}"))
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("webhook", [False, True])
def test_no_token_in_logs_exceptions_or_rows(
    store_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    webhook: bool,
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with (
        Store(store_url, auto_upgrade=True) as store,
        fake_slack("401", "500", "hang", "429", *([] if webhook else ["not_ok"])) as slack,
        fake_opsgenie("401", "500", "hang", "429") as genie,
    ):
        if webhook:
            monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.url + WEBHOOK_PATH)
        else:
            monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
            monkeypatch.setenv("SLACK_API_URL", slack.url + "/api/")
        monkeypatch.setenv("OPSGENIE_API_KEY", OPSGENIE_KEY)
        monkeypatch.setenv("OPSGENIE_API_URL", genie.url)
        credentials = Credentials.from_env()
        seen += [repr(credentials), str(credentials), credentials.model_dump_json()]
        monitor = Monitor(store, CONFIG)
        run = monitor.run(0, {"a", "b"})
        for _ in range(6):  # every scripted failure, then success
            try:
                dispatch_pending(
                    store, run_id=run.run_id, retry=RetryPolicy(attempts=1, timeout=1.0)
                )
            except DispatchError as exc:
                seen += [str(exc), repr(exc)]
        assert {a.status for a in store.alerts(run_id=run.run_id)} == {"sent"}
        assert slack.delivered
        assert genie.delivered
        seen += [repr(a) for a in store.alerts()]
    seen += [caplog.text, _dump(store_url)]
    text = "\n".join(seen)
    assert "401" in text  # the failures were captured...
    for secret in SECRETS:
        assert secret not in text  # ...and no secret with them
