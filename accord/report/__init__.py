"""Renderers: findings and changes to text, JSON, SARIF 2.1.0, JUnit XML, GitHub annotations, Markdown.

Formatting only: every function is pure, ``(results, ReportContext | None) -> str``, and never reads
files, the clock or the environment. The CLI decides colour, paths and thresholds and passes them in
a :class:`ReportContext`. ``DOCS_URL`` and ``JSON_SCHEMA_VERSION`` are importable constants.

Each renderer's module is imported on first use, so a command pays only for the format it prints.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from accord.report._common import DOCS_URL as DOCS_URL
from accord.report._common import JSON_SCHEMA_VERSION as JSON_SCHEMA_VERSION
from accord.report._common import ReportContext, RuleInfo, RuleLike, relative_path

if TYPE_CHECKING:
    from accord.report.catalogue import (
        CatalogueRule,
        render_rule_catalogue,
        render_rules_json,
        render_rules_text,
    )
    from accord.report.github import render_changes_github, render_github
    from accord.report.json import render_changes_json, render_json
    from accord.report.junit import render_changes_junit, render_junit
    from accord.report.markdown import render_changes_markdown, render_markdown
    from accord.report.sarif import render_changes_sarif, render_sarif
    from accord.report.text import render_changes_text, render_text

_LAZY = {
    "CatalogueRule": "catalogue",
    "render_changes_github": "github",
    "render_changes_json": "json",
    "render_changes_junit": "junit",
    "render_changes_markdown": "markdown",
    "render_changes_sarif": "sarif",
    "render_changes_text": "text",
    "render_github": "github",
    "render_json": "json",
    "render_junit": "junit",
    "render_markdown": "markdown",
    "render_rule_catalogue": "catalogue",
    "render_rules_json": "catalogue",
    "render_rules_text": "catalogue",
    "render_sarif": "sarif",
    "render_text": "text",
}

__all__ = [
    "CatalogueRule",
    "ReportContext",
    "RuleInfo",
    "RuleLike",
    "relative_path",
    "render_changes_github",
    "render_changes_json",
    "render_changes_junit",
    "render_changes_markdown",
    "render_changes_sarif",
    "render_changes_text",
    "render_github",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_rule_catalogue",
    "render_rules_json",
    "render_rules_text",
    "render_sarif",
    "render_text",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'accord.report' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"accord.report.{module}"), name)
    globals()[name] = value
    return value
