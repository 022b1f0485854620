"""GitHub workflow commands: one annotation per result, escaped as the runner's parser expects."""

from __future__ import annotations

from accord.model import Change, Finding, Location, Severity
from accord.report import ReportContext, render_changes_github, render_github
from accord.report.github import annotation, escape_data, escape_property


def test_escaping_rules() -> None:
    assert escape_data("100% sure\r\nnext: a,b") == "100%25 sure%0D%0Anext: a,b"
    assert escape_property("dir:a,b\n%") == "dir%3Aa%2Cb%0A%25"
    # % first, so an escape is never escaped twice.
    assert escape_data("%0A") == "%250A"


def test_findings(findings: list[Finding]) -> None:
    lines = render_github(findings).splitlines()
    assert (
        lines[0]
        == "::notice file=contracts/items/asyncapi.yaml,line=3,col=1,title=info-owner::`info.x-accord-owner` is missing"
    )
    assert lines[1] == (
        "::error file=contracts/orders/openapi.yaml,line=2,col=1,title=info-owner::"
        "`info.x-accord-owner` is missing%0AHint: add `x-accord-owner:` under `info`"
    )
    assert lines[2].startswith(
        "::warning file=contracts/orders/openapi.yaml,line=40,col=11,title=property-camel-case::"
    )
    assert lines[3] == "accord lint: 3 problems (1 error, 1 warning, 1 notices)"


def test_properties_with_commas_and_colons_are_escaped(tmp_path: object) -> None:
    finding = Finding(
        "r-1", Severity.ERROR, Location("specs/a,b:c.yaml", "", 7, 2), "50% of\nthings, really: yes"
    )
    (line, _) = render_github([finding]).splitlines()
    assert line == "::error file=specs/a%2Cb%3Ac.yaml,line=7,col=2,title=r-1::50%25 of%0Athings, really: yes"


def test_paths_relative_to_the_root(tmp_path: object) -> None:
    finding = Finding("r", Severity.WARN, Location(f"{tmp_path}/contracts/x.yaml", "", 1, 1), "m")
    text = render_github([finding], ReportContext(root=str(tmp_path)))
    assert text.startswith("::warning file=contracts/x.yaml,line=1,col=1,title=r::m")


def test_annotation_without_location() -> None:
    assert annotation(Severity.INFO, "m", title="t", location=None, root=None) == "::notice title=t::m"


def test_changes(changes: list[Change]) -> None:
    lines = render_changes_github(changes).splitlines()
    assert lines[0] == (
        "::error file=contracts/orders/openapi.yaml,line=31,col=7,title=request-property-became-required::"
        "POST /v1/orders: request property `note` became required"
    )
    # Removed: only in the base, so the annotation names the file but no line of the revision.
    assert lines[1] == (
        "::error file=contracts/orders/openapi.yaml,title=endpoint-removed::DELETE /v1/orders/{orderId}: operation removed"
    )
    assert lines[2].startswith("::notice file=contracts/orders/openapi.yaml,line=120,col=9,")
    assert lines[3] == "accord diff: 3 changes (2 breaking, 0 warnings, 1 non-breaking)"
