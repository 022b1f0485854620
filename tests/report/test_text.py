"""Text renderer: grouped by file, aligned columns, hints, summary, colour only when asked."""

from __future__ import annotations

import dataclasses
import re

from accord.model import Change, Finding
from accord.report import ReportContext, render_changes_text, render_text


def test_findings_grouped_by_file_sorted_with_hints(findings: list[Finding], ctx: ReportContext) -> None:
    text = render_text(findings, ctx)
    lines = text.splitlines()
    assert lines[0] == "contracts/items/asyncapi.yaml"
    assert lines[1] == "  3:1  info  info-owner  `info.x-accord-owner` is missing"
    # No hint on the finding: the rule's summary stands in for it.
    assert lines[2] == "       hint: `info.x-accord-owner` names the owning team."
    orders = lines.index("contracts/orders/openapi.yaml")
    assert lines[orders + 1] == "  2:1    error  info-owner           `info.x-accord-owner` is missing"
    assert lines[orders + 2] == "         hint: add `x-accord-owner:` under `info`"
    assert lines[orders + 3] == ("  40:11  warn   property-camel-case  property `order_id` is not camelCase")
    assert lines[-1] == "3 problems (1 error, 1 warning, 1 info, 0 hints) in 2 files"
    assert "\x1b[" not in text


def test_colour_only_with_the_flag(findings: list[Finding], ctx: ReportContext) -> None:
    coloured = render_text(findings, dataclasses.replace(ctx, color=True))
    assert "\x1b[1;31merror\x1b[0m" in coloured
    assert "\x1b[33mwarn \x1b[0m" in coloured
    assert re.sub("\x1b\\[[0-9;]*m", "", coloured) == render_text(findings, ctx)


def test_hidden_counts_and_clean_run() -> None:
    ctx = ReportContext(suppressed=2, baselined=3)
    assert render_text([], ctx) == (
        "no problems found; 2 suppressed by x-accord-ignore, 3 hidden by the baseline\n"
    )
    assert render_text([]) == "no problems found\n"


def test_finding_without_line_shows_a_dash(findings: list[Finding]) -> None:
    bare = dataclasses.replace(findings[0], location=dataclasses.replace(findings[0].location, line=None))
    assert "  -  warn  property-camel-case" in render_text([bare])


def test_changes_grouped_by_file_with_operation_and_base_marker(changes: list[Change]) -> None:
    text = render_changes_text(changes)
    lines = text.splitlines()
    assert lines[0] == "contracts/orders/openapi.yaml"
    assert (
        "31:7" in lines[1]
        and "request-property-became-required" in lines[1]
        and "POST /v1/orders" in lines[1]
    )
    assert any("88:5 (base)" in line and "endpoint-removed" in line for line in lines)
    assert lines[-1] == "3 changes (2 breaking, 0 warnings, 1 non-breaking)"
    assert render_changes_text([]) == "no changes\n"
