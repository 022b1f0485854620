"""The emitter: turns a judgement into a :class:`~accord.model.Change` with its registry level."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from accord.diff import registry
from accord.diff._schema import Normalizer
from accord.diff.stability import downgrade
from accord.loader import Document
from accord.model import Change, Location


@dataclass
class Emitter:
    """Collects changes for one document pair; ``operation``/``stability`` are the current context."""

    base: Document
    rev: Document
    today: date
    norms: Normalizer
    changes: list[Change] = field(default_factory=list)
    operation: str | None = None
    stability: str | None = None
    stability_default: str | None = None  # e.g. the domain's stability from accord.yaml

    def at_base(self, node: Any, *keys: str | int) -> Location:
        return self.base.where(node, *keys)

    def at_rev(self, node: Any, *keys: str | int) -> Location:
        return self.rev.where(node, *keys)

    def emit(
        self,
        change_id: str,
        message: str,
        *,
        base: Location | None = None,
        revision: Location | None = None,
        direction: str | None = None,
        details: dict[str, object] | None = None,
    ) -> None:
        kind = registry.get(change_id)
        extra: dict[str, object] = dict(details or {})
        level = downgrade(kind.level, self.stability)
        if level != kind.level:
            extra["stability"] = self.stability
            extra["defaultLevel"] = _label(kind.level)
        self.changes.append(
            Change(
                change_id,
                level,
                direction or kind.directions[0],
                base,
                revision,
                self.operation,
                message,
                extra,
            )
        )


def _label(level: Any) -> str:
    return "warning" if level.label == "warn" else str(level.label)
