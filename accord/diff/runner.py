"""Diff once, then judge: delta -> rules -> ignore file -> semver check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from accord.diff.delta import Differ
from accord.diff.ignore import IgnoreEntry, apply_ignores
from accord.diff.rules import classify
from accord.diff.rules._emit import Emitter
from accord.errors import UsageError
from accord.loader import Document
from accord.loader._gc import without_gc
from accord.model import Change, Location, Severity
from accord.semver_policy import bump_satisfied, suggest_version


@dataclass
class DiffResult:
    """The judged changes between one base and one revision document."""

    base: Document
    revision: Document
    changes: list[Change]
    ignored: list[tuple[Change, IgnoreEntry]] = field(default_factory=list)
    base_version: str | None = None
    revision_version: str | None = None
    suggested_version: str | None = None
    domain: str | None = None  # set by callers that know the catalogue

    def worst(self) -> Severity | None:
        return max((c.level for c in self.changes), default=None)


def _version(doc: Document) -> str | None:
    info = doc.data.get("info") if isinstance(doc.data, dict) else None
    value = info.get("version") if isinstance(info, dict) else None
    return str(value) if value is not None else None


def sort_key(change: Change) -> tuple[int, str, str, str, int]:
    base = change.base or change.revision
    return (
        -int(change.level),
        change.operation or "",
        change.id,
        base.file if base else "",
        base.line or 0 if base else 0,
    )


@without_gc
def diff_documents(
    base: Document,
    revision: Document,
    *,
    today: date,
    ignores: Sequence[IgnoreEntry] = (),
    stability: str | None = None,
    check_version: bool = True,
) -> DiffResult:
    """Compare two documents of the same kind. ``today`` decides which sunset dates have passed.

    ``stability`` is the default promise (e.g. the domain's ``stability`` in accord.yaml) when the
    documents do not declare ``x-accord-stability``.
    """
    if base.kind != revision.kind:
        raise UsageError(
            f"cannot compare a {base.kind} document with a {revision.kind} document",
            Location(revision.display),
        )
    differ = Differ(base, revision)
    changes = classify(differ, today, stability)
    changes.sort(key=sort_key)
    kept, ignored = apply_ignores(changes, ignores, today)
    result = DiffResult(base, revision, kept, ignored, _version(base), _version(revision))
    breaking = any(c.level >= Severity.ERROR for c in kept)
    if (
        check_version
        and breaking
        and result.base_version is not None
        and not bump_satisfied(result.base_version, result.revision_version)
    ):
        _require_bump(result, differ, today, ignores)
    result.suggested_version = suggest_version(result.base_version, result.changes)
    return result


def _require_bump(result: DiffResult, differ: Differ, today: date, ignores: Sequence[IgnoreEntry]) -> None:
    em = Emitter(result.base, result.revision, today, differ.norms)
    suggested = suggest_version(result.base_version, result.changes)
    b_info: Any = result.base.data.get("info")
    r_info: Any = result.revision.data.get("info")
    hint = f"; bump it to {suggested}" if suggested else " (it is not a semantic version)"
    em.emit(
        "version-bump-required",
        f"breaking changes need a new major version, but info.version went from {result.base_version} to "
        f"{result.revision_version}{hint}",
        base=em.at_base(b_info, "version") if isinstance(b_info, dict) else None,
        revision=em.at_rev(r_info, "version") if isinstance(r_info, dict) else None,
        details={"suggested": suggested, "base": result.base_version, "revision": result.revision_version},
    )
    kept, ignored = apply_ignores(em.changes, ignores, today)
    result.changes = kept + result.changes
    result.ignored.extend(ignored)


@dataclass
class DiffReport:
    """Everything one ``accord diff`` run found: a result per document pair, and expired ignores."""

    results: list[DiffResult] = field(default_factory=list)
    expired: list[IgnoreEntry] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        return [c for r in self.results for c in r.changes]

    @property
    def ignored(self) -> list[tuple[Change, IgnoreEntry]]:
        return [i for r in self.results for i in r.ignored]

    def counts(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for change in self.changes:
            counts[level_name(change.level)] = counts.get(level_name(change.level), 0) + 1
        counts["ignored"] = len(self.ignored)
        return counts


def level_name(level: Severity) -> str:
    """User-facing level names of the diff: error, warning, info."""
    return {Severity.ERROR: "error", Severity.WARN: "warning", Severity.INFO: "info"}.get(level, level.label)
