"""GitHub-flavoured Markdown for pull-request comments and job summaries.

Table cells escape ``|`` and line breaks; ``<`` and ``&`` outside code spans are escaped so that a
message such as ``/v<major>/`` is not swallowed as an HTML tag.
"""

from __future__ import annotations

from collections.abc import Sequence

from accord.model import Change, Finding, Location, Severity
from accord.report._common import (
    DEFAULT_CONTEXT,
    ReportContext,
    change_help_uri,
    change_location,
    counts,
    plural,
    rule_help_uri,
    sorted_changes,
    sorted_findings,
)


def inline(text: str) -> str:
    """Escape ``text`` for a GFM table cell, keeping `code spans` as written."""
    pieces = text.split("`")
    if len(pieces) % 2 == 0:  # an unmatched backtick: treat it as text
        pieces = [text.replace("`", "\\`")]
    out = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            piece = piece.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        out.append(piece)
    joined = "`".join(out)
    return joined.replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


def _code(text: str) -> str:
    """A code span that survives backticks inside ``text`` (CommonMark §6.1)."""
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def _position(loc: Location | None) -> str:
    if loc is None or loc.line is None:
        return ""
    return f"{loc.line}:{loc.column}" if loc.column is not None else str(loc.line)


def _tally(levels: Sequence[Severity]) -> str:
    tally = counts(levels)
    return (
        f"{plural(tally['error'], 'error')}, {plural(tally['warn'], 'warning')}, "
        f"{tally['info']} info, {plural(tally['hint'], 'hint')}"
    )


def render_markdown(findings: Sequence[Finding], ctx: ReportContext | None = None) -> str:
    """A heading with the counts, then one table per file (line, severity, rule, message)."""
    ctx = ctx or DEFAULT_CONTEXT
    ordered = sorted_findings(findings)
    title = ctx.title or f"{ctx.tool_name} lint"
    lines = [
        f"## {inline(title)}: {plural(len(ordered), 'problem')} ({_tally([f.severity for f in ordered])})",
        "",
    ]
    hidden = []
    if ctx.suppressed:
        hidden.append(f"{ctx.suppressed} suppressed by `x-accord-ignore`")
    if ctx.baselined:
        hidden.append(f"{ctx.baselined} hidden by the baseline")
    if hidden:
        lines += ["Not shown: " + ", ".join(hidden) + ".", ""]
    if not ordered:
        lines.append("No problems found.")
        return "\n".join(lines) + "\n"
    groups: dict[str, list[Finding]] = {}
    for finding in ordered:
        groups.setdefault(finding.location.file, []).append(finding)
    for file, group in groups.items():
        lines += [
            f"### {_code(file)}",
            "",
            "| Line | Severity | Rule | Message |",
            "| ---: | --- | --- | --- |",
        ]
        for finding in group:
            rule = f"[`{finding.rule_id}`]({rule_help_uri(ctx, finding.rule_id)})"
            message = inline(finding.message)
            if finding.hint:
                message += "<br>_Hint:_ " + inline(finding.hint)
            lines.append(f"| {_position(finding.location)} | {finding.severity.label} | {rule} | {message} |")
        lines.append("")
    return "\n".join(lines)


_SECTIONS = (
    ("Breaking changes", (Severity.ERROR,)),
    ("Warnings", (Severity.WARN,)),
    ("Non-breaking changes", (Severity.INFO, Severity.HINT)),
)


def render_changes_markdown(changes: Sequence[Change], ctx: ReportContext | None = None) -> str:
    """A heading with the counts, then a table per level: breaking, warnings, non-breaking."""
    ctx = ctx or DEFAULT_CONTEXT
    ordered = sorted_changes(changes)
    tally = counts(c.level for c in ordered)
    title = ctx.title or f"{ctx.tool_name} diff"
    lines = [
        f"## {inline(title)}: {plural(len(ordered), 'change')} ({tally['error']} breaking, "
        f"{plural(tally['warn'], 'warning')}, {tally['info'] + tally['hint']} non-breaking)",
        "",
    ]
    if not ordered:
        lines.append("No changes.")
        return "\n".join(lines) + "\n"
    for heading, levels in _SECTIONS:
        section = [c for c in ordered if c.level in levels]
        if not section:
            continue
        lines += [
            f"### {heading}",
            "",
            "| Change | Operation | Message | Location |",
            "| --- | --- | --- | --- |",
        ]
        for change in section:
            loc, in_base = change_location(change)
            where = ""
            if loc is not None:
                position = _position(loc)
                where = _code(f"{loc.file}:{position}" if position else loc.file) + (
                    " (base)" if in_base else ""
                )
            kind = f"[`{change.id}`]({change_help_uri(ctx, change.id)})"
            operation = _code(change.operation) if change.operation else ""
            lines.append(f"| {kind} | {operation} | {inline(change.message)} | {where} |")
        lines.append("")
    return "\n".join(lines)
