"""Scouter's profile JSON crosses both ways: read through every entry point, judged as Scouter's
bins say, written back value for value, and refused with the field named when it is wrong.

The Scouter documents here are written by hand from Scouter 0.25's serde structs
(`PsiDriftProfile`, `SpcDriftProfile`, `CustomDriftProfile` and their configs).
"""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from croniter import croniter
from pydantic import ValidationError

from scouter_flows import (
    ConfigError,
    CustomDriftProfile,
    Drifter,
    PsiDriftConfig,
    PsiDriftProfile,
    SpcDriftConfig,
    SpcDriftProfile,
    Store,
)
from scouter_flows.profiles.alerting import normalise_cron, to_seconds_cron
from scouter_flows.tasks.drift import load_profile, read_profile_file

UID7 = "019a0000-0000-7000-8000-000000000000"  # a uuid7 whose time is 2025-10-20T05:03:11.36Z


def scouter_psi() -> dict[str, Any]:
    return {
        "features": {
            "x": {
                "id": "x",
                "bins": [
                    {"id": 1, "lower_limit": "-inf", "upper_limit": -0.5, "proportion": 0.25},
                    {"id": 2, "lower_limit": -0.5, "upper_limit": -0.5, "proportion": 0.0},
                    {"id": 3, "lower_limit": -0.5, "upper_limit": 0.75, "proportion": 0.5},
                    {"id": 4, "lower_limit": 0.75, "upper_limit": "inf", "proportion": 0.25},
                ],
                "timestamp": "2026-05-01T10:11:12.123456789Z",
                "bin_type": "Numeric",
            },
            "colour": {
                "id": "colour",
                "bins": [
                    {"id": 1, "lower_limit": None, "upper_limit": None, "proportion": 0.3},
                    {"id": 0, "lower_limit": None, "upper_limit": None, "proportion": 0.7},
                ],
                "timestamp": "2026-05-01T10:11:12.5Z",
                "bin_type": "Category",
            },
        },
        "config": {
            "space": "fraud",
            "name": "scorer",
            "version": "1.0.0",
            "uid": UID7,
            "alert_config": {
                "schedule": "0 0 9 * * 2-6",
                "features_to_monitor": ["x"],
                "dispatch_config": {"Console": {"enabled": True}},
                "threshold": {"Normal": {"alpha": 0.01}},
            },
            "feature_map": {"features": {"colour": {"blue": 0, "red": 1, "missing": 2}}},
            "drift_type": "Psi",
            "categorical_features": ["colour"],
            "binning_strategy": {"EqualWidthBinning": {"method": {"Manual": {"num_bins": 4}}}},
        },
        "scouter_version": "0.25.0",
    }


def scouter_spc() -> dict[str, Any]:
    return {
        "features": {
            "x": {
                "id": "x",
                "center": 1.5,
                "one_ucl": 2.5,
                "one_lcl": 0.5,
                "two_ucl": 3.5,
                "two_lcl": -0.5,
                "three_ucl": 4.5,
                "three_lcl": -1.5,
                "timestamp": "2026-05-01T10:11:12.123456789Z",
            }
        },
        "config": {
            "sample_size": 25,
            "sample": True,
            "space": "fraud",
            "name": "scorer",
            "version": "1.0.0",
            "uid": UID7,
            "alert_config": {
                "rule": {"rule": "8 16 4 8 2 4 1 1", "zones_to_monitor": ["Zone1", "Zone4"]},
                "schedule": "0 0,30 * * * * *",
                "features_to_monitor": [],
                "dispatch_config": {"Slack": {"channel": "#ml-alerts"}},
            },
            "feature_map": {"features": {}},
            "drift_type": "Spc",
        },
        "scouter_version": "0.25.0",
    }


def scouter_custom() -> dict[str, Any]:
    return {
        "config": {
            "sample_size": 25,
            "space": "fraud",
            "name": "scorer",
            "version": "1.0.0",
            "uid": UID7,
            "alert_config": {
                "dispatch_config": {"OpsGenie": {"team": "ml", "priority": "P5"}},
                "schedule": "0 0 */6 * * *",
                "alert_conditions": {
                    "mae": {"baseline_value": 1.0, "alert_threshold": "Outside", "delta": 0.5},
                    "accuracy": {"baseline_value": 0.9, "alert_threshold": "Below", "delta": None},
                },
            },
            "drift_type": "Custom",
        },
        "metrics": {"mae": 1.0, "accuracy": 0.9},
        "scouter_version": "0.25.0",
    }


DOCUMENTS = {
    PsiDriftProfile: scouter_psi,
    SpcDriftProfile: scouter_spc,
    CustomDriftProfile: scouter_custom,
}


@pytest.mark.parametrize("model", list(DOCUMENTS), ids=lambda m: m.__name__)
def test_every_entry_point_reads_scouter_json_and_writes_it_back(
    model: type[Any], tmp_path: Path
) -> None:
    document = DOCUMENTS[model]()
    path = tmp_path / "scouter_profile.json"
    path.write_text(json.dumps(document))
    read = [
        model.from_file(path),
        model.load_from_json(path),
        model.model_validate_json(path.read_text()),
        model.model_validate(document),
        read_profile_file(path),
    ]
    assert all(profile == read[0] for profile in read)
    assert json.loads(read[0].to_scouter_json()) == document
    # and again after a trip through this package's own file and the store
    ours = model.from_file(read[0].save_to_json(tmp_path / "ours.json"))
    assert json.loads(ours.to_scouter_json()) == document
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        store.register_profile(read[0])
        stored = store.get_profile("fraud", "scorer", "1.0.0", read[0].drift_type)[1]
        store.register_profile(model.from_file(path))  # the same file again is a no-op
    assert json.loads(stored.to_scouter_json()) == document


def test_a_flow_profile_argument_takes_a_scouter_file(tmp_path: Path) -> None:
    path = tmp_path / "psi_drift_profile.json"
    path.write_text(json.dumps(scouter_psi()))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    first = load_profile(str(path), url, "psi")
    assert (first.key, first.drift_type) == ("fraud/scorer/1.0.0", "psi")
    assert load_profile(str(path), url).profile_id == first.profile_id


def test_psi_bins_map_onto_ours() -> None:
    profile = PsiDriftProfile.model_validate(scouter_psi())
    x, colour = profile.features["x"], profile.features["colour"]
    # Scouter's (-0.5, -0.5] bin holds nothing and goes; the missing bin is empty
    assert (x.kind, x.edges, x.proportions()) == ("numeric", [-0.5, 0.75], [0.25, 0.5, 0.25, 0.0])
    # categories in id order; Scouter's "missing" id (unseen categories) is our `other` bin
    assert (colour.kind, colour.categories) == ("categorical", ["blue", "red"])
    assert colour.proportions() == [0.7, 0.3, 0.0, 0.0]
    config = profile.config
    assert (config.threshold.kind, config.threshold.alpha) == ("normal", 0.01)
    assert config.binning.kind == "equal_width"
    assert config.binning.method.num_bins == 4
    assert config.categorical_features == ["colour"]
    assert config.alert_config.features_to_monitor == ["x"]
    # Scouter's cron counts weekdays 1-7 from Sunday: 2-6 is Monday to Friday
    assert config.alert_config.schedule == "0 9 * * 1-5"
    assert profile.baseline_rows is None
    assert x.rows is None
    assert profile.created_at.isoformat() == "2026-05-01T10:11:12.123456+00:00"


def test_an_imported_psi_profile_judges_with_scouters_bins() -> None:
    profile = PsiDriftProfile.model_validate(scouter_psi())
    rng = np.random.default_rng(7)
    x = rng.normal(0.3, 1.0, 5000)
    colour = rng.choice(["blue", "red", "green"], 5000, p=[0.6, 0.35, 0.05])
    result = Drifter().compute_drift(pl.DataFrame({"x": x, "colour": colour}), profile)
    by_name = {f.feature: f for f in result.features}

    def scouter_psi_value(expected: list[float], observed: np.ndarray) -> float:
        eps = 1e-10
        q = observed / observed.sum()
        return math.fsum(
            (p + eps - (v + eps)) * math.log((p + eps) / (v + eps))
            for p, v in zip(expected, q, strict=True)
        )

    x_counts = np.array([(x <= -0.5).sum(), ((x > -0.5) & (x <= 0.75)).sum(), (x > 0.75).sum()])
    assert by_name["x"].value == pytest.approx(
        scouter_psi_value([0.25, 0.5, 0.25], x_counts), rel=1e-12
    )
    # Scouter puts unseen "green" in its "missing" id bin, baseline share 0
    c_counts = np.array([(colour == c).sum() for c in ("blue", "red", "green")])
    assert by_name["colour"].value == pytest.approx(
        scouter_psi_value([0.7, 0.3, 0.0], c_counts), rel=1e-12
    )
    assert by_name["colour"].unseen_rate == pytest.approx(c_counts[2] / 5000)
    # with no baseline size, the threshold counts the window only (Scouter's formula)
    assert by_name["x"].threshold == pytest.approx((2 + 2.3263478740408408 * 2) / 5000)


def test_spc_and_custom_map_onto_ours() -> None:
    spc = SpcDriftProfile.model_validate(scouter_spc())
    chart = spc.features["x"]
    assert (chart.center, chart.sigma, chart.sample_size, chart.subgroups) == (1.5, 1.0, 25, None)
    assert chart.standard_error == 0.2  # judged on subgroup means: sigma / sqrt(25)
    assert spc.config.method == "calibrated"  # Scouter's default rule is no choice of the user's
    assert spc.config.rule.zones_to_monitor == [1, 4]
    assert spc.config.alert_config.schedule == "0,30 * * * *"
    ruled = scouter_spc()
    ruled["config"]["alert_config"]["rule"]["rule"] = "4 8 2 4 1 2 1 1"
    assert SpcDriftProfile.model_validate(ruled).config.method == "rules"

    custom = CustomDriftProfile.model_validate(scouter_custom())
    mae = custom.metrics["mae"]
    assert (mae.baseline_value, mae.alert_threshold, mae.delta) == (1.0, "Outside", 0.5)
    assert custom.metrics["accuracy"].breached(0.89)
    assert not mae.breached(1.5)
    # no feature timestamps: the profile's time is the one in its uuid7
    assert custom.created_at.isoformat() == "2025-10-20T05:03:11.360000+00:00"
    destination = custom.config.alert_config.dispatch_config[0]
    assert (destination.kind, destination.team, destination.priority) == ("opsgenie", "ml", "P5")


def test_an_imported_spc_profile_judges_subgroup_means() -> None:
    profile = SpcDriftProfile.model_validate(scouter_spc())
    rng = np.random.default_rng(3)
    clean = pl.DataFrame({"x": rng.normal(1.5, 1.0, 2500)})
    shifted = pl.DataFrame({"x": rng.normal(2.1, 1.0, 2500)})
    # a 0.6 sigma shift stays inside Scouter's individual-value limits (1 sigma = 1.0) but is
    # three standard errors of a subgroup mean
    assert Drifter().compute_drift(clean, profile).features[0].status == "ok"
    assert Drifter().compute_drift(shifted, profile).features[0].status == "drift"


def test_our_profiles_written_for_scouter_read_back(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    frame = pl.DataFrame(
        {
            "x": np.concatenate([rng.normal(0, 1, 990), [np.nan] * 10]),
            "c": rng.choice(["a", "b", "c"], 1000),
        }
    )
    psi = Drifter().create_drift_profile(
        frame, PsiDriftConfig(space="s", name="n", categorical_features=["c"])
    )
    document = json.loads(psi.to_scouter_json(tmp_path / "out" / "psi.json"))
    assert json.loads((tmp_path / "out" / "psi.json").read_text()) == document
    assert set(document) == {"features", "config", "scouter_version"}
    assert set(document["config"]) == {
        "space", "name", "version", "uid", "alert_config", "feature_map", "drift_type",
        "categorical_features", "binning_strategy",
    }  # fmt: skip
    assert document["config"]["binning_strategy"] == {"QuantileBinning": {"num_bins": 10}}
    assert document["config"]["alert_config"]["schedule"] == "0 0 0 * * *"
    bins = document["features"]["x"]["bins"]
    assert bins[0]["lower_limit"] == "-inf"
    assert bins[-1]["upper_limit"] == "inf"
    assert [b["id"] for b in bins] == list(range(1, len(bins) + 1))
    # Scouter's proportions are over the finite values
    assert math.fsum(b["proportion"] for b in bins) == pytest.approx(1.0, abs=1e-15)
    assert document["config"]["feature_map"]["features"]["c"] == {
        "a": 0,
        "b": 1,
        "c": 2,
        "missing": 3,
    }
    back = PsiDriftProfile.model_validate(document)
    assert back.features["x"].edges == psi.features["x"].edges
    present = psi.features["x"].rows - psi.features["x"].counts[-1]
    expected = [c / present for c in psi.features["x"].counts[:-1]]
    assert back.features["x"].proportions()[:-1] == pytest.approx(expected, rel=1e-15)
    assert back.features["c"].categories == ["a", "b", "c"]
    # the uid is stable: writing the same profile twice gives the same document
    assert json.loads(psi.to_scouter_json()) == document

    spc = Drifter().create_drift_profile(
        frame.select("c").with_columns(x=pl.Series(rng.normal(5, 2, 1000))).select("x"),
        SpcDriftConfig(space="s", name="n"),
    )
    written = json.loads(spc.to_scouter_json())["features"]["x"]
    sigma = spc.features["x"].sigma
    assert written["three_ucl"] == pytest.approx(spc.features["x"].center + 3 * sigma)
    assert SpcDriftProfile.model_validate(json.loads(spc.to_scouter_json())).features[
        "x"
    ].sigma == pytest.approx(sigma, rel=1e-12)


def test_our_own_json_is_unchanged_by_the_scouter_fields() -> None:
    frame = pl.DataFrame({"x": [float(i) for i in range(200)]})
    body = json.loads(
        Drifter().create_drift_profile(frame, PsiDriftConfig(space="s", name="n")).model_dump_json()
    )
    assert "scouter" not in body
    assert "baseline_proportions" not in body["features"]["x"]


def test_settings_scouter_cannot_hold_are_named_when_left_out() -> None:
    frame = pl.DataFrame({"x": [float(i) for i in range(200)], "y": [1.0, 2.0] * 100})
    profile = Drifter().create_drift_profile(
        frame,
        PsiDriftConfig(
            space="s",
            name="n",
            correction="holm",
            alert_config={
                "dispatch_config": [{"kind": "console"}, {"kind": "slack", "channel": "#a"}]
            },
        ),
    )
    with pytest.warns(UserWarning, match=r"s/n/0\.1\.0.*correction='holm'.*after the first \(1\)"):
        document = json.loads(profile.to_scouter_json())
    assert document["config"]["alert_config"]["dispatch_config"] == {"Console": {"enabled": True}}


def _broken(model: type[Any], change: Any) -> dict[str, Any]:
    document = copy.deepcopy(DOCUMENTS[model]())
    change(document)
    return document


BROKEN = [
    (PsiDriftProfile, lambda d: d["features"]["x"]["bins"][0].update(proportion=0.5),
     r"features\.x\.bins: proportions sum to 1\.25, not 1"),
    (PsiDriftProfile, lambda d: d["features"]["x"]["bins"][2].update(lower_limit=-0.4),
     r"features\.x: bin 3 starts at -0\.4, the bin before it ends at -0\.5"),
    (PsiDriftProfile, lambda d: d["features"]["x"]["bins"][3].update(upper_limit=9.0),
     r"features\.x: the last bin ends at 9\.0, not 'inf'"),
    (PsiDriftProfile, lambda d: [d["features"]["x"]["bins"][i].update(proportion=p)
                                 for i, p in ((1, 0.1), (2, 0.4))],
     r"features\.x: empty bin 2 \(-0\.5, -0\.5\] has mass"),
    (PsiDriftProfile, lambda d: d["features"]["x"]["bins"][0].update(lower_limit="low"),
     r"features\.x\.bins\[0\]\.lower_limit: 'low' is not a number"),
    (PsiDriftProfile, lambda d: d["features"]["x"].update(bin_type="Ordinal"),
     r"features\.x\.bin_type: expected 'Numeric' or 'Category', found 'Ordinal'"),
    (PsiDriftProfile, lambda d: d["features"]["colour"]["bins"][0].update(id=7),
     r"features\.colour\.bins: ids \[7\] are not in config\.feature_map"),
    (PsiDriftProfile, lambda d: d["config"]["alert_config"].update(threshold={"Exact": {}}),
     r"config\.alert_config\.threshold: unknown 'Exact'"),
    (PsiDriftProfile, lambda d: d["config"]["alert_config"].update(schedule="0 0 9 * * 0"),
     r"day of week 0 is outside Scouter's 1-7"),
    (PsiDriftProfile, lambda d: d["config"].update(space="fraud team"),
     r"config\.space: 'fraud team' is not a valid identifier"),
    (SpcDriftProfile, lambda d: d["features"]["x"].update(three_ucl=-3.0),
     r"features\.x: three_ucl -3\.0 is below three_lcl -1\.5"),
    (SpcDriftProfile, lambda d: d["config"].pop("sample_size"),
     r"config\.sample_size: expected an integer, found None"),
    (SpcDriftProfile, lambda d: d["config"]["alert_config"]["rule"].update(
        zones_to_monitor=["Zone9"]), r"zones_to_monitor\[0\]: expected one of"),
    (CustomDriftProfile, lambda d: d["metrics"].update(mae=2.0),
     r"metrics\.mae is 2\.0 but its alert condition's baseline_value is 1\.0"),
    (CustomDriftProfile, lambda d: d["metrics"].pop("mae"),
     r"metrics and config\.alert_config\.alert_conditions name different metrics"),
]  # fmt: skip


@pytest.mark.parametrize(("model", "change", "message"), BROKEN)
def test_a_broken_scouter_profile_names_the_file_and_field(
    model: type[Any], change: Any, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(_broken(model, change)))
    with pytest.raises(ConfigError, match=rf"broken\.json: invalid .*{message}"):
        model.from_file(path)


def test_a_scouter_profile_of_another_kind_is_named(tmp_path: Path) -> None:
    path = tmp_path / "psi.json"
    path.write_text(json.dumps(scouter_psi()))
    with pytest.raises(ConfigError, match="expected a 'spc' drift profile, found drift_type='psi'"):
        SpcDriftProfile.from_file(path)
    with pytest.raises(ValidationError, match="expected a Scouter 'spc' profile, found 'psi'"):
        SpcDriftProfile.model_validate(scouter_psi())


@pytest.mark.parametrize(
    ("scouter", "ours"),
    [
        ("0 0 0 * * *", "0 0 * * *"),
        ("0 0 0 * * SUN", "0 0 * * SUN"),
        ("0 0 9 * * 1", "0 9 * * 0"),  # Scouter's 1 is Sunday
        ("0 0 9 * * 7", "0 9 * * 6"),
        ("0 0 9 * * 2/2", "0 9 * * 1/2"),
        ("0 0,15,30,45 * * * * *", "0,15,30,45 * * * *"),
    ],
)
def test_scouter_crons(scouter: str, ours: str) -> None:
    assert normalise_cron(scouter) == ours


@pytest.mark.parametrize(
    ("bad", "message"),
    [("0 0 0 * * * 2027", "names years"), ("30 0 0 * * *", "seconds field '30'")],
)
def test_scouter_crons_we_cannot_schedule(bad: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalise_cron(bad)


@pytest.mark.parametrize(
    "cron", ["0 6 * * 1-5", "0 0 * * 0", "*/30 * * * *", "0 0 * * 5-7", "0 3 * * */2"]
)
def test_crons_written_for_scouter_mean_the_same_times(cron: str) -> None:
    written = to_seconds_cron(cron)
    assert written.split()[0] == "0"
    assert len(written.split()) == 6
    ours, back = croniter.expand(cron)[0], croniter.expand(normalise_cron(written))[0]
    assert ours[:4] == back[:4]
    assert {int(d) % 7 for d in ours[4] if d != "*"} == {int(d) % 7 for d in back[4] if d != "*"}


def test_the_cli_registers_a_scouter_file(tmp_path: Path) -> None:
    path = tmp_path / "spc_drift_profile.json"
    path.write_text(json.dumps(scouter_spc()))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    command = "from scouter_flows.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", command, "profile", "register", str(path), "--url", url],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "registered fraud/scorer/1.0.0 (spc)" in done.stdout


def scouter_agent() -> dict[str, Any]:
    judge_prompt = {
        "message": [
            {
                "content": {"Str": "Rate ${response} from 1 to 5"},
                "role": "user",
                "variables": ["response"],
            }
        ],
        "system_instruction": [{"content": {"Str": "Be strict."}, "role": "system"}],
        "model_settings": {"model": "gpt-4o-mini", "provider": "openai", "temperature": 0.1},
        "version": "0.23.0",
        "response_json_schema": {"type": "object"},
        "parameters": ["response"],
        "response_type": "Score",
    }
    return {
        "config": {
            "sample_ratio": 0.5,
            "space": "support",
            "name": "agent",
            "version": "2.0.0",
            "uid": UID7,
            "alert_config": {
                "dispatch_config": {"Console": {"enabled": True}},
                "schedule": "0 0 * * * *",
                "alert_condition": {
                    "baseline_value": 0.9,
                    "alert_threshold": "Below",
                    "delta": 0.05,
                },
            },
            "drift_type": "Agent",
        },
        "tasks": {
            "assertion": [
                {"id": "answered", "context_path": "response", "item_context_path": None,
                 "operator": "IsNotEmpty", "expected_value": True, "description": None,
                 "depends_on": [], "task_type": "Assertion", "condition": True},
            ],
            "judge": [
                {"id": "quality", "prompt": judge_prompt, "context_path": "score",
                 "expected_value": 4, "operator": "GreaterThanOrEqual", "task_type": "LLMJudge",
                 "depends_on": ["answered"], "max_retries": 3, "description": None,
                 "condition": False},
            ],
            "trace": [
                {"id": "fast", "assertion": {"TraceDuration": {}}, "operator": "LessThan",
                 "expected_value": 3000.0, "description": None, "depends_on": [],
                 "task_type": "TraceAssertion", "condition": False},
            ],
            "agent": [],
        },
        "scouter_version": "0.25.0",
        "workflow": None,
        "task_ids": ["answered", "fast", "quality"],
        "alias": None,
    }  # fmt: skip


def test_an_agent_eval_profile_reads_as_a_genai_profile(tmp_path: Path) -> None:
    from scouter_flows.evaluate import AgentEvalProfile, LLMJudgeTask, TraceAssertion

    path = tmp_path / "agent_eval_profile.json"
    path.write_text(json.dumps(scouter_agent()))
    profile = AgentEvalProfile.from_file(path)
    assert read_profile_file(path) == profile
    assert [t.id for t in profile.tasks] == ["answered", "quality", "fast"]
    config = profile.config
    assert (config.key, config.sample_ratio) == ("support/agent/2.0.0", 0.5)
    assert config.alert_config.alert_condition.bounds() == pytest.approx((0.85, None))
    assert config.alert_config.schedule == "0 * * * *"
    judge = profile.tasks[1]
    assert isinstance(judge, LLMJudgeTask)
    assert judge.prompt.placeholders() == ["response"]
    assert (judge.prompt.provider, judge.prompt.model) == ("OpenAI", "gpt-4o-mini")
    assert (judge.prompt.system_instruction, judge.prompt.temperature) == ("Be strict.", 0.1)
    assert profile.tasks[2].assertion == TraceAssertion.trace_duration()  # type: ignore[union-attr]
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        first = store.register_profile(profile)
        assert store.register_profile(AgentEvalProfile.from_file(path)) == first
    # back to Scouter: every value as read
    assert json.loads(profile.to_scouter_json()) == scouter_agent()
    assert json.loads(AgentEvalProfile.from_file(profile.save_to_json(tmp_path / "ours.json"))
                      .to_scouter_json()) == scouter_agent()  # fmt: skip


def test_our_agent_profiles_written_for_scouter_read_back(tmp_path: Path) -> None:
    from scouter_flows.evaluate import (
        AgentEvalConfig,
        AgentEvalProfile,
        AssertionTask,
        LLMJudgeTask,
        Prompt,
        SpanFilter,
        TraceAssertion,
        TraceAssertionTask,
    )

    tasks = [
        AssertionTask(id="answered", context_path="response", operator="IsNotEmpty",
                      condition=True),
        AssertionTask.all_items("cited", "sources", "StartsWith", "http",
                                item_context_path="url", depends_on=["answered"]),
        TraceAssertionTask(id="errors", operator="Equals", expected_value=True,
                           assertion=TraceAssertion.span_exists(
                               SpanFilter.with_status("Error").and_(
                                   SpanFilter.with_attribute_value("retry", 2)))),
        TraceAssertionTask(id="models", operator="Equals", expected_value=True,
                           assertion=TraceAssertion.attribute_filter(
                               "model", "StartsWith", "gpt", mode="all")),
        TraceAssertionTask(id="tokens", operator="LessThan", expected_value=900,
                           assertion=TraceAssertion.span_aggregation(
                               SpanFilter.by_name_pattern("^llm"), "tokens", "Sum")),
    ]  # fmt: skip
    profile = AgentEvalProfile(config=AgentEvalConfig(space="s", name="agent"), tasks=tasks)
    document = json.loads(profile.to_scouter_json())
    assert document["config"]["drift_type"] == "Agent"
    assert [t["id"] for t in document["tasks"]["assertion"]] == ["answered", "cited"]
    cited = document["tasks"]["assertion"][1]
    assert (cited["operator"], cited["item_context_path"]) == ("StartsWith", "url")
    assert document["tasks"]["trace"][0]["assertion"] == {
        "SpanExists": {"filter": {"And": {"filters": [
            {"WithStatus": {"status": "Error"}},
            {"WithAttributeValue": {"key": "retry", "value": 2}},
        ]}}}
    }  # fmt: skip
    assert document["task_ids"] == sorted(t.id for t in tasks)
    back = AgentEvalProfile.model_validate(document)
    assert back.tasks == tasks
    judged = profile.model_copy(update={"tasks": [*tasks, LLMJudgeTask(
        id="quality", operator="GreaterThan", expected_value=3, context_path="score",
        prompt=Prompt(messages="Rate ${response}", model="m", provider="OpenAI"))]})  # fmt: skip
    with pytest.raises(ConfigError, match="task 'quality': an LLM-judge task is written"):
        judged.to_scouter_json()
    loose = profile.model_copy(update={"tasks": [TraceAssertionTask(
        id="order", operator="Equals", expected_value=True,
        assertion=TraceAssertion.span_sequence(["a", "b"], exact=False))]})  # fmt: skip
    with pytest.raises(ConfigError, match="span_sequence\\(exact=False\\) has no Scouter form"):
        loose.to_scouter_json()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["tasks"]["agent"].append({"id": "tool", "operator": "Equals"}),
         r"AgentAssertion\.assertion: Field required"),
        (lambda d: d["tasks"]["judge"][0]["prompt"]["message"][0].update(
            content={"Image": {"url": "x"}}), r"message\[0\]\.content: only text"),
        (lambda d: d["tasks"]["trace"][0].update(assertion={"TraceWidth": {}}),
         r"assertion\.kind: Input should be"),
    ],
)  # fmt: skip
def test_a_broken_agent_profile_names_the_field(change: Any, message: str, tmp_path: Path) -> None:
    from scouter_flows.evaluate import AgentEvalProfile

    document = scouter_agent()
    change(document)
    path = tmp_path / "agent.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ConfigError, match=message):
        AgentEvalProfile.from_file(path)


def test_uid_is_scouters_when_read_and_stable_when_made_here(tmp_path: Path) -> None:
    read = PsiDriftProfile.model_validate(scouter_psi())
    assert read.uid == read.config.uid == UID7
    # kept through our own JSON and a new version, and written back for Scouter
    again = PsiDriftProfile.model_validate_json(read.model_dump_json())
    assert again.config.uid == UID7
    assert read.with_config(version="2.0").uid == UID7
    assert json.loads(read.to_scouter_json())["config"]["uid"] == UID7
    # a Scouter config file brings its uid along
    path = tmp_path / "config.json"
    path.write_text(json.dumps(scouter_psi()["config"]))
    assert PsiDriftConfig(config_path=path).uid == UID7

    made = PsiDriftConfig(space="s", name="n", version="1.0")
    assert made.uid == PsiDriftConfig(space="s", name="n", version="1.0").uid
    assert made.uid != PsiDriftConfig(space="s", name="n", version="1.1").uid
    assert "uid" not in made.model_dump_json()  # our JSON is as it was
    frame = pl.DataFrame({"x": [float(i % 17) for i in range(500)]})
    profile = Drifter().create_drift_profile(frame, made)
    assert profile.uid == made.uid == json.loads(profile.to_scouter_json())["config"]["uid"]
    assert (
        profile.with_config(version="1.1").uid
        == PsiDriftConfig(space="s", name="n", version="1.1").uid
    )
    assert PsiDriftConfig(space="s", name="n", uid="given").uid == "given"
