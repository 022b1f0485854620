"""Markdown: tables per file (findings) and per level (changes); cells escaped for GFM."""

from __future__ import annotations

from accord.model import Change, Finding, Location, Severity
from accord.report import ReportContext, render_changes_markdown, render_markdown
from accord.report.markdown import inline


def test_inline_escaping() -> None:
    assert inline("a | b") == "a \\| b"
    assert inline("path /v<major>/ and `/v<major>/`") == "path /v&lt;major&gt;/ and `/v<major>/`"
    assert inline("one\ntwo") == "one<br>two"
    assert inline("odd ` tick") == "odd \\` tick"


def test_findings(findings: list[Finding]) -> None:
    text = render_markdown(findings, ReportContext(suppressed=1))
    lines = text.splitlines()
    assert lines[0] == "## accord lint: 3 problems (1 error, 1 warning, 1 info, 0 hints)"
    assert "Not shown: 1 suppressed by `x-accord-ignore`." in lines
    assert "### `contracts/orders/openapi.yaml`" in lines
    row = next(line for line in lines if line.startswith("| 2:1 "))
    assert row == (
        "| 2:1 | error | [`info-owner`](https://accord.readthedocs.io/en/latest/reference/rules.html#info-owner) | "
        "`info.x-accord-owner` is missing<br>_Hint:_ add `x-accord-owner:` under `info` |"
    )


def test_pipe_in_file_name_and_message() -> None:
    finding = Finding("r", Severity.WARN, Location("a|b.yaml", "", 1, 1), "x | y")
    text = render_markdown([finding])
    assert "### `a\\|b.yaml`" in text and "x \\| y" in text


def test_no_findings() -> None:
    assert render_markdown([]).endswith("No problems found.\n")


def test_changes_sections(changes: list[Change]) -> None:
    text = render_changes_markdown(changes)
    lines = text.splitlines()
    assert lines[0] == "## accord diff: 3 changes (2 breaking, 0 warnings, 1 non-breaking)"
    breaking = lines.index("### Breaking changes")
    non_breaking = lines.index("### Non-breaking changes")
    assert "### Warnings" not in lines
    assert breaking < non_breaking
    removed = next(line for line in lines if "endpoint-removed" in line)
    assert "`` DELETE /v1/orders/{orderId} ``" not in removed
    assert (
        "`DELETE /v1/orders/{orderId}`" in removed
        and "`contracts/orders/openapi.yaml:88:5` (base)" in removed
    )
    assert render_changes_markdown([]).endswith("No changes.\n")
