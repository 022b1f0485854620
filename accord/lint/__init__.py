"""The governance linter: rule registry, generic checks, rule families and the runner."""

from __future__ import annotations

from accord.lint.registry import RULES, Rule, RuleContext, Violation, load_builtin_rules, rule
from accord.lint.runner import LintResult, fingerprint, run_lint, select_rules

__all__ = [
    "RULES",
    "LintResult",
    "Rule",
    "RuleContext",
    "Violation",
    "fingerprint",
    "load_builtin_rules",
    "rule",
    "run_lint",
    "select_rules",
]
