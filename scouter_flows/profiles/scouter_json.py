"""Scouter's drift-profile JSON (0.25): read into this package's layout, and written back.

Scouter keeps the kind under `config.drift_type` ("Psi", "Spc", "Custom"), its enums externally
tagged (`{"QuantileBinning": {"num_bins": 10}}`), one alert destination, 6- or 7-field crons
with seconds, PSI bins as `{id, lower_limit, upper_limit, proportion}` (infinite limits as the
strings "inf"/"-inf", categories as integer ids through `config.feature_map`), SPC limits in
units of individual values and no baseline sizes. The readers here turn such a document into
the dict this package's models validate; the writers turn a profile's `model_dump(mode="json")`
into Scouter's document. What Scouter holds and this layout has no place for (the `uid`, the
Scouter version, each feature's record as written, `sample`, the feature map) is kept in a
`ScouterOrigin` and written back while the profile still says the same, so Scouter -> here ->
Scouter gives back every value.
"""

from __future__ import annotations

import math
import uuid
import warnings
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from scouter_flows.profiles.alerting import normalise_cron, to_seconds_cron
from scouter_flows.profiles.base import key_uid

SCOUTER_LAYOUT = "0.25.0"
"""The Scouter version whose profile layout `to_scouter_json` writes."""

DEFAULT_SPC_RULE = "8 16 4 8 2 4 1 1"
_PROPORTION_SLACK = 1e-6


# --- reading -------------------------------------------------------------------------------


def psi_from_scouter(data: dict[str, Any]) -> dict[str, Any]:
    """A Scouter PSI profile as this package's PSI profile dict."""
    config, alert = _config_parts(data)
    feature_map = _feature_map(config)
    features = {
        name: psi_feature_from_scouter(record, feature_map.get(name), f"features.{name}")
        for name, record in _mapping(data, "features", "").items()
    }
    return {
        "drift_type": "psi",
        "created_at": _created_at(data, config),
        "config": {**psi_config_from_scouter(config), "features_to_monitor": list(features)},
        "features": features,
        "baseline_rows": None,
        "scouter": _origin(data, config, alert, ("feature_map", "categorical_features")),
    }


def psi_config_from_scouter(config: dict[str, Any]) -> dict[str, Any]:
    """A Scouter `PsiDriftConfig` document as this package's PSI config dict."""
    alert = config.get("alert_config") or {}
    return {
        **_identity(config),
        "categorical_features": list(config.get("categorical_features") or []),
        "binning": _binning_from(config.get("binning_strategy")),
        "threshold": _threshold_from(alert.get("threshold")),
        "alert_config": {
            **_dispatch_from(alert),
            "features_to_monitor": list(alert.get("features_to_monitor") or []),
        },
    }


def psi_feature_from_scouter(
    record: Any, categories: Mapping[str, int] | None, where: str
) -> dict[str, Any]:
    """One Scouter PSI feature record (`bins`, `bin_type`) as this package's feature dict."""
    if not isinstance(record, dict):
        raise ValueError(f"{where}: expected an object, found {type(record).__name__}")
    bins = sorted(
        (_bin(b, f"{where}.bins[{i}]") for i, b in enumerate(_list(record, "bins", where))),
        key=lambda b: b[0],
    )
    if not bins:
        raise ValueError(f"{where}.bins: a feature needs at least one bin")
    ids = [b[0] for b in bins]
    if len(set(ids)) != len(ids):
        raise ValueError(
            f"{where}.bins: bin ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}"
        )
    total = math.fsum(b[3] for b in bins)
    if abs(total - 1.0) > _PROPORTION_SLACK:
        raise ValueError(f"{where}.bins: proportions sum to {total!r}, not 1")
    kind = record.get("bin_type")
    if kind == "Category":
        return _categorical_feature(bins, categories, where)
    if kind != "Numeric":
        raise ValueError(f"{where}.bin_type: expected 'Numeric' or 'Category', found {kind!r}")
    return _numeric_feature(bins, where)


def spc_from_scouter(data: dict[str, Any]) -> dict[str, Any]:
    """A Scouter SPC profile as this package's SPC profile dict.

    Scouter's limits are multiples of the process sigma (individual values); the sigma is read
    from them and judged here against subgroup means (sigma / sqrt(sample_size)).
    """
    config, alert = _config_parts(data)
    settings = spc_config_from_scouter(config)
    features = {
        name: spc_feature_from_scouter(record, settings["sample_size"], f"features.{name}")
        for name, record in _mapping(data, "features", "").items()
    }
    return {
        "drift_type": "spc",
        "created_at": _created_at(data, config),
        "config": {**settings, "features_to_monitor": list(features)},
        "features": features,
        "baseline_rows": None,
        "leftover_rows": 0,
        "scouter": _origin(data, config, alert, ("feature_map", "sample")),
    }


def spc_config_from_scouter(config: dict[str, Any]) -> dict[str, Any]:
    """A Scouter `SpcDriftConfig` document as this package's SPC config dict."""
    alert = config.get("alert_config") or {}
    rule = alert.get("rule") or {}
    rule_text = " ".join(str(rule.get("rule", DEFAULT_SPC_RULE)).split())
    zones = [
        _zone(z, f"config.alert_config.rule.zones_to_monitor[{i}]")
        for i, z in enumerate(rule.get("zones_to_monitor", ["Zone1", "Zone2", "Zone3", "Zone4"]))
    ]
    return {
        **_identity(config),
        "sample_size": _number(config, "sample_size", "config", integer=True),
        # Scouter's default rule is no choice of the user's: such profiles get the
        # calibrated method (a stated false-alarm rate per window); any other rule is kept.
        "method": "calibrated" if rule_text == DEFAULT_SPC_RULE else "rules",
        "rule": {"rule": rule_text, "zones_to_monitor": [z for z in zones if z]},
        "alert_config": {
            **_dispatch_from(alert),
            "features_to_monitor": list(alert.get("features_to_monitor") or []),
        },
    }


def spc_feature_from_scouter(record: Any, sample_size: int, where: str) -> dict[str, Any]:
    """One Scouter SPC feature record (centre and limits) as this package's feature dict."""
    if not isinstance(record, dict):
        raise ValueError(f"{where}: expected an object, found {type(record).__name__}")
    center = _number(record, "center", where)
    upper, lower = _number(record, "three_ucl", where), _number(record, "three_lcl", where)
    if upper < lower:
        raise ValueError(f"{where}: three_ucl {upper!r} is below three_lcl {lower!r}")
    return {
        "center": center,
        "sigma": (upper - lower) / 6.0,
        "sample_size": sample_size,
        "subgroups": None,
    }


def custom_from_scouter(data: dict[str, Any]) -> dict[str, Any]:
    """A Scouter custom-metric profile as this package's custom profile dict."""
    config, alert = _config_parts(data)
    values = _mapping(data, "metrics", "")
    conditions = alert.get("alert_conditions") or {}
    if not isinstance(conditions, dict):
        raise ValueError("config.alert_config.alert_conditions: expected an object")
    if set(values) != set(conditions):
        raise ValueError(
            "metrics and config.alert_config.alert_conditions name different metrics: "
            f"{sorted(values)} and {sorted(conditions)}"
        )
    metrics = {}
    for name, value in values.items():
        condition = conditions[name]
        where = f"config.alert_config.alert_conditions.{name}"
        baseline = _number(condition, "baseline_value", where)
        if not isinstance(value, int | float) or value != baseline:
            raise ValueError(
                f"metrics.{name} is {value!r} but its alert condition's baseline_value is "
                f"{baseline!r}"
            )
        metrics[name] = {
            "name": name,
            "baseline_value": baseline,
            "alert_threshold": condition.get("alert_threshold"),
            "delta": condition.get("delta"),
        }
    return {
        "drift_type": "custom",
        "created_at": _created_at(data, config),
        "config": custom_config_from_scouter(config),
        "metrics": metrics,
        "scouter": _origin(data, config, alert, ()),
    }


def custom_config_from_scouter(config: dict[str, Any]) -> dict[str, Any]:
    """A Scouter `CustomMetricDriftConfig` document as this package's custom config dict (its
    alert conditions belong to the metrics)."""
    return {
        **_identity(config),
        "sample_size": _number(config, "sample_size", "config", integer=True),
        "alert_config": _dispatch_from(config.get("alert_config") or {}),
    }


def genai_from_scouter(data: dict[str, Any]) -> dict[str, Any]:
    """A Scouter agent-evaluation profile (`AgentEvalProfile`) as this package's GenAI
    evaluation profile dict: its assertion, judge, trace and agent tasks as one task list."""
    config = _mapping(data, "config", "")
    alert = config.get("alert_config") or {}
    if not isinstance(alert, dict):
        raise ValueError("config.alert_config: expected an object")
    groups = _mapping(data, "tasks", "")
    tasks = []
    for group in TASK_GROUPS:
        for i, task in enumerate(groups.get(group) or []):
            if not isinstance(task, dict):
                raise ValueError(f"tasks.{group}[{i}]: expected an object")
            tasks.append(task_from_scouter(task, group))
    alert_config = _dispatch_from(alert)
    if alert.get("alert_condition") is not None:
        alert_config["alert_condition"] = alert["alert_condition"]
    return {
        "drift_type": "genai",
        "created_at": _created_at(data, config),
        "config": {
            **_identity(config),
            "sample_ratio": config.get("sample_ratio", 1.0),
            "alert_config": alert_config,
        },
        "tasks": tasks,
        "scouter": _agent_origin(data, config, alert, groups),
    }


def _agent_origin(
    data: dict[str, Any], config: dict[str, Any], alert: dict[str, Any], groups: dict[str, Any]
) -> dict[str, Any]:
    origin = _origin(data, config, alert, ())
    origin["tasks"] = {
        str(t.get("id")): t for group in TASK_GROUPS for t in groups.get(group) or []
    }
    origin["config"]["document"] = {
        k: data[k] for k in ("workflow", "task_ids", "alias") if k in data
    }
    return origin


TASK_GROUPS = {
    "assertion": "Assertion",
    "judge": "LLMJudge",
    "trace": "TraceAssertion",
    "agent": "AgentAssertion",
}
"""Scouter's task lists of an agent profile, and the task type of each."""


def task_from_scouter(record: dict[str, Any], group: str) -> dict[str, Any]:
    """A task of Scouter's `group` list as this package's task dict (its result dropped)."""
    return {**{k: v for k, v in record.items() if k != "result"}, "task_type": TASK_GROUPS[group]}


def _config_parts(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    config = _mapping(data, "config", "")
    return config, _mapping(config, "alert_config", "config")


def _identity(config: dict[str, Any]) -> dict[str, Any]:
    identity = {key: config.get(key) for key in ("space", "name", "version")}
    if config.get("uid"):
        identity["uid"] = str(config["uid"])
    return identity


def _origin(
    data: dict[str, Any], config: dict[str, Any], alert: dict[str, Any], keys: tuple[str, ...]
) -> dict[str, Any]:
    kept = {key: config[key] for key in keys if key in config}
    if "schedule" in alert:
        kept["schedule"] = alert["schedule"]
    if "dispatch_config" in alert:
        kept["dispatch_config"] = alert["dispatch_config"]
    features = data.get("features")
    return {
        "uid": str(config.get("uid", "")),
        "scouter_version": str(data.get("scouter_version", "")),
        "config": kept,
        "features": dict(features) if isinstance(features, dict) else {},
    }


def _created_at(data: dict[str, Any], config: dict[str, Any]) -> str:
    """When the profile was built: its earliest feature timestamp, else the time in its
    uuid7 `uid`, else the Unix epoch (the same file always reads the same)."""
    stamps = [
        datetime.fromisoformat(_micro(str(r["timestamp"])))
        for r in (data.get("features") or {}).values()
        if isinstance(r, dict) and r.get("timestamp")
    ]
    if stamps:
        return min(stamps).isoformat()
    try:
        uid = uuid.UUID(str(config.get("uid")))
    except ValueError:
        uid = None
    if uid is not None and uid.version == 7:
        return datetime.fromtimestamp((uid.int >> 80) / 1000, UTC).isoformat()
    return datetime(1970, 1, 1, tzinfo=UTC).isoformat()


def _micro(stamp: str) -> str:
    """An RFC 3339 time with at most microseconds (chrono writes nanoseconds)."""
    head, dot, rest = stamp.partition(".")
    if not dot:
        return stamp.replace("Z", "+00:00")
    digits = len(rest) - len(rest.lstrip("0123456789"))
    return f"{head}.{rest[: min(digits, 6)]}{rest[digits:]}".replace("Z", "+00:00")


def _feature_map(config: dict[str, Any]) -> dict[str, dict[str, int]]:
    raw = config.get("feature_map") or {}
    features = raw.get("features", {}) if isinstance(raw, dict) else None
    if not isinstance(features, dict):
        raise ValueError("config.feature_map.features: expected an object")
    return features


def _bin(raw: Any, where: str) -> tuple[int, float | None, float | None, float]:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object, found {type(raw).__name__}")
    ident = raw.get("id")
    if not isinstance(ident, int) or isinstance(ident, bool):
        raise ValueError(f"{where}.id: expected an integer, found {ident!r}")
    proportion = _number(raw, "proportion", where)
    if proportion < 0:
        raise ValueError(f"{where}.proportion: {proportion!r} is negative")
    return ident, _limit(raw, "lower_limit", where), _limit(raw, "upper_limit", where), proportion


def _limit(raw: dict[str, Any], key: str, where: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"{where}.{key}: {value!r} is not a number") from None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise ValueError(f"{where}.{key}: expected a number, found {value!r}")


def _numeric_feature(
    bins: list[tuple[int, float | None, float | None, float]], where: str
) -> dict[str, Any]:
    edges: list[float] = []
    proportions: list[float] = []
    previous = -math.inf
    for ident, lower, upper, proportion in bins:
        if lower is None or upper is None:
            raise ValueError(f"{where}: numeric bin {ident} needs lower_limit and upper_limit")
        if lower != previous:
            raise ValueError(
                f"{where}: bin {ident} starts at {lower!r}, the bin before it ends at {previous!r}"
            )
        if upper < lower:
            raise ValueError(f"{where}: bin {ident} ends at {upper!r}, below its start {lower!r}")
        previous = upper
        if upper == lower:
            # (a, a] holds no value: Scouter writes one where tied quantiles repeat an edge.
            if proportion:
                raise ValueError(f"{where}: empty bin {ident} ({lower!r}, {upper!r}] has mass")
            continue
        if proportions:
            edges.append(lower)
        proportions.append(proportion)
    if previous != math.inf:
        raise ValueError(f"{where}: the last bin ends at {previous!r}, not 'inf'")
    if any(not math.isfinite(e) for e in edges):
        raise ValueError(f"{where}: inner bin limits must be finite")
    return {
        "kind": "numeric",
        "edges": edges,
        "categories": [],
        "baseline_proportions": [*proportions, 0.0],
    }


def _categorical_feature(
    bins: list[tuple[int, float | None, float | None, float]],
    categories: Mapping[str, int] | None,
    where: str,
) -> dict[str, Any]:
    by_id = {ident: proportion for ident, _, _, proportion in bins}
    if categories is None:
        # No feature map: the feature was integer-coded; its categories are the codes.
        names = [str(ident) for ident in by_id]
        return {
            "kind": "categorical",
            "edges": [],
            "categories": names,
            "baseline_proportions": [*by_id.values(), 0.0, 0.0],
        }
    if not isinstance(categories, Mapping):
        raise ValueError(f"config.feature_map.features{where[8:]}: expected an object")
    named = {ident: name for name, ident in categories.items() if name != "missing"}
    unknown = sorted(set(by_id) - set(named) - {categories.get("missing")})
    if unknown:
        raise ValueError(f"{where}.bins: ids {unknown} are not in config.feature_map")
    ordered = sorted(named)
    return {
        "kind": "categorical",
        "edges": [],
        "categories": [named[i] for i in ordered],
        # Scouter sends unseen categories to its "missing" id: here that is the `other` bin.
        "baseline_proportions": [
            *(by_id.get(i, 0.0) for i in ordered),
            by_id.get(categories.get("missing", -1), 0.0),
            0.0,
        ],
    }


_BINNING_METHODS = {
    "Manual": "manual",
    "SquareRoot": "square_root",
    "Sturges": "sturges",
    "Rice": "rice",
    "Doane": "doane",
    "Scott": "scott",
    "TerrellScott": "terrell_scott",
    "FreedmanDiaconis": "freedman_diaconis",
}
_THRESHOLDS = {"ChiSquare": "chi_square", "Normal": "normal", "Fixed": "fixed"}


def _variant(raw: Any, where: str, known: Mapping[str, str]) -> tuple[str, Any]:
    """The one (tag, body) of an externally tagged enum."""
    if isinstance(raw, str) and raw in known:
        return raw, None
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ValueError(
            f"{where}: expected one of {sorted(known)} as {{name: {{...}}}}, found {raw!r}"
        )
    tag, body = next(iter(raw.items()))
    if tag not in known:
        raise ValueError(f"{where}: unknown {tag!r}; expected one of {sorted(known)}")
    return tag, body


def _binning_from(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {"kind": "quantile"}
    where = "config.binning_strategy"
    tag, body = _variant(raw, where, {"QuantileBinning": "", "EqualWidthBinning": ""})
    if tag == "QuantileBinning":
        return {"kind": "quantile", **(body or {})}
    method = (body or {}).get("method", {"Doane": None})
    name, detail = _variant(method, f"{where}.EqualWidthBinning.method", _BINNING_METHODS)
    return {"kind": "equal_width", "method": {"kind": _BINNING_METHODS[name], **(detail or {})}}


def _threshold_from(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {"kind": "chi_square"}
    tag, body = _variant(raw, "config.alert_config.threshold", _THRESHOLDS)
    return {"kind": _THRESHOLDS[tag], **(body or {})}


def _dispatch_from(alert: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "schedule" in alert:
        out["schedule"] = alert["schedule"]
    raw = alert.get("dispatch_config")
    if raw is None:
        return out
    where = "config.alert_config.dispatch_config"
    tag, body = _variant(raw, where, {"Console": "", "Slack": "", "OpsGenie": ""})
    body = body or {}
    if tag == "Console":
        out["dispatch_config"] = [{"kind": "console"}] if body.get("enabled", True) else []
    elif tag == "Slack":
        out["dispatch_config"] = [{"kind": "slack", "channel": body.get("channel")}]
    else:
        out["dispatch_config"] = [
            {"kind": "opsgenie", "team": body.get("team"), "priority": body.get("priority", "P5")}
        ]
    return out


def _zone(raw: Any, where: str) -> int:
    names = {"Zone1": 1, "Zone2": 2, "Zone3": 3, "Zone4": 4, "NotApplicable": 0}
    if raw in names:
        return names[raw]
    if isinstance(raw, int) and raw in names.values():
        return raw
    raise ValueError(f"{where}: expected one of {sorted(names)}, found {raw!r}")


def _mapping(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key)
    path = f"{where}.{key}" if where else key
    if not isinstance(value, dict):
        raise ValueError(f"{path}: expected an object, found {type(value).__name__}")
    return value


def _list(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise ValueError(f"{where}.{key}: expected a list, found {type(value).__name__}")
    return value


def _number(data: Any, key: str, where: str, *, integer: bool = False) -> float:
    """`data[key]` as a finite number (an int where `integer`), or an error naming the field."""
    value = data.get(key) if isinstance(data, dict) else None
    wanted = (int,) if integer else (int, float)
    if isinstance(value, wanted) and not isinstance(value, bool) and math.isfinite(value):
        return value
    kind = "an integer" if integer else "a finite number"
    raise ValueError(f"{where}.{key}: expected {kind}, found {value!r}")


# --- writing -------------------------------------------------------------------------------


def psi_to_scouter(profile: BaseModel) -> dict[str, Any]:
    """Scouter's PSI document for a PSI profile."""
    dump = profile.model_dump(mode="json")
    config, origin = dump["config"], origin_of(dump)
    kept_map = _feature_map(origin["config"]) if "feature_map" in origin["config"] else {}
    stamp = _stamp(dump)
    features: dict[str, Any] = {}
    feature_map: dict[str, dict[str, int]] = {}
    for name, feature in dump["features"].items():
        record = origin["features"].get(name)
        if _still(record, feature, psi_feature_from_scouter, kept_map.get(name), name):
            features[name] = record
            if name in kept_map:
                feature_map[name] = kept_map[name]
            continue
        bins, ids = psi_bins_to_scouter(feature)
        features[name] = {
            "id": name,
            "bins": bins,
            "timestamp": stamp,
            "bin_type": "Numeric" if feature["kind"] == "numeric" else "Category",
        }
        if ids is not None:
            feature_map[name] = ids
    kept = origin["config"].get("categorical_features", _UNSET)
    categorical = config["categorical_features"]
    lost = _lost_psi(config)
    alert = config["alert_config"]
    document = {
        "features": features,
        "config": {
            **identity_to_scouter(dump, origin),
            "alert_config": {
                **alert_to_scouter(alert, origin, lost),
                "features_to_monitor": alert["features_to_monitor"],
                "threshold": _threshold_to(config["threshold"]),
            },
            "feature_map": {"features": feature_map},
            "drift_type": "Psi",
            "categorical_features": kept
            if kept is not _UNSET and list(kept or []) == categorical
            else categorical or None,
            "binning_strategy": _binning_to(config["binning"]),
        },
        "scouter_version": origin["scouter_version"] or SCOUTER_LAYOUT,
    }
    warn_lost(lost, dump)
    return document


def spc_to_scouter(profile: BaseModel) -> dict[str, Any]:
    """Scouter's SPC document for an SPC profile: limits at 1, 2 and 3 process sigmas from
    the centre, as Scouter draws them."""
    dump = profile.model_dump(mode="json")
    config, origin = dump["config"], origin_of(dump)
    stamp = _stamp(dump)
    n = config["sample_size"]
    features: dict[str, Any] = {}
    for name, feature in dump["features"].items():
        record = origin["features"].get(name)
        if _still(record, feature, spc_feature_from_scouter, n, name):
            features[name] = record
            continue
        center, sigma = feature["center"], feature["sigma"]
        features[name] = {
            "id": name,
            "center": center,
            **{
                f"{word}_{side}": center + sign * k * sigma
                for k, word in ((1, "one"), (2, "two"), (3, "three"))
                for side, sign in (("ucl", 1), ("lcl", -1))
            },
            "timestamp": stamp,
        }
    lost: list[str] = []
    alert = config["alert_config"]
    rule = config["rule"]
    document = {
        "features": features,
        "config": {
            "sample_size": n,
            "sample": origin["config"].get("sample", True),
            **identity_to_scouter(dump, origin),
            "alert_config": {
                "rule": {
                    "rule": rule["rule"],
                    "zones_to_monitor": [f"Zone{z}" for z in rule["zones_to_monitor"]],
                },
                **alert_to_scouter(alert, origin, lost),
                "features_to_monitor": alert["features_to_monitor"],
            },
            "feature_map": origin["config"].get("feature_map", {"features": {}}),
            "drift_type": "Spc",
        },
        "scouter_version": origin["scouter_version"] or SCOUTER_LAYOUT,
    }
    warn_lost(lost, dump)
    return document


def custom_to_scouter(profile: BaseModel) -> dict[str, Any]:
    """Scouter's custom-metric document for a custom profile."""
    dump = profile.model_dump(mode="json")
    config, origin = dump["config"], origin_of(dump)
    lost: list[str] = []
    metrics = dump["metrics"]
    document = {
        "config": {
            "sample_size": config["sample_size"],
            **identity_to_scouter(dump, origin),
            "alert_config": {
                **alert_to_scouter(config["alert_config"], origin, lost),
                "alert_conditions": {
                    name: {
                        "baseline_value": m["baseline_value"],
                        "alert_threshold": m["alert_threshold"],
                        "delta": m["delta"],
                    }
                    for name, m in metrics.items()
                },
            },
            "drift_type": "Custom",
        },
        "metrics": {name: m["baseline_value"] for name, m in metrics.items()},
        "scouter_version": origin["scouter_version"] or SCOUTER_LAYOUT,
    }
    warn_lost(lost, dump)
    return document


_UNSET: Any = object()


def origin_of(dump: dict[str, Any]) -> dict[str, Any]:
    """The `scouter` record of a profile's dump, or an empty one."""
    empty = {"uid": "", "scouter_version": "", "config": {}, "features": {}, "tasks": {}}
    return dump.get("scouter") or empty


def _still(
    record: Any, feature: dict[str, Any], read: Callable[..., dict[str, Any]], *args: Any
) -> bool:
    """Whether Scouter's `record` still reads as `feature` (so it may be written back)."""
    if record is None:
        return False
    try:
        reading = read(record, *args)
    except ValueError:
        return False
    return reading == {k: v for k, v in feature.items() if k in reading}


def _stamp(dump: dict[str, Any]) -> str:
    return (
        datetime.fromisoformat(dump["created_at"])
        .astimezone(UTC)
        .isoformat()
        .replace("+00:00", "Z")
    )


def identity_to_scouter(dump: dict[str, Any], origin: dict[str, Any]) -> dict[str, Any]:
    """Scouter's space, name, version and uid (the config's `uid`)."""
    config = dump["config"]
    key = f"{config['space']}/{config['name']}/{config['version']}"
    uid = config.get("scouter_uid") or origin["uid"] or key_uid(key)
    return {
        "space": config["space"],
        "name": config["name"],
        "version": config["version"],
        "uid": uid,
    }


def alert_to_scouter(
    alert: dict[str, Any], origin: dict[str, Any], lost: list[str]
) -> dict[str, Any]:
    """Scouter's schedule and one dispatch config (what cannot be held is added to `lost`)."""
    kept = origin["config"].get("schedule")
    try:
        same = kept is not None and normalise_cron(kept) == alert["schedule"]
    except ValueError:
        same = False
    destinations = alert["dispatch_config"]
    kept_dispatch = origin["config"].get("dispatch_config")
    if kept_dispatch is not None and _dispatch_from({"dispatch_config": kept_dispatch}).get(
        "dispatch_config"
    ) == [_scouter_fields(d) for d in destinations]:
        dispatch = kept_dispatch
    elif not destinations:
        dispatch = {"Console": {"enabled": False}}
    else:
        first = destinations[0]
        if len(destinations) > 1:
            lost.append(f"destinations after the first ({len(destinations) - 1})")
        dispatch = (
            {"Console": {"enabled": True}}
            if first["kind"] == "console"
            else {"Slack": {"channel": first["channel"]}}
            if first["kind"] == "slack"
            else {"OpsGenie": {"team": first["team"], "priority": first["priority"]}}
        )
    return {
        "schedule": kept if same else to_seconds_cron(alert["schedule"]),
        "dispatch_config": dispatch,
    }


def _scouter_fields(destination: dict[str, Any]) -> dict[str, Any]:
    keep = {
        "console": ("kind",),
        "slack": ("kind", "channel"),
        "opsgenie": ("kind", "team", "priority"),
    }[destination["kind"]]
    return {k: destination[k] for k in keep}


def psi_bins_to_scouter(
    feature: dict[str, Any],
) -> tuple[list[dict[str, Any]], dict[str, int] | None]:
    """Scouter's bins for a feature, proportions over its non-missing baseline rows, and the
    feature map of a categorical one."""
    if feature.get("counts") is not None:
        counts = feature["counts"]
        present = sum(counts[:-1])
        proportions = [c / present for c in counts[:-1]]
    else:
        given = feature["baseline_proportions"]
        present = math.fsum(given[:-1])
        proportions = [p / present for p in given[:-1]]
    if feature["kind"] == "numeric":
        limits = [-math.inf, *feature["edges"], math.inf]
        bins = [
            {
                "id": i + 1,
                "lower_limit": _limit_to(limits[i]),
                "upper_limit": _limit_to(limits[i + 1]),
                "proportion": p,
            }
            for i, p in enumerate(proportions)
        ]
        return bins, None
    categories = feature["categories"]
    ids = {name: i for i, name in enumerate(categories)} | {"missing": len(categories)}
    bins = [
        {"id": i, "lower_limit": None, "upper_limit": None, "proportion": p}
        for i, p in enumerate(proportions)
    ]
    return bins, ids


def _limit_to(value: float) -> float | str:
    return value if math.isfinite(value) else ("inf" if value > 0 else "-inf")


def _binning_to(binning: dict[str, Any]) -> dict[str, Any]:
    if binning["kind"] == "quantile":
        return {"QuantileBinning": {"num_bins": binning["num_bins"]}}
    method = binning["method"]
    tag = next(k for k, v in _BINNING_METHODS.items() if v == method["kind"])
    body = {"num_bins": method["num_bins"]} if method["kind"] == "manual" else None
    return {"EqualWidthBinning": {"method": {tag: body}}}


def _threshold_to(threshold: dict[str, Any]) -> dict[str, Any]:
    tag = next(k for k, v in _THRESHOLDS.items() if v == threshold["kind"])
    body = {k: v for k, v in threshold.items() if k != "kind"}
    return {tag: body}


def _lost_psi(config: dict[str, Any]) -> list[str]:
    lost = []
    if config["correction"] != "none":
        lost.append(f"correction={config['correction']!r}")
    if config["feature_importances"]:
        lost.append("feature_importances")
    return lost


def warn_lost(lost: list[str], dump: dict[str, Any]) -> None:
    """One warning naming the settings Scouter's layout cannot hold."""
    if lost:
        key = f"{dump['config']['space']}/{dump['config']['name']}/{dump['config']['version']}"
        warnings.warn(
            f"Scouter's profile layout has no place for these settings of {key}, which "
            f"to_scouter_json leaves out: {', '.join(lost)}",
            UserWarning,
            stacklevel=5,  # the caller of to_scouter_json
        )
