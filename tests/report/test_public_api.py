"""The public API of accord.report is pinned, sorted and importable name by name."""

from __future__ import annotations

import accord.report

EXPECTED = [
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


def test_all_is_pinned_and_sorted() -> None:
    assert accord.report.__all__ == EXPECTED
    assert accord.report.__all__ == sorted(accord.report.__all__)


def test_every_name_resolves() -> None:
    for name in accord.report.__all__:
        assert getattr(accord.report, name) is not None, name


def test_every_format_has_a_findings_and_a_changes_renderer() -> None:
    for fmt in ("text", "json", "sarif", "junit", "github", "markdown"):
        assert callable(getattr(accord.report, f"render_{fmt}"))
        assert callable(getattr(accord.report, f"render_changes_{fmt}"))
