"""SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format) for code-scanning dashboards.

One run; ``tool.driver.rules`` describes every rule that ran (id, name, short and full description,
``helpUri`` into the rule catalogue, default level); each result names its rule, level, message, a
physical location (artifact URI relative to the project root, ``%SRCROOT%``, 1-based region) and
``partialFingerprints`` so that dashboards track a result across line shifts (SARIF §3.27.17).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson

from accord.model import Change, Finding, Location, Severity
from accord.report._common import (
    DEFAULT_CONTEXT,
    ReportContext,
    RuleLike,
    artifact_uri,
    change_help_uri,
    change_location,
    rule_help_uri,
    sorted_changes,
    sorted_findings,
)

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
#: Key of Accord's fingerprint in ``partialFingerprints`` (versioned: SARIF §3.27.17).
FINGERPRINT_KEY = "accordFingerprint/v1"

# SARIF §3.27.10: level is one of none, note, warning, error.
_LEVELS = {Severity.ERROR: "error", Severity.WARN: "warning", Severity.INFO: "note", Severity.HINT: "note"}


def sarif_level(severity: Severity) -> str:
    return _LEVELS[severity]


def _name(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.split("-"))


def _help_markdown(rule: RuleLike) -> str:
    parts = [rule.summary, "", rule.rationale] if rule.rationale else [rule.summary]
    bad = getattr(rule, "bad", "")
    good = getattr(rule, "good", "")
    if bad:
        parts += ["", "Bad:", "", "```yaml", bad, "```"]
    if good:
        parts += ["", "Good:", "", "```yaml", good, "```"]
    return "\n".join(parts).strip()


def _descriptor(rule: RuleLike, help_uri: str) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": _name(rule.id),
        "shortDescription": {"text": rule.summary or rule.id},
        "fullDescription": {"text": rule.rationale or rule.summary or rule.id},
        "helpUri": help_uri,
        "help": {"text": rule.rationale or rule.summary or rule.id, "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": sarif_level(rule.severity)},
        "properties": {"tags": [rule.family] if rule.family else []},
    }
    return descriptor


def _bare_descriptor(rule_id: str, level: Severity, help_uri: str) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": _name(rule_id),
        "shortDescription": {"text": rule_id},
        "helpUri": help_uri,
        "defaultConfiguration": {"level": sarif_level(level)},
    }


def _physical(loc: Location, ctx: ReportContext, *, with_region: bool = True) -> dict[str, Any]:
    uri, relative = artifact_uri(loc.file, ctx.root)
    artifact: dict[str, Any] = {"uri": uri}
    if relative and ctx.root is not None:
        artifact["uriBaseId"] = SRCROOT
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if with_region and loc.line is not None:
        region: dict[str, Any] = {"startLine": loc.line}
        if loc.column is not None:
            region["startColumn"] = loc.column
        physical["region"] = region
    return physical


def _location(loc: Location, ctx: ReportContext, *, with_region: bool = True) -> dict[str, Any]:
    location: dict[str, Any] = {"physicalLocation": _physical(loc, ctx, with_region=with_region)}
    if loc.pointer:
        # A JSON pointer names the node (SARIF §3.33 logical locations).
        location["logicalLocations"] = [{"fullyQualifiedName": loc.pointer}]
    return location


def _run(
    ctx: ReportContext, rules: list[dict[str, Any]], results: list[dict[str, Any]], properties: dict[str, Any]
) -> str:
    driver: dict[str, Any] = {
        "name": ctx.tool_name,
        "version": ctx.tool_version,
        "informationUri": ctx.docs_url,
        "rules": rules,
    }
    run: dict[str, Any] = {"tool": {"driver": driver}}
    if ctx.root is not None:
        from urllib.parse import quote

        root = os.path.abspath(ctx.root).replace(os.sep, "/").rstrip("/") + "/"
        if not root.startswith("/"):
            root = "/" + root
        run["originalUriBaseIds"] = {SRCROOT: {"uri": "file://" + quote(root, safe="/:")}}
    run["columnKind"] = "unicodeCodePoints"
    run["results"] = results
    run["properties"] = properties
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return orjson.dumps(log, option=orjson.OPT_INDENT_2, default=str).decode("utf-8") + "\n"


def _rule_table(
    ctx: ReportContext, used: Iterable[tuple[str, Severity]], help_uri: Callable[[ReportContext, str], str]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    descriptors: dict[str, dict[str, Any]] = {}
    for rule_id, rule in ctx.rules.items():
        descriptors[rule_id] = _descriptor(rule, help_uri(ctx, rule_id))
    for rule_id, level in used:
        if rule_id not in descriptors:
            descriptors[rule_id] = _bare_descriptor(rule_id, level, help_uri(ctx, rule_id))
    ordered = [descriptors[key] for key in sorted(descriptors)]
    return ordered, {d["id"]: index for index, d in enumerate(ordered)}


def render_sarif(findings: Sequence[Finding], ctx: ReportContext | None = None) -> str:
    """Findings as a SARIF 2.1.0 log; ``ctx.rules`` (the rules that ran) become ``tool.driver.rules``."""
    ctx = ctx or DEFAULT_CONTEXT
    ordered = sorted_findings(findings)
    fingerprint = ctx.fingerprint or _lint_fingerprint()
    rules, index = _rule_table(ctx, ((f.rule_id, f.severity) for f in ordered), rule_help_uri)
    results = []
    for finding in ordered:
        text = finding.message if not finding.hint else f"{finding.message}\nHint: {finding.hint}"
        results.append(
            {
                "ruleId": finding.rule_id,
                "ruleIndex": index[finding.rule_id],
                "level": sarif_level(finding.severity),
                "message": {"text": text},
                "locations": [_location(finding.location, ctx)],
                "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
            }
        )
    return _run(ctx, rules, results, {"suppressed": ctx.suppressed, "baselined": ctx.baselined})


def _lint_fingerprint() -> Callable[[Finding], str]:
    # Imported on use: the diff renderers must not load the lint engine.
    from accord.lint.runner import fingerprint

    return fingerprint


def _change_fingerprint(change: Change) -> str:
    import hashlib

    loc, _ = change_location(change)
    text = "|".join((change.id, change.operation or "", loc.file if loc else "", loc.pointer if loc else ""))
    return hashlib.sha256(f"{text}|{change.message}".encode()).hexdigest()[:24]


def render_changes_sarif(changes: Sequence[Change], ctx: ReportContext | None = None) -> str:
    """Changes as a SARIF 2.1.0 log: one result per change, at its revision location (else its base one).

    A change that exists only in the base (something removed) points at the file without a region:
    its base line numbers mean nothing in the revision a dashboard shows.
    """
    ctx = ctx or DEFAULT_CONTEXT
    ordered = sorted_changes(changes)
    rules, index = _rule_table(ctx, ((c.id, c.level) for c in ordered), change_help_uri)
    results = []
    for change in ordered:
        loc, in_base = change_location(change)
        result: dict[str, Any] = {
            "ruleId": change.id,
            "ruleIndex": index[change.id],
            "level": sarif_level(change.level),
            "message": {
                "text": change.message if not change.operation else f"{change.operation}: {change.message}"
            },
        }
        if loc is not None:
            result["locations"] = [_location(loc, ctx, with_region=not in_base)]
        result["partialFingerprints"] = {FINGERPRINT_KEY: _change_fingerprint(change)}
        properties: dict[str, Any] = {"direction": change.direction}
        if change.operation:
            properties["operation"] = change.operation
        if change.base is not None:
            properties["base"] = str(change.base)
        if change.details:
            properties["details"] = dict(change.details)
        result["properties"] = properties
        results.append(result)
    return _run(ctx, rules, results, {"breaking": sum(1 for c in ordered if c.level is Severity.ERROR)})
