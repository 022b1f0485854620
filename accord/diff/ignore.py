"""``.accord-ignore.yaml``: accepted changes, each with a reason and an optional expiry date.

```yaml
ignore:
  - id: response-property-removed          # change id (optional)
    operation: GET /v1/orders/{id}         # or channel: orders.order.created.v1 (optional)
    pointer: /components/schemas/Order/properties/legacyCode   # base or revision pointer prefix (optional)
    reason: never populated since 2023 (ticket ORD-412)        # mandatory
    expires: 2025-12-31                    # optional; an expired entry no longer applies and is reported
```
An entry needs ``reason`` and at least one of ``id``, ``operation``, ``channel``; the fields it has
must all match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from accord.diff.delta import path_template
from accord.errors import ConfigError
from accord.loader import SourceFile
from accord.loader._pointer import join
from accord.model import Change, Location

DEFAULT_NAME = ".accord-ignore.yaml"


@dataclass(frozen=True, slots=True)
class IgnoreEntry:
    """One accepted change (or family of changes)."""

    reason: str
    location: Location
    id: str | None = None
    operation: str | None = None
    channel: str | None = None
    pointer: str | None = None
    expires: date | None = None

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today

    def matches(self, change: Change) -> bool:
        if self.id is not None and change.id != self.id:
            return False
        if self.operation is not None and _operation_key(change.operation or "") != _operation_key(
            self.operation
        ):
            return False
        if self.channel is not None:
            channel = change.details.get("channel")
            op = change.operation or ""
            if channel != self.channel and not op.endswith(f" {self.channel}"):
                return False
        if self.pointer is not None:
            pointers = [loc.pointer for loc in (change.base, change.revision) if loc is not None]
            if not any(p == self.pointer or p.startswith(self.pointer.rstrip("/") + "/") for p in pointers):
                return False
        return True

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "operation": self.operation,
            "channel": self.channel,
            "pointer": self.pointer,
            "reason": self.reason,
            "expires": self.expires.isoformat() if self.expires else None,
            "location": self.location.to_dict(),
        }


def _operation_key(text: str) -> str:
    method, _, path = text.strip().partition(" ")
    return f"{method.upper()} {path_template(path.strip())}"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    operation: str | None = None
    channel: str | None = None
    pointer: str | None = None
    reason: str = Field(min_length=1)
    expires: date | None = None

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("reason must not be blank")
        return value.strip()

    @field_validator("pointer")
    @classmethod
    def _pointer(cls, value: str | None) -> str | None:
        if value is not None and value and not value.startswith("/"):
            raise ValueError("pointer must be a JSON pointer starting with '/'")
        return value

    @model_validator(mode="after")
    def _something(self) -> _Entry:
        if self.id is None and self.operation is None and self.channel is None:
            raise ValueError("an entry needs at least one of id, operation or channel")
        return self


def parse_ignore(source: SourceFile) -> list[IgnoreEntry]:
    """Entries of an ignore file; a malformed file raises :class:`ConfigError` at the offending line."""
    data: Any = source.data
    prefix = ""
    if isinstance(data, dict):
        unknown = [k for k in data if k not in ("ignore", "version")]
        if unknown:
            raise ConfigError(
                f"unknown key {unknown[0]!r} (expected `ignore`)", source.location(f"/{unknown[0]}")
            )
        data = data.get("ignore", [])
        prefix = "/ignore"
    if data is None:
        return []
    if not isinstance(data, list):
        raise ConfigError(
            "the ignore file must hold a list of entries under `ignore:`", source.location(prefix)
        )
    entries: list[IgnoreEntry] = []
    for index, raw in enumerate(data):
        pointer = f"{prefix}/{index}"
        if not isinstance(raw, dict):
            raise ConfigError("an ignore entry must be a mapping", source.location(pointer))
        try:
            entry = _Entry.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = join(pointer, tuple(first["loc"])) if first["loc"] else pointer
            message = first["msg"].removeprefix("Value error, ")
            raise ConfigError(f"invalid ignore entry: {message}", source.location(where)) from None
        entries.append(
            IgnoreEntry(
                entry.reason,
                source.location(pointer),
                entry.id,
                entry.operation,
                entry.channel,
                entry.pointer,
                entry.expires,
            )
        )
    return entries


def apply_ignores(
    changes: Iterable[Change], entries: Iterable[IgnoreEntry], today: date
) -> tuple[list[Change], list[tuple[Change, IgnoreEntry]]]:
    """Split ``changes`` into (kept, ignored with the entry that matched). Expired entries never match."""
    active = [e for e in entries if not e.expired(today)]
    kept: list[Change] = []
    ignored: list[tuple[Change, IgnoreEntry]] = []
    for change in changes:
        entry = next((e for e in active if e.matches(change)), None)
        if entry is None:
            kept.append(change)
        else:
            ignored.append((change, entry))
    return kept, ignored


def expired_entries(entries: Iterable[IgnoreEntry], today: date) -> list[IgnoreEntry]:
    return [e for e in entries if e.expired(today)]
