"""Call forms of Scouter's guides and stubs that scouter-flows accepts with the same meaning."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import polars as pl
import pytest

from scouter_flows import (
    AlertThreshold,
    AlertZone,
    ConfigError,
    CustomDriftProfile,
    CustomMetric,
    CustomMetricDriftConfig,
    DataError,
    Drifter,
    DriftType,
    PsiDriftConfig,
    PsiDriftProfile,
    SpcAlertType,
    SpcDriftProfile,
    SpcRule,
)
from scouter_flows.evaluate import (
    AggregationType,
    EvalDataset,
    EvalRecord,
    SpanFilter,
    SpanStatus,
    TraceAssertion,
    TraceAssertionTask,
)


def test_custom_metrics_as_scouters_quickstart_writes_them() -> None:
    # Its guide gives the tolerance as alert_threshold_value= and the side also as threshold=.
    metrics = [
        CustomMetric(
            name="mae", value=1, alert_threshold=AlertThreshold.Outside, alert_threshold_value=0.5
        ),
        CustomMetric(name="mape", value=2, threshold=AlertThreshold.Outside, delta=0.5),
    ]
    assert [(m.baseline_value, m.alert_threshold, m.delta) for m in metrics] == [
        (1.0, AlertThreshold.Outside, 0.5),
        (2.0, AlertThreshold.Outside, 0.5),
    ]
    config = CustomMetricDriftConfig(space="scouter", name="custom_metric", sample_size=1)
    profile = Drifter().create_drift_profile(metrics, config)
    result = Drifter().compute_drift(pl.DataFrame({"mae": [1.4], "mape": [2.6]}), profile)
    assert [m.status for m in result.metrics] == ["ok", "drift"]  # 0.4 within, 0.6 beyond


def test_the_side_given_as_alert_threshold_value_keeps_working_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="use alert_threshold="):
        metric = CustomMetric(name="m", baseline_value=1.0, alert_threshold_value="Above")
    assert (metric.alert_threshold, metric.delta) == (AlertThreshold.Above, None)


def test_repository_is_scouters_older_name_for_space() -> None:
    config = CustomMetricDriftConfig(name="n", repository="team", version="1.0.0")
    assert config.key == "team/n/1.0.0"
    assert PsiDriftConfig(repository="team", name="n").space == "team"


def test_save_to_json_without_a_path_writes_scouters_default_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    custom = Drifter().create_drift_profile(
        [CustomMetric(name="mae", baseline_value=1.0, alert_threshold="Above")],
        CustomMetricDriftConfig(space="s", name="n"),
    )
    psi = Drifter().create_drift_profile(
        pl.DataFrame({"x": [float(i) for i in range(100)]}), PsiDriftConfig(space="s", name="n")
    )
    assert custom.save_to_json() == Path("custom_drift_profile.json")
    assert psi.save_to_json() == Path("psi_drift_profile.json")
    assert sorted(os.listdir(tmp_path)) == ["custom_drift_profile.json", "psi_drift_profile.json"]
    loaded = CustomDriftProfile.model_validate_json(Path("custom_drift_profile.json").read_text())
    assert loaded == custom
    nested = custom.save_to_json(tmp_path / "profiles" / "v1" / "custom.json")  # folders made
    assert json.loads(nested.read_text())["drift_type"] == "custom"


def test_trace_assertions_take_scouters_keywords() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a synonym, not a deprecation
        ours = TraceAssertion.span_aggregation(SpanFilter.by_name("generate"), "tokens", "Sum")
        theirs = TraceAssertion.span_aggregation(
            filter=SpanFilter.by_name("generate"),
            attribute_key="tokens",
            aggregation=AggregationType.Sum,
        )
    assert theirs == ours
    assert TraceAssertion.span_attribute(
        SpanFilter.by_name("generate"), attribute_key="model"
    ) == TraceAssertion.span_attribute(SpanFilter.by_name("generate"), "model")
    assert TraceAssertion.trace_attribute(attribute_key="user").key == "user"
    with pytest.raises(TypeError, match="give the attribute name once"):
        TraceAssertion.span_attribute(SpanFilter.by_name("a"), "k", attribute_key="k")
    task = TraceAssertionTask(id="t", assertion=theirs, operator="Equals", expected_value=3)
    assert EvalDataset([EvalRecord(id="r", context={})], [task]).tasks == [task]


def test_errors_are_runtime_errors_as_scouters_are() -> None:
    with pytest.raises(RuntimeError):
        Drifter().create_drift_profile(pl.DataFrame({"x": []}), PsiDriftConfig(space="s", name="n"))
    assert issubclass(DataError, ValueError)  # and still what our own users catch
    assert issubclass(ConfigError, RuntimeError)


def test_profiles_load_from_their_file(tmp_path: Path) -> None:
    psi = Drifter().create_drift_profile(
        pl.DataFrame({"x": [float(i) for i in range(100)]}), PsiDriftConfig(space="s", name="n")
    )
    path = psi.save_to_json(tmp_path / "psi.json")
    assert PsiDriftProfile.from_file(path) == psi
    assert PsiDriftProfile.model_validate_json(psi.model_dump_json()) == psi
    with pytest.raises(ConfigError, match=r"psi.json: expected a 'spc' drift profile"):
        SpcDriftProfile.from_file(path)
    with pytest.raises(ConfigError, match=r"missing\.json"):
        PsiDriftProfile.from_file(tmp_path / "missing.json")


def test_scouters_enums() -> None:
    assert DriftType.from_value("Psi") is DriftType.Psi
    assert DriftType.Agent is DriftType.GenAI
    assert DriftType.from_value("custom").value == "custom"
    with pytest.raises(ConfigError, match="unknown drift type 'Kafka'"):
        DriftType.from_value("Kafka")
    rule = SpcRule(zones_to_monitor=[AlertZone.Zone1, AlertZone.Zone4])
    assert rule.zones_to_monitor == [1, 4]
    with pytest.raises(ValueError, match="zones_to_monitor must be among"):
        SpcRule(zones_to_monitor=[AlertZone.NotApplicable])
    assert {t.value for t in SpcAlertType} >= {"OutOfBounds", "Consecutive", "Trend"}


def test_span_status_and_filters_in_scouters_spelling() -> None:
    assert SpanFilter.with_status(SpanStatus.Error) == SpanFilter.with_status("Error")
    assert SpanFilter.with_status("error").status == "ERROR"
    a, b, c = (SpanFilter.by_name(n) for n in "abc")
    assert a.and_(b).and_(c) == SpanFilter(kind="and", filters=[a, b, c])
    assert a.or_(b).or_(c).filters == [a, b, c]
    assert a.and_(b.or_(c)).filters == [a, b.or_(c)]  # another kind stays nested


def test_agent_names_are_primary_and_the_genai_names_stay() -> None:
    import scouter_flows
    from scouter_flows import evaluate
    from scouter_flows.evaluate import dataset, profile

    assert evaluate.GenAIEvalDataset is evaluate.EvalDataset is dataset.GenAIEvalDataset
    assert evaluate.GenAIEvalProfile is evaluate.AgentEvalProfile is profile.GenAIEvalProfile
    assert evaluate.GenAIEvalConfig is evaluate.AgentEvalConfig
    assert evaluate.GenAIAlertConfig is evaluate.AgentAlertConfig is scouter_flows.GenAIAlertConfig
    assert evaluate.AgentEvalProfile.__name__ == "AgentEvalProfile"
    assert repr(evaluate.AgentEvalConfig(space="s", name="n")).startswith("AgentEvalConfig(")
    assert evaluate.AgentEvalProfile.default_file_name() == "agent_eval_profile.json"


def test_the_psi_threshold_can_be_given_on_the_alert_config_as_in_scouter() -> None:
    from scouter_flows import PsiAlertConfig, PsiFixedThreshold, PsiNormalThreshold

    rule = PsiNormalThreshold(alpha=0.01)
    config = PsiDriftConfig(space="s", name="n", alert_config=PsiAlertConfig(threshold=rule))
    assert config.threshold == rule
    assert PsiDriftConfig.model_validate_json(config.model_dump_json()) == config
    # the same rule in both places is one rule; two different ones are refused
    assert (
        PsiDriftConfig(
            space="s", name="n", threshold=rule, alert_config={"threshold": rule.model_dump()}
        ).threshold
        == rule
    )
    with pytest.raises(ValueError, match="two thresholds"):
        PsiDriftConfig(
            space="s",
            name="n",
            threshold=PsiFixedThreshold(threshold=0.2),
            alert_config=PsiAlertConfig(threshold=rule),
        )
    frame = pl.DataFrame({"x": [float(i % 50) for i in range(1000)]})
    profile = Drifter().create_drift_profile(frame, config)
    assert (
        "threshold"
        not in json.loads(PsiDriftConfig(space="s", name="n").model_dump_json())["alert_config"]
    )
    result = Drifter().compute_drift(frame, profile)
    expected = Drifter().compute_drift(
        frame,
        Drifter().create_drift_profile(frame, PsiDriftConfig(space="s", name="n", threshold=rule)),
    )
    assert result.features[0].threshold == expected.features[0].threshold


def test_scouters_variant_names_construct_and_classify() -> None:
    from scouter_flows.evaluate import AssertionTask, SpanFilter, TraceAssertion

    by_name = SpanFilter.ByName(name="retry")
    assert by_name == SpanFilter.by_name("retry")
    assert isinstance(SpanFilter.by_name("retry"), SpanFilter.ByName)
    assert not isinstance(by_name, SpanFilter.WithStatus)
    assert SpanFilter.And(filters=[by_name, SpanFilter.WithStatus("Error")]) == (
        SpanFilter.by_name("retry").and_(SpanFilter.with_status("ERROR"))
    )
    assert SpanFilter.WithDuration(max_ms=5.0) == SpanFilter.with_duration(max_ms=5.0)
    assert TraceAssertion.SpanCount(filter=by_name) == TraceAssertion.span_count(by_name)
    assert TraceAssertion.SpanSequence(span_names=["a", "b"]) == TraceAssertion.span_sequence(
        ["a", "b"]
    )
    assert TraceAssertion.SpanAggregation(by_name, "tokens", "Sum") == (
        TraceAssertion.span_aggregation(by_name, attribute_key="tokens", aggregation="Sum")
    )
    assert isinstance(TraceAssertion.trace_duration(), TraceAssertion.TraceDuration)
    inner = AssertionTask(id="inner", operator="StartsWith", expected_value="gpt")
    assert TraceAssertion.AttributeFilter(key="model", task=inner, mode="All") == (
        TraceAssertion.attribute_filter("model", "StartsWith", "gpt", mode="all")
    )
    with pytest.raises(TypeError, match=r"SpanFilter\.ByName takes 1 positional arguments"):
        SpanFilter.ByName("a", "b")


def test_configs_take_scouters_defaults_and_name_is_needed_only_to_store(tmp_path: Path) -> None:
    from scouter_flows import SpcDriftConfig, Store

    assert PsiDriftConfig().key == "__missing__/__missing__/0.1.0"
    assert not SpcDriftConfig().is_named
    assert CustomMetricDriftConfig(sample_size=5).name == "__missing__"
    frame = pl.DataFrame({"x": [float(i % 7) for i in range(500)]})
    profile = Drifter().create_drift_profile(frame)  # no config: SPC, as in Scouter
    assert isinstance(profile, SpcDriftProfile)
    assert Drifter().compute_drift(frame, profile).features[0].feature == "x"
    with (
        Store(f"sqlite:///{tmp_path / 's.db'}") as store,
        pytest.raises(ConfigError, match=r"has no space or name .*set space= and name="),
    ):
        store.register_profile(profile)


def test_config_path_loads_a_config_in_either_layout(tmp_path: Path) -> None:
    from scouter_flows import SpcDriftConfig

    ours = PsiDriftConfig(space="fraud", name="scorer", categorical_features=["c"])
    (tmp_path / "ours.json").write_text(ours.model_dump_json())
    assert PsiDriftConfig(config_path=tmp_path / "ours.json") == ours
    scouter = {
        "sample_size": 50, "sample": True, "space": "fraud", "name": "scorer",
        "version": "2.0.0", "uid": "u",
        "alert_config": {
            "rule": {"rule": "4 8 2 4 1 2 1 1", "zones_to_monitor": ["Zone1", "Zone2"]},
            "schedule": "0 0 6 * * *", "features_to_monitor": ["x"],
            "dispatch_config": {"Console": {"enabled": True}},
        },
        "feature_map": {"features": {}}, "drift_type": "Spc",
    }  # fmt: skip
    (tmp_path / "spc_config.json").write_text(json.dumps(scouter))
    config = SpcDriftConfig(config_path=str(tmp_path / "spc_config.json"))
    assert (config.key, config.sample_size, config.method) == ("fraud/scorer/2.0.0", 50, "rules")
    assert config.rule.rule == "4 8 2 4 1 2 1 1"
    assert config.alert_config.schedule == "0 6 * * *"
    with pytest.raises(ValueError, match=r"config_path= loads the whole config: give \['name'\]"):
        SpcDriftConfig(config_path=tmp_path / "spc_config.json", name="other")
    with pytest.raises(ValueError, match="config file not found"):
        PsiDriftConfig(config_path=tmp_path / "nope.json")


def test_config_changes_make_a_new_profile_and_in_place_updates_say_how() -> None:
    from scouter_flows import SpcAlertConfig, SpcDriftConfig

    frame = pl.DataFrame({"x": [float(i % 9) for i in range(500)]})
    spc = Drifter().create_drift_profile(frame, SpcDriftConfig(space="s", name="n"))
    moved = spc.with_config(version="2.0.0", alert_config=SpcAlertConfig(schedule="0 6 * * *"))
    assert (moved.config.key, moved.config.alert_config.schedule) == ("s/n/2.0.0", "0 6 * * *")
    assert moved.features == spc.features
    assert spc.config.version == "0.1.0"  # the original is unchanged
    with pytest.raises(ConfigError, match=r"\['sample_size'\] were used to build the profile"):
        spc.with_config(sample_size=10)
    with pytest.raises(ConfigError, match="with_config: version"):
        spc.with_config(version="has space")
    with pytest.raises(TypeError, match=r"profile = profile.with_config\(space=\.\.\.\)"):
        spc.update_config_args(space="other")


def test_scouter_names_of_rules_binning_bins_and_task_kinds() -> None:
    from scouter_flows import (
        EqualWidthBinning,
        PsiDriftMap,
        SpcAlertRule,
        SpcDriftMap,
        SpcRule,
        SquareRoot,
    )
    from scouter_flows.evaluate import EvaluationTaskType

    assert SpcAlertRule is SpcRule
    assert SpcAlertRule().rule == "8 16 4 8 2 4 1 1"

    config = PsiDriftConfig(
        space="s", name="n", binning_strategy=EqualWidthBinning(method=SquareRoot())
    )
    assert config.binning_strategy == config.binning == EqualWidthBinning(method=SquareRoot())

    frame = pl.DataFrame(
        {"x": [float(i % 50) for i in range(1000)], "c": ["a", "b", "b", "c"] * 250}
    )
    profile = Drifter().create_drift_profile(
        frame, PsiDriftConfig(space="s", name="n", categorical_features=["c"])
    )
    written = json.loads(profile.to_scouter_json())["features"]
    drift_map: PsiDriftMap = Drifter().compute_drift(frame, profile)
    assert isinstance(drift_map, PsiDriftMap)
    assert SpcDriftMap.__name__ == "SpcDriftResult"
    x = profile.features["x"]
    assert x.bins[0].lower_limit == float("-inf")
    assert x.bins[-1].upper_limit == float("inf")
    assert [b.upper_limit for b in x.bins[:-1]] == x.edges
    assert sum(b.proportion for b in x.bins) == pytest.approx(1.0, abs=1e-12)
    for name in ("x", "c"):
        assert [b.proportion for b in profile.features[name].bins] == [
            b["proportion"] for b in written[name]["bins"]
        ]
    c = profile.features["c"].bins
    assert [(b.lower_limit, b.upper_limit) for b in c] == [(None, None)] * len(c)
    assert [b.proportion for b in c[:3]] == pytest.approx([0.25, 0.5, 0.25])

    assert TraceAssertion.span_sequence(["a", "b"]).span_names == ["a", "b"]
    assertion = TraceAssertion.span_attribute(
        filter=SpanFilter.by_name("llm"), attribute_key="model"
    )
    assert assertion.attribute_key == "model"
    task = TraceAssertionTask(id="t", assertion=assertion, operator="Equals", expected_value="m")
    assert task.task_type == EvaluationTaskType.TraceAssertion
