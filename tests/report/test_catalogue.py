"""The rule catalogue renderers: text table, JSON, and the Markdown page's anchors and examples."""

from __future__ import annotations

import json

from accord.model import Severity
from accord.report import RuleInfo, render_rule_catalogue, render_rules_json, render_rules_text

from .conftest import CAMEL, OWNER

FENCED = RuleInfo("fenced", Severity.HINT, "naming", "s", bad="a: ```\n", good="b: 1")


def test_text_table() -> None:
    lines = render_rules_text([OWNER, CAMEL]).splitlines()
    assert lines[0].split() == ["RULE", "SEVERITY", "FAMILY", "APPLIES", "TO", "SUMMARY"]
    assert lines[1].split()[:4] == ["info-owner", "error", "ownership", "asyncapi,openapi"]
    assert lines[2].startswith("property-camel-case  warn ")
    assert render_rules_text([]) == "no rules\n"


def test_json() -> None:
    payload = json.loads(render_rules_json([CAMEL, OWNER]))
    assert payload["version"] == 1 and payload["kind"] == "rules"
    assert [r["id"] for r in payload["rules"]] == ["info-owner", "property-camel-case"]
    assert payload["rules"][0]["appliesTo"] == ["asyncapi", "openapi"]
    assert payload["rules"][0]["helpUri"].endswith("#info-owner")


def test_markdown_page() -> None:
    page = render_rule_catalogue([OWNER, CAMEL, FENCED])
    assert page.startswith("<!-- Generated")
    assert "| [`info-owner`](#info-owner) | error | ownership | AsyncAPI, OpenAPI |" in page
    assert "## Family: naming" in page and "## Family: ownership" in page
    section = page[page.index("### info-owner") :]
    assert "**Bad**\n\n```yaml\ninfo:\n  title: Orders API\n```" in section
    assert "**Good**\n\n```yaml\ninfo:\n  x-accord-owner: order-management\n```" in section
    # A snippet containing ``` gets a longer fence.
    assert "````yaml\na: ```\n\n````" in page
