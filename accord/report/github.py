"""GitHub Actions workflow commands: ``::error file=...,line=...,col=...,title=rule-id::message``.

GitHub turns each line into an annotation on the pull request. Escaping follows the runner's
command parser (actions/toolkit ``command.ts``): in the message ``%``, CR and LF become ``%25``,
``%0D`` and ``%0A``; property values additionally escape ``:`` as ``%3A`` and ``,`` as ``%2C``.
Paths are relative to ``ctx.root`` (the repository root), which is how GitHub matches them.
"""

from __future__ import annotations

from collections.abc import Sequence

from accord.model import Change, Finding, Location, Severity
from accord.report._common import (
    DEFAULT_CONTEXT,
    ReportContext,
    change_location,
    change_text,
    counts,
    plural,
    relative_path,
    sorted_changes,
    sorted_findings,
)

_COMMANDS = {
    Severity.ERROR: "error",
    Severity.WARN: "warning",
    Severity.INFO: "notice",
    Severity.HINT: "notice",
}


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    severity: Severity,
    message: str,
    *,
    title: str,
    location: Location | None,
    root: str | None,
    region: bool = True,
) -> str:
    """One workflow command line for ``severity`` at ``location``."""
    properties: list[tuple[str, str]] = []
    if location is not None:
        properties.append(("file", relative_path(location.file, root)))
        if region and location.line is not None:
            properties.append(("line", str(location.line)))
            if location.column is not None:
                properties.append(("col", str(location.column)))
    properties.append(("title", title))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{_COMMANDS[severity]} {rendered}::{escape_data(message)}"


def render_github(findings: Sequence[Finding], ctx: ReportContext | None = None) -> str:
    """One annotation per finding (hint on a second line), then a plain summary line."""
    ctx = ctx or DEFAULT_CONTEXT
    ordered = sorted_findings(findings)
    lines = []
    for finding in ordered:
        message = finding.message if not finding.hint else f"{finding.message}\nHint: {finding.hint}"
        lines.append(
            annotation(
                finding.severity, message, title=finding.rule_id, location=finding.location, root=ctx.root
            )
        )
    tally = counts(f.severity for f in ordered)
    lines.append(
        f"{ctx.tool_name} lint: {plural(len(ordered), 'problem')} ({plural(tally['error'], 'error')}, "
        f"{plural(tally['warn'], 'warning')}, {tally['info'] + tally['hint']} notices)"
    )
    return "\n".join(lines) + "\n"


def render_changes_github(changes: Sequence[Change], ctx: ReportContext | None = None) -> str:
    """One annotation per change. Removals (base location only) annotate the file, not a line."""
    ctx = ctx or DEFAULT_CONTEXT
    ordered = sorted_changes(changes)
    lines = []
    for change in ordered:
        loc, in_base = change_location(change)
        lines.append(
            annotation(
                change.level,
                change_text(change),
                title=change.id,
                location=loc,
                root=ctx.root,
                region=not in_base,
            )
        )
    tally = counts(c.level for c in ordered)
    lines.append(
        f"{ctx.tool_name} diff: {plural(len(ordered), 'change')} ({tally['error']} breaking, "
        f"{plural(tally['warn'], 'warning')}, {tally['info'] + tally['hint']} non-breaking)"
    )
    return "\n".join(lines) + "\n"
