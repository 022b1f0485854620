"""The rule catalogue: ``accord rules`` as text, JSON, and the Markdown page ``docs/reference/rules.md``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import orjson

from accord.report._common import DEFAULT_CONTEXT, JSON_SCHEMA_VERSION, ReportContext, RuleLike, rule_help_uri
from accord.report.markdown import inline

GENERATED_NOTE = (
    "<!-- Generated from the rule registry by `python -m accord_cli.docgen docs`. Do not edit by hand. -->"
)
_KIND_NAMES = {"openapi": "OpenAPI", "asyncapi": "AsyncAPI"}


class CatalogueRule(RuleLike, Protocol):
    """A rule as the catalogue shows it (``accord.lint.Rule`` and ``RuleInfo`` satisfy it)."""

    @property
    def applies_to(self) -> frozenset[str]: ...

    @property
    def good(self) -> str: ...

    @property
    def bad(self) -> str: ...

    @property
    def recommended(self) -> bool: ...


def _applies(rule: CatalogueRule) -> list[str]:
    return sorted(rule.applies_to)


def _ordered(rules: Sequence[CatalogueRule]) -> list[CatalogueRule]:
    return sorted(rules, key=lambda r: (r.family, r.id))


def render_rules_text(rules: Sequence[CatalogueRule], ctx: ReportContext | None = None) -> str:
    """One line per rule: id, default severity, family, what it applies to, summary."""
    ordered = sorted(rules, key=lambda r: r.id)
    if not ordered:
        return "no rules\n"
    rows = [(r.id, r.severity.label, r.family, ",".join(_applies(r)), r.summary) for r in ordered]
    header = ("RULE", "SEVERITY", "FAMILY", "APPLIES TO", "SUMMARY")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = []
    for row in [header, *rows]:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    return "\n".join(lines) + "\n"


def rules_payload(rules: Sequence[CatalogueRule], ctx: ReportContext | None = None) -> dict[str, Any]:
    ctx = ctx or DEFAULT_CONTEXT
    return {
        "version": JSON_SCHEMA_VERSION,
        "kind": "rules",
        "tool": {"name": ctx.tool_name, "version": ctx.tool_version},
        "rules": [
            {
                "id": r.id,
                "severity": r.severity.label,
                "family": r.family,
                "appliesTo": _applies(r),
                "recommended": r.recommended,
                "summary": r.summary,
                "rationale": r.rationale,
                "bad": r.bad,
                "good": r.good,
                "helpUri": rule_help_uri(ctx, r.id),
            }
            for r in sorted(rules, key=lambda r: r.id)
        ],
    }


def render_rules_json(rules: Sequence[CatalogueRule], ctx: ReportContext | None = None) -> str:
    return orjson.dumps(rules_payload(rules, ctx), option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


def _fence(snippet: str) -> list[str]:
    fence = "```"
    while fence in snippet:
        fence += "`"
    return [f"{fence}yaml", snippet, fence]


def render_rule_catalogue(rules: Sequence[CatalogueRule], ctx: ReportContext | None = None) -> str:
    """The Markdown rule catalogue: an index table, then per family one section per rule.

    Each rule's heading is its id, so ``reference/rules.html#<id>`` (the SARIF ``helpUri``) lands on it.
    """
    ordered = _ordered(rules)
    families = sorted({r.family for r in ordered})
    lines = [
        GENERATED_NOTE,
        "",
        "# Rule catalogue",
        "",
        f"{len(ordered)} checks in {len(families)} families. The severity shown is the default; "
        "`accord.yaml` can change it, turn a rule off or scope it to paths or domains "
        "(see [Linting](../lint.md#configuration)). Rules marked *recommended* run with "
        "`extends: recommended`, the default.",
        "",
        "| Rule | Severity | Family | Applies to | Summary |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in sorted(ordered, key=lambda r: r.id):
        kinds = ", ".join(_KIND_NAMES.get(k, k) for k in _applies(rule))
        lines.append(
            f"| [`{rule.id}`](#{rule.id}) | {rule.severity.label} | {rule.family} | {kinds} | {inline(rule.summary)} |"
        )
    for family in families:
        lines += ["", f"## Family: {family}"]
        for rule in (r for r in ordered if r.family == family):
            kinds = ", ".join(_KIND_NAMES.get(k, k) for k in _applies(rule))
            recommended = "yes" if rule.recommended else "no (opt in)"
            lines += [
                "",
                f"### {rule.id}",
                "",
                f"**Severity:** {rule.severity.label} · **Applies to:** {kinds} · **Recommended:** {recommended}",
                "",
                rule.summary,
            ]
            if rule.rationale:
                lines += ["", rule.rationale]
            if rule.bad:
                lines += ["", "**Bad**", "", *_fence(rule.bad)]
            if rule.good:
                lines += ["", "**Good**", "", *_fence(rule.good)]
    return "\n".join(lines) + "\n"
