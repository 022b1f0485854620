"""Machine-readable JSON with a stable, versioned schema (``accord/report/schemas/*.v1.json``).

Both documents carry ``version`` (the schema version, an integer bumped only on breaking changes),
``kind`` (``lint`` or ``diff``), ``tool`` and ``summary`` counts. Keys are never removed within a
version; new optional keys may appear.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from accord.model import Change, Finding
from accord.report._common import (
    DEFAULT_CONTEXT,
    JSON_SCHEMA_VERSION,
    ReportContext,
    counts,
    sorted_changes,
    sorted_findings,
)


def _dump(payload: dict[str, Any]) -> str:
    return orjson.dumps(payload, option=orjson.OPT_INDENT_2, default=str).decode("utf-8") + "\n"


def _tool(ctx: ReportContext) -> dict[str, str]:
    return {"name": ctx.tool_name, "version": ctx.tool_version}


def findings_payload(findings: Sequence[Finding], ctx: ReportContext | None = None) -> dict[str, Any]:
    """The lint report as plain data (what :func:`render_json` serialises)."""
    ctx = ctx or DEFAULT_CONTEXT
    ordered = sorted_findings(findings)
    summary: dict[str, Any] = {"total": len(ordered)}
    summary.update(counts(f.severity for f in ordered))
    summary["files"] = len({f.location.file for f in ordered})
    summary["suppressed"] = ctx.suppressed
    summary["baselined"] = ctx.baselined
    items = []
    for finding in ordered:
        item = finding.to_dict()
        item["fingerprint"] = ctx.fingerprint(finding) if ctx.fingerprint else None
        items.append(item)
    return {
        "version": JSON_SCHEMA_VERSION,
        "kind": "lint",
        "tool": _tool(ctx),
        "summary": summary,
        "findings": items,
    }


def render_json(findings: Sequence[Finding], ctx: ReportContext | None = None) -> str:
    """Findings as JSON: ``{version, kind: "lint", tool, summary, findings: [...]}``."""
    return _dump(findings_payload(findings, ctx))


def changes_payload(changes: Sequence[Change], ctx: ReportContext | None = None) -> dict[str, Any]:
    """The diff report as plain data (what :func:`render_changes_json` serialises)."""
    ctx = ctx or DEFAULT_CONTEXT
    ordered = sorted_changes(changes)
    tally = counts(c.level for c in ordered)
    summary: dict[str, Any] = {"total": len(ordered), "breaking": tally["error"], **tally}
    items = []
    for change in ordered:
        item = change.to_dict()
        item["details"] = dict(change.details)
        items.append(item)
    return {
        "version": JSON_SCHEMA_VERSION,
        "kind": "diff",
        "tool": _tool(ctx),
        "summary": summary,
        "changes": items,
    }


def render_changes_json(changes: Sequence[Change], ctx: ReportContext | None = None) -> str:
    """Changes as JSON: ``{version, kind: "diff", tool, summary, changes: [...]}``."""
    return _dump(changes_payload(changes, ctx))
