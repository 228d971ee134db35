"""What every drift profile shares: identity, a schema version and JSON (de)serialisation."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Self

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from scouter_flows import limits
from scouter_flows.errors import ConfigError

SCHEMA_VERSION = 1
"""The profile JSON layout this package writes and reads."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_IDENTITY_LIMITS = {"space": limits.SPACE, "name": limits.NAME, "version": limits.VERSION}


class FrozenModel(BaseModel):
    """Base of configs and profiles: immutable, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class OmitsUnset(BaseModel):
    """Leaves the optional fields named in `_omit_when_none` out of its dump while they are
    None, so a profile that does not use them writes the JSON it always wrote (and hashes the
    same in the store)."""

    _omit_when_none: ClassVar[tuple[str, ...]] = ()

    # The return type given, not read from the annotation: pydantic 2.10 would look `Any` up
    # in the module of each subclass.
    @model_serializer(mode="wrap", return_type=dict[str, Any])
    def _drop_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in self._omit_when_none:
            if key in data and data[key] is None:
                del data[key]
        return data


class ScouterOrigin(FrozenModel):
    """What a profile read from Scouter's JSON held that this package's layout has no place for.

    `to_scouter_json` writes these back, each as long as the profile still says what Scouter's
    record said (a feature rebuilt here is written from its new values).
    """

    uid: str = Field(description="Scouter's profile id.")
    scouter_version: str = Field(description="The Scouter version that wrote the profile.")
    config: dict[str, Any] = Field(
        default_factory=dict,
        description="Scouter config fields as written: schedule, feature_map, sample, "
        "categorical_features.",
    )
    features: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Each feature's record as Scouter wrote it."
    )
    tasks: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Each task's record as Scouter wrote it, by id."
    )


@dataclass(frozen=True, slots=True)
class ScouterLayout:
    """How a profile kind reads Scouter's JSON (into this package's layout, as a dict) and
    writes it (from the profile)."""

    read: Callable[[dict[str, Any]], dict[str, Any]]
    write: Callable[[Any], dict[str, Any]]


class ScouterKind(OmitsUnset):
    """A profile kind Scouter writes too: read from and written to Scouter's JSON as
    `scouter_layout` says. Each such kind declares, as its last field,
    `scouter: ScouterOrigin | None = None` (what Scouter's record held beyond this layout),
    left out of its JSON while None."""

    _omit_when_none: ClassVar[tuple[str, ...]] = ("scouter",)
    scouter_layout: ClassVar[ScouterLayout]


class DriftType(StrEnum):
    """The kinds of profile, with Scouter's member names; values are the `drift_type` of the
    JSON. `Agent` and `GenAI` are one kind (Scouter renamed it).

    Example:
        >>> DriftType.from_value("Psi"), DriftType.from_value("Agent")
        (<DriftType.Psi: 'psi'>, <DriftType.Agent: 'genai'>)
    """

    Psi = "psi"
    Spc = "spc"
    Custom = "custom"
    Agent = "genai"
    GenAI = "genai"

    @classmethod
    def from_value(cls, value: str) -> DriftType:
        """The kind named `value`, in our spelling or Scouter's, in any case."""
        text = value.strip().lower()
        for member in cls:
            if text in (member.value, member.name.lower()):
                return member
        raise ConfigError(f"unknown drift type {value!r}; known: Psi, Spc, Custom, Agent")


MISSING = "__missing__"
"""Scouter's placeholder space and name: a profile may be built with it, not stored."""


class ProfileIdentity(FrozenModel, OmitsUnset):
    """Where a profile lives: `space/name/version`, as in Scouter.

    Without `space` and `name` a config holds Scouter's placeholder `__missing__`: the profile
    can be built and used in memory, and must be named before it is stored. `config_path=`
    loads the whole config from a JSON file, in this package's layout or Scouter's.
    """

    space: str = Field(
        default=MISSING,
        validation_alias=AliasChoices("space", "repository"),
        description="Team or domain the model belongs to (Scouter's older name: repository).",
    )
    name: str = Field(default=MISSING, description="Model or monitor name.")
    version: str = Field(default="0.1.0", description="Profile version; immutable once stored.")
    scouter_uid: str | None = Field(
        default=None,
        validation_alias=AliasChoices("uid", "scouter_uid"),
        description="The uid given (as `uid=`) or read from Scouter's file; see `uid`.",
    )

    _omit_when_none: ClassVar[tuple[str, ...]] = ("scouter_uid",)

    @model_validator(mode="before")
    @classmethod
    def _config_path(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "config_path" not in data:
            return data
        others = sorted(set(data) - {"config_path"})
        if others:
            raise ValueError(
                f"config_path= loads the whole config: give {others} in the file, or leave out "
                "config_path"
            )
        path = data["config_path"]
        loaded = read_json_object(path, what="config")
        return cls.from_scouter_config(loaded) if is_scouter_config(loaded) else loaded

    @classmethod
    def from_scouter_config(cls, data: dict[str, Any]) -> dict[str, Any]:
        """This package's layout of a decoded Scouter config of this kind."""
        raise ValueError(f"reading Scouter's {cls.__name__} files is not supported")

    @field_validator("space", "name", "version")
    @classmethod
    def _check_name(cls, value: str, info: ValidationInfo) -> str:
        # ASCII only: the key goes into URLs, Asset URIs, artifact and deployment names and
        # OpsGenie aliases, which all take it as it is.
        if value == MISSING and info.field_name != "version":
            return value
        if not _NAME.match(value):
            raise ValueError(
                f"{value[:64]!r} is not a valid identifier: use ASCII letters, digits, '_', '.' "
                "or '-', starting with a letter or digit"
            )
        field = str(info.field_name)
        return limits.check_text(value, _IDENTITY_LIMITS[field], field)

    @property
    def key(self) -> str:
        """`space/name/version`."""
        return f"{self.space}/{self.name}/{self.version}"

    @property
    def uid(self) -> str:
        """The profile's id, as Scouter's `config.uid`: the one given or read from Scouter's
        file, else a UUID derived from `key` (the same for the same space, name and version).

        Example:
            >>> from scouter_flows import PsiDriftConfig
            >>> a = PsiDriftConfig(space="s", name="n")
            >>> a.uid == PsiDriftConfig(space="s", name="n").uid != a.model_copy(
            ...     update={"version": "2"}).uid
            True
            >>> PsiDriftConfig(space="s", name="n", uid="0199-given").uid
            '0199-given'
        """
        return self.scouter_uid or key_uid(self.key)

    @property
    def is_named(self) -> bool:
        """Whether both space and name are set (not Scouter's `__missing__`)."""
        return MISSING not in (self.space, self.name)


def key_uid(key: str) -> str:
    """The uid of a profile key `space/name/version` that was given none: the same every time."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"scouter-flows:{key}"))


class DriftProfileBase(FrozenModel):
    """Fields and (de)serialisation common to every drift profile."""

    schema_version: int = Field(default=SCHEMA_VERSION, description="Layout version of this JSON.")
    created_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), description="When the profile was built (UTC)."
    )

    @field_validator("schema_version")
    @classmethod
    def _check_schema_version(cls, value: int) -> int:
        if value != SCHEMA_VERSION:
            raise ValueError(
                f"unknown schema_version {value}: this scouter-flows reads version "
                f"{SCHEMA_VERSION}; upgrade scouter-flows or rebuild the profile"
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _from_scouter_layout(cls, data: Any) -> Any:
        if not is_scouter_layout(data):
            return data
        expected = cls.model_fields["drift_type"].default
        found = profile_kind(data)
        if found != expected:
            raise ValueError(f"expected a Scouter {expected!r} profile, found {found!r}")
        return cls.from_scouter_document(data)

    @classmethod
    def from_scouter_document(cls, data: dict[str, Any]) -> dict[str, Any]:
        """This package's layout of a decoded Scouter profile of this kind."""
        layout: ScouterLayout | None = getattr(cls, "scouter_layout", None)
        if layout is None:
            kind = cls.model_fields["drift_type"].default
            raise ValueError(f"reading Scouter's {kind!r} profiles is not supported yet")
        return layout.read(data)

    def scouter_document(self) -> dict[str, Any]:
        """This profile as Scouter's profile document (a JSON-able dict)."""
        layout: ScouterLayout | None = getattr(self, "scouter_layout", None)
        if layout is None:
            kind = type(self).model_fields["drift_type"].default
            raise ConfigError(f"Scouter's layout for {kind!r} profiles is not supported yet")
        return layout.write(self)

    def to_scouter_json(self, path: str | Path | None = None) -> str:
        """This profile as JSON Scouter 0.25 reads (`PsiDriftProfile.from_file` and the like
        in Scouter); written to `path` too when one is given (missing folders are made).

        Settings Scouter's layout has no place for are left out with a warning naming them;
        see "Coming from Scouter" for what maps and what does not.
        """
        text = json.dumps(self.scouter_document(), indent=2)
        if path is not None:
            target = Path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return text

    @property
    def uid(self) -> str:
        """The profile's id as Scouter names it: its config's `uid`."""
        return str(getattr(self, "config").uid)  # noqa: B009 - every profile has a config

    _built_from: ClassVar[frozenset[str]] = frozenset()
    """Config fields the baseline was binned or charted with: a copy cannot change them."""

    def with_config(self, **changes: Any) -> Self:
        """A copy of the profile whose config has `changes` (a new version, space, schedule or
        alert config, say), validated as a config is. Fields the baseline was built with
        (binning, subgroup size, ...) cannot change: build a new profile for those.

        Example:
            >>> import polars as pl
            >>> from scouter_flows import Drifter, PsiDriftConfig
            >>> p = Drifter().create_drift_profile(pl.DataFrame({"x": [1.0, 2.0] * 50}),
            ...                                    PsiDriftConfig(space="s", name="n"))
            >>> p.with_config(version="2.0.0").config.key
            's/n/2.0.0'
        """
        fixed = sorted(set(changes) & self._built_from)
        if fixed:
            raise ConfigError(
                f"{fixed} were used to build the profile from its baseline; build a new profile "
                "to change them"
            )
        config = getattr(self, "config")  # noqa: B009 - every profile has one; the base does not declare it
        try:
            new = type(config).model_validate({**dict(config), **changes})
        except ValidationError as exc:
            raise ConfigError(f"with_config: {describe_validation_error(exc)}") from None
        return self.model_copy(update={"config": new})

    def update_config_args(self, **changes: Any) -> None:
        """Scouter changes a profile's config in place; profiles here are immutable (they are
        stored by content), so this raises and says what to write instead.

        Raises:
            TypeError: always; use `profile = profile.with_config(...)`.
        """
        given = ", ".join(f"{k}=..." for k in changes) or "..."
        raise TypeError(
            "profiles cannot change in place (they are stored by their content): write "
            f"profile = profile.with_config({given})"
        )

    def save_to_json(self, path: str | Path | None = None) -> Path:
        """Write the profile as JSON to `path` (missing folders are made) and return the path.

        Without a path, the file is Scouter's default name in the working directory
        (`psi_drift_profile.json`, `spc_drift_profile.json`, `custom_drift_profile.json`).
        """
        target = Path(path) if path is not None else Path(self.default_file_name())
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.model_dump_json(indent=2), encoding="utf-8")
        return target

    @classmethod
    def from_file(cls, path: str | Path) -> Self:
        """The profile saved at `path` (by `save_to_json`).

        Raises:
            ConfigError: the file is missing, not JSON, another kind of profile, or invalid;
                the message names the file and the field.
        """
        return cls.model_validate_profile(read_json_object(path), source=str(path))

    @classmethod
    def default_file_name(cls) -> str:
        """The file `save_to_json()` writes when given no path."""
        return f"{str(cls.model_fields['drift_type'].default).lower()}_drift_profile.json"

    @classmethod
    def model_validate_profile(cls, data: dict[str, Any], *, source: str) -> Self:
        """Validate a decoded profile, with errors that name `source` and the field."""
        expected = cls.model_fields["drift_type"].default
        found = profile_kind(data)
        if found != expected:
            raise ConfigError(
                f"{source}: expected a {expected!r} drift profile, found drift_type={found!r}"
            )
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(
                f"{source}: invalid {expected} profile: {describe_validation_error(exc)}"
            ) from None

    @classmethod
    def load_from_json(cls, path: str | Path) -> Self:
        """Read a profile written by `save_to_json`."""
        return cls.model_validate_profile(read_json_object(path), source=str(path))


def is_scouter_layout(data: object) -> bool:
    """Whether `data` is a profile in Scouter's layout rather than this package's."""
    if not isinstance(data, dict) or "schema_version" in data or "drift_type" in data:
        return False
    config = data.get("config")
    return "scouter_version" in data or (isinstance(config, dict) and "drift_type" in config)


def profile_kind(data: Mapping[str, Any]) -> str | None:
    """The `drift_type` (psi, spc, custom, genai) of a decoded profile in either layout."""
    if not is_scouter_layout(data):
        found = data.get("drift_type")
        return None if found is None else str(found)
    name = data["config"].get("drift_type") if isinstance(data.get("config"), dict) else None
    if isinstance(name, str):
        try:
            return DriftType.from_value(name).value
        except ValueError:
            return name
    features = data.get("features")
    if isinstance(features, dict) and features:
        first = next(iter(features.values()))
        if isinstance(first, dict):
            return "psi" if "bins" in first else "spc" if "center" in first else None
    return "custom" if "metrics" in data else "genai" if "tasks" in data else None


def is_scouter_config(data: Mapping[str, Any]) -> bool:
    """Whether a config document is Scouter's (it carries a `uid` or a `drift_type`)."""
    return "uid" in data or "drift_type" in data


def read_json_object(path: str | Path, what: str = "profile") -> dict[str, Any]:
    """Read a JSON object from `path`, with errors that name the file (a `what` file)."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{what} file not found: {source}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{source}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a JSON object, found {type(data).__name__}")
    return data


def describe_validation_error(exc: ValidationError) -> str:
    """Pydantic's errors as `field.path: message` pairs on one line."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "(root)"
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)
