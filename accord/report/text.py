"""Human-readable text: findings grouped by file, ``line:col  severity  rule-id  message`` and a hint.

Colour is a flag (the CLI turns it on for terminals only); without it the output is plain ASCII
apart from what the messages themselves contain.
"""

from __future__ import annotations

from collections.abc import Sequence

from accord.model import Change, Finding, Location, Severity
from accord.report._common import (
    DEFAULT_CONTEXT,
    ReportContext,
    change_location,
    counts,
    plural,
    sorted_changes,
    sorted_findings,
)

# SGR codes (ECMA-48 §8.3.117).
_RESET = "\x1b[0m"
_STYLES = {
    "bold": "1",
    "dim": "2",
    "underline": "4",
    "red": "31",
    "yellow": "33",
    "blue": "34",
    "cyan": "36",
    "green": "32",
}
_SEVERITY_STYLE = {
    Severity.ERROR: ("bold", "red"),
    Severity.WARN: ("yellow",),
    Severity.INFO: ("blue",),
    Severity.HINT: ("dim",),
}


def _paint(text: str, color: bool, *styles: str) -> str:
    if not color or not styles or not text:
        return text
    codes = ";".join(_STYLES[s] for s in styles)
    return f"\x1b[{codes}m{text}{_RESET}"


def _position(loc: Location | None) -> str:
    if loc is None or loc.line is None:
        return "-"
    return f"{loc.line}:{loc.column}" if loc.column is not None else str(loc.line)


def _hint(finding: Finding, ctx: ReportContext) -> str | None:
    if finding.hint:
        return finding.hint
    described = ctx.rules.get(finding.rule_id)
    return described.summary if described is not None else None


def _summary(levels: Sequence[Severity], files: int, ctx: ReportContext, noun: str) -> str:
    tally = counts(levels)
    parts = [
        plural(tally["error"], "error"),
        plural(tally["warn"], "warning"),
        plural(tally["info"], "info", "info"),
        plural(tally["hint"], "hint"),
    ]
    text = f"{plural(len(levels), noun)} ({', '.join(parts)})" if levels else f"no {noun}s found"
    if files:
        text += f" in {plural(files, 'file')}"
    return text + _hidden(ctx)


def _hidden(ctx: ReportContext) -> str:
    extra = []
    if ctx.suppressed:
        extra.append(f"{ctx.suppressed} suppressed by x-accord-ignore")
    if ctx.baselined:
        extra.append(f"{ctx.baselined} hidden by the baseline")
    return "; " + ", ".join(extra) if extra else ""


def render_text(findings: Sequence[Finding], ctx: ReportContext | None = None) -> str:
    """Findings grouped by file, each with a fix hint, and a one-line summary at the end."""
    ctx = ctx or DEFAULT_CONTEXT
    color = ctx.color
    ordered = sorted_findings(findings)
    lines: list[str] = []
    groups: dict[str, list[Finding]] = {}
    for finding in ordered:
        groups.setdefault(finding.location.file, []).append(finding)
    for file, group in groups.items():
        lines.append(_paint(file, color, "bold", "underline"))
        pos_width = max(len(_position(f.location)) for f in group)
        sev_width = max(len(f.severity.label) for f in group)
        id_width = max(len(f.rule_id) for f in group)
        indent = " " * (2 + pos_width + 2)
        for finding in group:
            position = _position(finding.location).ljust(pos_width)
            severity = _paint(
                finding.severity.label.ljust(sev_width), color, *_SEVERITY_STYLE[finding.severity]
            )
            rule_id = _paint(finding.rule_id.ljust(id_width), color, "dim")
            lines.append(f"  {_paint(position, color, 'dim')}  {severity}  {rule_id}  {finding.message}")
            hint = _hint(finding, ctx)
            if hint:
                lines.append(f"{indent}{_paint('hint: ' + hint, color, 'cyan')}")
        lines.append("")
    levels = [f.severity for f in ordered]
    summary = _summary(levels, len(groups), ctx, "problem")
    style = _SEVERITY_STYLE[max(levels)][-1:] if levels else ("green",)
    lines.append(_paint(summary, color, "bold", *style))
    return "\n".join(lines) + "\n"


def render_changes_text(changes: Sequence[Change], ctx: ReportContext | None = None) -> str:
    """Changes grouped by file (the revision's, else the base's), most severe first in each file."""
    ctx = ctx or DEFAULT_CONTEXT
    color = ctx.color
    groups: dict[str, list[Change]] = {}
    for change in sorted_changes(changes):
        loc, _ = change_location(change)
        groups.setdefault(loc.file if loc else "(no location)", []).append(change)
    lines: list[str] = []
    for file in sorted(groups):
        group = groups[file]
        lines.append(_paint(file, color, "bold", "underline"))
        positions = [
            _position(change_location(c)[0]) + (" (base)" if change_location(c)[1] else "") for c in group
        ]
        pos_width = max(len(p) for p in positions)
        sev_width = max(len(c.level.label) for c in group)
        id_width = max(len(c.id) for c in group)
        for change, position in zip(group, positions, strict=True):
            level = _paint(change.level.label.ljust(sev_width), color, *_SEVERITY_STYLE[change.level])
            head = f"  {_paint(position.ljust(pos_width), color, 'dim')}  {level}  "
            head += _paint(change.id.ljust(id_width), color, "dim") + "  "
            if change.operation:
                head += _paint(change.operation, color, "bold") + "  "
            lines.append(head + change.message)
        lines.append("")
    levels = [c.level for c in changes]
    if not changes:
        lines.append(_paint("no changes", color, "green"))
    else:
        tally = counts(levels)
        text = (
            f"{plural(len(levels), 'change')} ({tally['error']} breaking, "
            f"{plural(tally['warn'], 'warning')}, {tally['info'] + tally['hint']} non-breaking)"
        )
        lines.append(_paint(text, color, "bold", *_SEVERITY_STYLE[max(levels)][-1:]))
    return "\n".join(lines) + "\n"
