"""``accord.yaml`` -> typed :class:`Config` (catalogue of domains + lint configuration)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.errors import ConfigError
from accord.loader import SourceFile, read_source
from accord.loader._pointer import join

CONFIG_NAME = "accord.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DomainConfig(_Strict):
    """One business domain of the catalogue."""

    owner: str
    system_of_record: str = Field(alias="systemOfRecord")
    stability: Literal["stable", "beta", "experimental"] = "stable"
    upstream: str | None = None
    openapi: str | None = None
    asyncapi: str | None = None


class RuleSetting(_Strict):
    """Override of one rule: severity (or ``off``), scope and options."""

    severity: Literal["error", "warn", "warning", "info", "hint", "off"] | None = None
    paths: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    options: dict[str, Any] = Field(default_factory=dict)


class LintConfig(_Strict):
    extends: Literal["recommended", "all", "none"] = "recommended"
    rules: dict[str, RuleSetting] = Field(default_factory=dict)
    plugins: list[str] = Field(default_factory=list)

    @classmethod
    def from_raw(cls, raw: Any) -> LintConfig:
        if isinstance(raw, dict) and isinstance(raw.get("rules"), dict):
            rules = {
                key: ({"severity": value} if isinstance(value, str) else value)
                for key, value in raw["rules"].items()
            }
            raw = {**raw, "rules": rules}
        return cls.model_validate(raw or {})


class Config(_Strict):
    """The whole ``accord.yaml``. ``root`` is the folder it lives in (contract paths are relative to it)."""

    version: Literal[1] = 1
    domains: dict[str, DomainConfig] = Field(default_factory=dict)
    lint: LintConfig = Field(default_factory=LintConfig)
    root: Path = Path(".")
    file: str | None = None

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


def _error_pointer(loc: tuple[int | str, ...]) -> str:
    return join("", tuple(loc))


def config_from_source(source: SourceFile) -> Config:
    data = source.data if source.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError("accord.yaml must be a mapping", source.location(""))
    lint_raw = data.get("lint")
    try:
        lint = LintConfig.from_raw(lint_raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        pointer = _error_pointer(("lint", *first["loc"]))
        raise ConfigError(f"invalid lint configuration: {first['msg']}", source.location(pointer)) from None
    try:
        rest = {k: v for k, v in data.items() if k != "lint"}
        config = Config.model_validate(
            {**rest, "lint": lint, "root": source.path.parent, "file": source.display}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        pointer = _error_pointer(first["loc"])
        raise ConfigError(f"invalid accord.yaml: {first['msg']}", source.location(pointer)) from None
    return config


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
