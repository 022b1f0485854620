"""Core value types shared by every part of the engine: locations, severities, findings, changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """Where a node was *written*: file, JSON pointer within that file, and 1-based line/column."""

    file: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.pointer:
            where += f" (#{self.pointer})"
        return where

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "pointer": self.pointer, "line": self.line, "column": self.column}


class Severity(IntEnum):
    """Ordered severity, so thresholds compare: ``Severity.WARN >= Severity.INFO``."""

    HINT = 0
    INFO = 1
    WARN = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse a user-facing severity name (``error``, ``warn``/``warning``, ``info``, ``hint``)."""
        key = text.strip().lower()
        aliases = {"warning": "warn", "err": "error", "information": "info"}
        key = aliases.get(key, key)
        try:
            return cls[key.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}; expected error, warn, info or hint") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of a lint rule or validation check, located where the offending node is written."""

    rule_id: str
    severity: Severity
    location: Location
    message: str
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.file, loc.line or 0, loc.column or 0, self.rule_id, self.message)

    def to_dict(self) -> dict[str, object]:
        return {
            "ruleId": self.rule_id,
            "severity": self.severity.label,
            "message": self.message,
            "hint": self.hint,
            "location": self.location.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Change:
    """One classified difference between two contract versions."""

    id: str
    level: Severity
    direction: str  # "request", "response", "publish", "subscribe" or "none"
    base: Location | None
    revision: Location | None
    operation: str | None
    message: str
    details: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "level": self.level.label,
            "direction": self.direction,
            "operation": self.operation,
            "message": self.message,
            "base": self.base.to_dict() if self.base else None,
            "revision": self.revision.to_dict() if self.revision else None,
        }
