"""Renderers of a :class:`~accord.diff.runner.DiffReport`: text, json, markdown here; sarif, junit and
github come from :mod:`accord.report` when it is installed, else from the minimal versions below.

The JSON document (``--format json``) is a stable interface, documented in docs/diff.md::

    {"version": 1, "summary": {...}, "documents": [...], "changes": [...], "ignored": [...],
     "expiredIgnores": [...]}
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import orjson

from accord.diff.registry import KINDS
from accord.diff.runner import DiffReport, DiffResult, level_name
from accord.model import Change, Location

FORMATS = ("text", "json", "markdown", "sarif", "junit", "github")
JSON_VERSION = 1


def render(report: DiffReport, fmt: str) -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "text":
        return render_text(report)
    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        return render_markdown(report)
    if fmt in ("sarif", "junit", "github"):
        return _external(fmt)(report.changes)
    raise ValueError(f"unknown format {fmt!r}")


def external_source(fmt: str) -> str:
    """Where the renderer of ``fmt`` comes from: ``accord.report`` or ``accord.diff.render``."""
    return "accord.report" if _report_function(fmt) is not None else "accord.diff.render"


def _report_function(fmt: str) -> Callable[[Sequence[Change]], str] | None:
    if importlib.util.find_spec("accord.report") is None:
        return None
    module = importlib.import_module("accord.report")
    func = getattr(module, f"render_changes_{fmt}", None)
    return func if callable(func) else None


def _external(fmt: str) -> Callable[[Sequence[Change]], str]:
    found = _report_function(fmt)
    if found is not None:
        return found
    return {"sarif": render_changes_sarif, "junit": render_changes_junit, "github": render_changes_github}[
        fmt
    ]


# -- dictionaries ----------------------------------------------------------------------------------


def change_dict(change: Change) -> dict[str, Any]:
    """A change as JSON-ready data (``level`` is error, warning or info)."""
    data = change.to_dict()
    data["level"] = level_name(change.level)
    data["details"] = {k: _jsonable(v) for k, v in change.details.items()}
    return data


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def _document_dict(result: DiffResult) -> dict[str, Any]:
    return {
        "base": result.base.display,
        "revision": result.revision.display,
        "kind": result.revision.kind,
        "baseVersion": result.base_version,
        "revisionVersion": result.revision_version,
        "suggestedVersion": result.suggested_version,
        "changes": len(result.changes),
    }


def report_dict(report: DiffReport) -> dict[str, Any]:
    changes: list[dict[str, Any]] = []
    ignored: list[dict[str, Any]] = []
    for result in report.results:
        for change in result.changes:
            changes.append({**change_dict(change), "document": result.revision.display})
        for change, entry in result.ignored:
            ignored.append(
                {**change_dict(change), "document": result.revision.display, "reason": entry.reason}
            )
    return {
        "version": JSON_VERSION,
        "summary": report.counts(),
        "documents": [_document_dict(r) for r in report.results],
        "changes": changes,
        "ignored": ignored,
        "expiredIgnores": [e.to_dict() for e in report.expired],
    }


def render_json(report: DiffReport) -> str:
    return orjson.dumps(report_dict(report), option=orjson.OPT_INDENT_2).decode()


# -- text ------------------------------------------------------------------------------------------


def _where(loc: Location | None) -> str:
    return str(loc) if loc is not None else "-"


def render_text(report: DiffReport) -> str:
    lines: list[str] = []
    for result in report.results:
        if not result.changes and not result.ignored:
            continue
        versions = f"{result.base_version} -> {result.revision_version}"
        lines.append(
            f"{result.base.display} -> {result.revision.display} ({result.revision.kind}, {versions})"
        )
        for change in result.changes:
            where = f" {change.operation}" if change.operation else ""
            lines.append(f"  {level_name(change.level):<7} {change.id}{where}")
            lines.append(f"          {change.message}")
            lines.append(f"          base: {_where(change.base)}")
            lines.append(f"          revision: {_where(change.revision)}")
        for change, entry in result.ignored:
            lines.append(f"  ignored {change.id} {change.operation or ''}: {entry.reason}".rstrip())
    for entry in report.expired:
        lines.append(f"{entry.location}: ignore entry expired on {entry.expires}; it no longer applies")
    counts = report.counts()
    lines.append(
        f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info, "
        f"{counts['ignored']} ignored"
    )
    return "\n".join(lines)


# -- markdown --------------------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: DiffReport) -> str:
    counts = report.counts()
    out = [
        "# API changes",
        "",
        f"**{counts['error']}** error(s), **{counts['warning']}** warning(s), **{counts['info']}** info, "
        f"{counts['ignored']} ignored.",
    ]
    for result in report.results:
        if not result.changes:
            continue
        out += ["", f"## {_md(result.revision.display)}", ""]
        if result.suggested_version:
            out += [
                f"Version {result.base_version} -> {result.revision_version} "
                f"(suggested: {result.suggested_version})",
                "",
            ]
        out += ["| Level | Change | Operation | Message | Where |", "| --- | --- | --- | --- | --- |"]
        for change in result.changes:
            loc = change.revision or change.base
            out.append(
                f"| {level_name(change.level)} | `{change.id}` | {_md(change.operation or '')} | "
                f"{_md(change.message)} | {_md(_where(loc))} |"
            )
    if report.expired:
        out += ["", "## Expired ignore entries", ""]
        out += [f"- {_md(str(e.location))}: expired {e.expires} ({_md(e.reason)})" for e in report.expired]
    return "\n".join(out) + "\n"


# -- minimal sarif / junit / github (used while accord.report provides none) ----------------------


def _primary(change: Change) -> Location | None:
    return (
        change.revision
        if change.revision is not None and change.revision.line
        else change.base or change.revision
    )


def render_changes_sarif(changes: Sequence[Change]) -> str:
    """SARIF 2.1.0 with one rule per change kind that occurs."""
    levels = {"error": "error", "warning": "warning", "info": "note"}
    ids = sorted({c.id for c in changes})
    rules = [
        {
            "id": cid,
            "shortDescription": {"text": KINDS[cid].summary if cid in KINDS else cid},
            "fullDescription": {"text": KINDS[cid].rationale if cid in KINDS else cid},
        }
        for cid in ids
    ]
    results = []
    for change in changes:
        loc = _primary(change)
        result: dict[str, Any] = {
            "ruleId": change.id,
            "level": levels[level_name(change.level)],
            "message": {"text": f"{change.operation + ': ' if change.operation else ''}{change.message}"},
        }
        if loc is not None:
            region = {"startLine": loc.line or 1, "startColumn": loc.column or 1}
            result["locations"] = [
                {"physicalLocation": {"artifactLocation": {"uri": loc.file}, "region": region}}
            ]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "accord-diff", "rules": rules}}, "results": results}],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode()


def render_changes_junit(changes: Sequence[Change]) -> str:
    """JUnit XML: one test case per change; error and warning changes are failures."""
    failures = sum(1 for c in changes if level_name(c.level) in ("error", "warning"))
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="accord-diff" tests="{len(changes)}" failures="{failures}">',
        f'  <testsuite name="accord-diff" tests="{len(changes)}" failures="{failures}">',
    ]
    for change in changes:
        name = quoteattr(f"{change.id} {change.operation or ''}".strip())
        out.append(f"    <testcase classname={quoteattr(change.id)} name={name}>")
        if level_name(change.level) in ("error", "warning"):
            body = escape(
                f"{change.message}\nbase: {_where(change.base)}\nrevision: {_where(change.revision)}"
            )
            out.append(
                f"      <failure type={quoteattr(level_name(change.level))} "
                f"message={quoteattr(change.message)}>{body}</failure>"
            )
        out.append("    </testcase>")
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out)


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_changes_github(changes: Sequence[Change]) -> str:
    """GitHub Actions workflow commands (``::error file=...,line=...::message``)."""
    commands = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for change in changes:
        loc = _primary(change)
        props = [f"title={_gh_escape(change.id, True)}"]
        if loc is not None:
            props.insert(0, f"file={_gh_escape(loc.file, True)}")
            if loc.line:
                props.insert(1, f"line={loc.line}")
        text = f"{change.operation + ': ' if change.operation else ''}{change.message}"
        lines.append(f"::{commands[level_name(change.level)]} {','.join(props)}::{_gh_escape(text)}")
    return "\n".join(lines)
