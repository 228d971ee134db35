"""The store on SQLite and on a real Postgres: migrations, profiles, idempotent runs, outbox."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import polars as pl
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from scouter_flows import (
    AlertRecord,
    ConfigError,
    Drifter,
    PsiDriftConfig,
    PsiDriftProfile,
    Store,
    StoreError,
    Window,
)
from scouter_flows.alerts.rules import drift_alerts
from scouter_flows.sqla import POSTGRES_DRIVER, create_engine, make_url
from scouter_flows.store import schema
from scouter_flows.store.schema import metadata
from tests.support import RESET_POSTGRES, head_revision, run_sql

HEAD_REVISION = head_revision()

WINDOW = Window(datetime(2026, 11, 21, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC))


def _profile(version: str = "1.0", scale: float = 1.0) -> PsiDriftProfile:
    data = pl.DataFrame(
        {"x": [i * scale for i in range(500)], "y": [float(i % 7) for i in range(500)]}
    )
    return Drifter().create_drift_profile(
        data, PsiDriftConfig(space="s", name="n", version=version)
    )


def test_migrations_match_the_models(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store:
        assert store.revision() == HEAD_REVISION
    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "version_table": "scouter_alembic_version"}
            )
            diff = [
                d
                for d in compare_metadata(context, metadata)
                if not (d[0] == "remove_table" and d[1].name == "scouter_alembic_version")
            ]
    finally:
        engine.dispose()
    assert diff == []


def test_downgrade_one_step_and_upgrade_again(store_url: str) -> None:
    profile = _profile()
    result = Drifter().compute_drift(pl.DataFrame({"x": [1e6] * 200, "y": [3.0] * 200}), profile)
    with Store(store_url, auto_upgrade=True) as store:
        pid = store.register_profile(profile)
        written = store.write_drift_run(pid, WINDOW, result, drift_alerts(result))
        store.downgrade("0001")
        assert store.revision() == "0001"
        assert store.runs()["run_id"].to_list() == [written.run_id]  # 0001's data survives
        store.upgrade()
        assert store.revision() == HEAD_REVISION
        assert len(store.alerts(run_id=written.run_id)) == written.pending_alerts > 0
        store.downgrade("base")
        assert store.revision() is None
        store.upgrade()
        assert store.register_profile(profile) == 1


def test_register_profile_is_idempotent_and_versions_are_immutable(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store:
        first = store.register_profile(_profile())
        assert store.register_profile(_profile()) == first  # rebuilt, same content
        with pytest.raises(StoreError, match=r"s/n/1\.0 .* already stored with different content"):
            store.register_profile(_profile(scale=2.0))
        assert store.register_profile(_profile(version="1.1", scale=2.0)) != first
        profile_id, loaded = store.get_profile("s", "n", "1.0")
        assert profile_id == first
        assert loaded.features == _profile().features
        with pytest.raises(StoreError, match="unknown profile s/n/9"):
            store.get_profile("s", "n", "9")


def test_rerun_of_a_window_leaves_one_set_of_rows(store_url: str) -> None:
    profile = _profile()
    drifted = pl.DataFrame(
        {"x": [i * 3.0 for i in range(500)], "y": [float(i % 7) for i in range(500)]}
    )
    result = Drifter().compute_drift(drifted, profile)
    assert result.drifted == ["x"]
    with Store(store_url, auto_upgrade=True) as store:
        pid = store.register_profile(profile)
        first = store.write_drift_run(pid, WINDOW, result, drift_alerts(result))
        second = store.write_drift_run(pid, WINDOW, result, drift_alerts(result))
        assert first.run_id == second.run_id
        assert store.runs().height == 1
        assert store.drift_results(first.run_id)["feature"].to_list() == ["x", "y"]
        assert len(store.alerts(run_id=first.run_id)) == 1
        assert second.pending_alerts == 1
        assert second.status == "drift"


def test_rerun_never_resends_an_alert_that_was_sent(store_url: str) -> None:
    profile = _profile()
    result = Drifter().compute_drift(
        pl.DataFrame({"x": [i * 3.0 for i in range(500)], "y": [float(i % 7) for i in range(500)]}),
        profile,
    )
    with Store(store_url, auto_upgrade=True) as store:
        pid = store.register_profile(profile)
        run = store.write_drift_run(pid, WINDOW, result, drift_alerts(result))
        (alert,) = store.alerts(run_id=run.run_id)
        store.mark_alert_sent(alert.id, "ref-1")
        again = store.write_drift_run(pid, WINDOW, result, drift_alerts(result))
        assert again.pending_alerts == 0
        (kept,) = store.alerts(run_id=run.run_id)
        assert (kept.status, kept.provider_ref, kept.attempts) == ("sent", "ref-1", 1)
        assert kept.sent_at is not None
        assert kept.sent_at.tzinfo is not None


def test_alert_failures_are_recorded(store_url: str) -> None:
    profile = _profile()
    alert = AlertRecord("k", "x", "psi_drift", "warning", 1.0, 0.1, "x drifted")
    result = Drifter().compute_drift(pl.DataFrame({"x": [1.0] * 100, "y": [1.0] * 100}), profile)
    with Store(store_url, auto_upgrade=True) as store:
        run = store.write_drift_run(store.register_profile(profile), WINDOW, result, [alert])
        (stored,) = store.alerts(run_id=run.run_id)
        store.mark_alert_failed(stored.id, "HTTP 500")
        store.mark_alert_failed(stored.id, "HTTP 503")
        (failed,) = store.alerts(status="failed")
        assert (failed.attempts, failed.last_error) == (2, "HTTP 503")


def test_runs_are_read_back_in_utc(store_url: str) -> None:
    profile = _profile()
    result = Drifter().compute_drift(pl.DataFrame({"x": [1.0] * 100, "y": [1.0] * 100}), profile)
    with Store(store_url, auto_upgrade=True) as store:
        store.write_drift_run(store.register_profile(profile), WINDOW, result)
        runs = store.runs(space="s")
    assert runs["window_start"].to_list() == [WINDOW.start]
    assert runs.schema["window_end"] == pl.Datetime("us", "UTC")


def test_schema_newer_than_the_package_is_refused(store_url: str) -> None:
    Store(store_url, auto_upgrade=True).close()
    run_sql(store_url, "UPDATE scouter_alembic_version SET version_num = '9999'")
    for auto in (True, False):
        with pytest.raises(
            StoreError, match="revision 9999, which this scouter-flows does not know"
        ):
            Store(store_url, auto_upgrade=auto)


def test_unmigrated_postgres_says_how_to_upgrade(postgres_url: str) -> None:
    run_sql(postgres_url, RESET_POSTGRES)
    with pytest.raises(StoreError, match="run `scouter-flows db upgrade`"):
        Store(postgres_url, auto_upgrade=False)


@pytest.mark.parametrize(
    "url", ["mysql://root:hunter2@localhost/db", "not a url", "oracle://u:hunter2@h/x"]
)
def test_unsupported_urls_fail_without_leaking_the_password(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        Store(url)
    assert "hunter2" not in str(info.value)


def test_unreachable_server_is_a_store_error_without_the_password() -> None:
    with pytest.raises(StoreError) as info:
        Store("postgresql://user:s3cret-pw@127.0.0.1:1/db", auto_upgrade=False)
    assert "s3cret-pw" not in str(info.value)
    assert "127.0.0.1:1" in str(info.value)


def test_repr_hides_the_password(postgres_url: str) -> None:
    url = make_url(postgres_url).set(password="s3cret-pw")  # trust auth ignores it
    with Store(url, auto_upgrade=True) as store:
        assert "s3cret-pw" not in repr(store)
        assert "***" in repr(store)


def test_a_profile_stored_before_alert_configs_existed_registers_again(store_url: str) -> None:
    profile = _profile()
    with Store(store_url, auto_upgrade=True) as store:
        first = store.register_profile(profile)
    # As an earlier release stored it: no alert_config in the body, another content hash.
    body = json.loads(profile.model_dump_json())
    del body["config"]["alert_config"]
    engine = create_engine(store_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.update(schema.profiles).values(body=body, content_hash="from-0.0.9"))
    finally:
        engine.dispose()
    with Store(store_url) as store:
        assert store.register_profile(profile) == first
        _, loaded = store.get_profile("s", "n", "1.0")
        assert loaded.config.alert_config == profile.config.alert_config
        with pytest.raises(StoreError, match="already stored with different content"):
            store.register_profile(_profile(scale=3.0))


def test_spans_stored_before_nanoseconds_read_back_to_the_microsecond(store_url: str) -> None:
    with Store(store_url, auto_upgrade=True) as store:
        store.downgrade("0005")
        run_sql(
            store_url,
            "INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, start_time, "
            "end_time, duration_ms, status, service_name, attributes, events) VALUES ("
            f"'{'a' * 32}', '{'b' * 16}', NULL, 'root', 'INTERNAL', "
            "'2026-11-21 10:00:00.000001+00:00', '2026-11-21 10:00:00.000501+00:00', 0.5, "
            "'OK', NULL, '{}', '[]')",
        )
        store.upgrade()
        (span,) = store.spans(["a" * 32]).iter_rows(named=True)
    assert span["start_time"] == datetime(2026, 11, 21, 10, 0, 0, 1, tzinfo=UTC)
    assert span["end_time"] == datetime(2026, 11, 21, 10, 0, 0, 501, tzinfo=UTC)


def test_a_missing_postgres_driver_is_named_with_what_installs_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SQLAlchemy 1.4 (the floors' environment) has no psycopg 3 dialect: the extra would not
    # help there, so the message names psycopg2.
    hint = {
        "psycopg": "pip install 'scouter-flows[postgres]'",
        "psycopg2": "pip install psycopg2-binary",
    }[POSTGRES_DRIVER]
    monkeypatch.setitem(sys.modules, POSTGRES_DRIVER, None)  # as if it were not installed
    with pytest.raises(ConfigError, match=f"needs the {POSTGRES_DRIVER} driver") as info:
        Store("postgresql://scouter@127.0.0.1:5432/scouter")
    assert hint in str(info.value)
