"""A markdown changelog of judged changes: grouped by domain and operation, breaking changes first."""

from __future__ import annotations

from collections.abc import Sequence

from accord.diff.runner import DiffResult, level_name
from accord.model import Change, Severity

_SECTIONS = (
    (Severity.ERROR, "Breaking changes"),
    (Severity.WARN, "Changes that may affect clients"),
    (Severity.INFO, "Other changes"),
)


def render_changelog(results: Sequence[DiffResult], title: str) -> str:
    """``results`` as markdown: a section per domain (or document), then per level, then per operation."""
    out = [f"# {title}", ""]
    groups: dict[str, list[DiffResult]] = {}
    for result in results:
        groups.setdefault(result.domain or result.revision.display, []).append(result)
    if not any(r.changes for r in results):
        out.append("No changes.")
        return "\n".join(out) + "\n"
    for name in sorted(groups):
        changes = [c for r in groups[name] for c in r.changes]
        if not changes:
            continue
        out += [f"## {name}", ""]
        versions = [
            f"{r.revision.kind}: {r.base_version} -> {r.revision_version}"
            for r in groups[name]
            if r.changes and r.base_version != r.revision_version
        ]
        if versions:
            out += ["Versions: " + "; ".join(versions), ""]
        for level, heading in _SECTIONS:
            section = [c for c in changes if c.level == level]
            if section:
                out += [f"### {heading}", "", *_by_operation(section), ""]
    return "\n".join(out).rstrip() + "\n"


def _by_operation(changes: list[Change]) -> list[str]:
    grouped: dict[str, list[Change]] = {}
    for change in changes:
        grouped.setdefault(change.operation or "Document", []).append(change)
    lines: list[str] = []
    for operation in sorted(grouped, key=lambda o: (o == "Document", o)):
        lines.append(f"- **{operation}**")
        for change in grouped[operation]:
            lines.append(f"  - {change.message} (`{change.id}`, {level_name(change.level)})")
    return lines
