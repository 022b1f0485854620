"""Helpers for the HTTP rule family tests: lint a small YAML document written to a temporary folder."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from accord.config import LintConfig
from accord.lint import RULES, load_builtin_rules, run_lint
from accord.loader import Document, load_document
from accord.model import Finding

HTTP_FAMILIES = ("versioning", "security", "errors", "writes", "collections")


def family_rules(*families: str) -> list[str]:
    """Ids of the registered rules of ``families`` (all HTTP families when none is given)."""
    load_builtin_rules()
    wanted = set(families or HTTP_FAMILIES)
    return sorted(rule_id for rule_id, rule in RULES.items() if rule.family in wanted)


def load_text(folder: Path, text: str, name: str = "doc.yaml", **extra: str) -> Document:
    """Write ``text`` (dedented) as ``name`` and ``extra`` files beside it, then load it."""
    for file_name, content in extra.items():
        (folder / file_name.replace("_yaml", ".yaml")).write_text(textwrap.dedent(content), encoding="utf-8")
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_document(path, root=folder)


def lint(doc: Document, *rule_ids: str, options: dict[str, Any] | None = None) -> list[Finding]:
    per_rule = {rule_id: options for rule_id in rule_ids} if options else None
    return run_lint([doc], LintConfig(extends="none"), only=list(rule_ids), options=per_rule).findings


def spots(findings: list[Finding]) -> list[tuple[str, str, int | None]]:
    """(rule id, pointer, line) of each finding, in report order."""
    return [(f.rule_id, f.location.pointer, f.location.line) for f in findings]
