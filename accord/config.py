"""``accord.yaml`` -> typed :class:`Config` (catalogue of domains + lint configuration).

Validated with a JSON Schema (jsonschema-rs) into frozen dataclasses: the CLI reads this file on
every run, and a model library's import and build cost would dominate a 0.3 s lint.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs

from accord.errors import ConfigError
from accord.loader import SourceFile, read_source
from accord.loader._pointer import join

CONFIG_NAME = "accord.yaml"
STABILITIES = ("stable", "beta", "experimental")
SEVERITIES = ("error", "warn", "warning", "info", "hint", "off")

_STRINGS = {"type": "array", "items": {"type": "string"}}
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "domains": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][a-z0-9-]*$"},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["owner", "systemOfRecord"],
                "properties": {
                    "owner": {"type": "string", "minLength": 1},
                    "systemOfRecord": {"type": "string", "minLength": 1},
                    "stability": {"enum": list(STABILITIES)},
                    "upstream": {"type": "string"},
                    "openapi": {"type": "string"},
                    "asyncapi": {"type": "string"},
                },
            },
        },
        "lint": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "extends": {"enum": ["recommended", "all", "none"]},
                "plugins": _STRINGS,
                "rules": {
                    "type": "object",
                    "additionalProperties": {
                        "anyOf": [
                            {"enum": list(SEVERITIES)},
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {
                                    "severity": {"enum": list(SEVERITIES)},
                                    "paths": _STRINGS,
                                    "domains": _STRINGS,
                                    "options": {"type": "object"},
                                },
                            },
                        ]
                    },
                },
            },
        },
    },
}


@dataclass(frozen=True)
class DomainConfig:
    """One business domain of the catalogue."""

    owner: str
    system_of_record: str
    stability: str = "stable"
    upstream: str | None = None
    openapi: str | None = None
    asyncapi: str | None = None


@dataclass(frozen=True)
class RuleSetting:
    """Override of one rule: severity (or ``off``), scope and options."""

    severity: str | None = None
    paths: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LintConfig:
    extends: str = "recommended"
    rules: dict[str, RuleSetting] = field(default_factory=dict)
    plugins: tuple[str, ...] = ()

    @classmethod
    def from_raw(cls, raw: Any) -> LintConfig:
        """Build from the (already schema-checked) ``lint`` mapping."""
        raw = raw or {}
        rules: dict[str, RuleSetting] = {}
        for rule_id, value in (raw.get("rules") or {}).items():
            if isinstance(value, str):
                rules[rule_id] = RuleSetting(severity=value)
            else:
                rules[rule_id] = RuleSetting(
                    severity=value.get("severity"),
                    paths=tuple(value.get("paths", ())),
                    domains=tuple(value.get("domains", ())),
                    options=dict(value.get("options", {})),
                )
        return cls(raw.get("extends", "recommended"), rules, tuple(raw.get("plugins", ())))


@dataclass(frozen=True)
class Config:
    """The whole ``accord.yaml``. ``root`` is the folder it lives in (contract paths are relative to it)."""

    domains: dict[str, DomainConfig] = field(default_factory=dict)
    lint: LintConfig = field(default_factory=LintConfig)
    root: Path = Path(".")
    file: str | None = None
    version: int = 1

    def domain_files(self) -> list[tuple[str, Path]]:
        """(domain, path) of every contract document named in the catalogue."""
        found: list[tuple[str, Path]] = []
        for name, domain in self.domains.items():
            for rel in (domain.openapi, domain.asyncapi):
                if rel:
                    found.append((name, self.root / rel))
        return found

    def domain_of(self, path: Path) -> str | None:
        resolved = path.resolve()
        for name, file in self.domain_files():
            if file.resolve() == resolved:
                return name
        return None


@functools.cache
def _validator() -> Any:
    return jsonschema_rs.validator_for(_SCHEMA)


def config_from_source(source: SourceFile) -> Config:
    data = source.data if source.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError("accord.yaml must be a mapping", source.location(""))
    errors = sorted(_validator().iter_errors(data), key=lambda e: len(list(e.instance_path)), reverse=True)
    if errors:
        first = errors[0]
        pointer = join("", tuple(str(p) for p in first.instance_path))
        where = "invalid lint configuration" if pointer.startswith("/lint") else "invalid accord.yaml"
        raise ConfigError(f"{where}: {first.message}", source.location(pointer))
    domains = {
        name: DomainConfig(
            owner=entry["owner"],
            system_of_record=entry["systemOfRecord"],
            stability=entry.get("stability", "stable"),
            upstream=entry.get("upstream"),
            openapi=entry.get("openapi"),
            asyncapi=entry.get("asyncapi"),
        )
        for name, entry in (data.get("domains") or {}).items()
    }
    return Config(domains, LintConfig.from_raw(data.get("lint")), source.path.parent, source.display)


def find_config(start: Path) -> Path | None:
    """The nearest ``accord.yaml`` in ``start`` (a file or folder) or its parents."""
    folder = start.resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_NAME).is_file():
            return candidate / CONFIG_NAME
    return None


def load_config(path: Path) -> Config:
    return config_from_source(read_source(path))


def default_config(root: Path) -> Config:
    return Config(root=root)
