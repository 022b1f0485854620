"""JUnit XML: parsed back with xml.etree; suites per file, cases per rule, failures agree with the threshold."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

from accord.model import Change, Finding, Location, Severity
from accord.report import ReportContext, render_changes_junit, render_junit


def _suites(text: str) -> tuple[ET.Element, dict[str, ET.Element]]:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text)
    return root, {s.get("name", ""): s for s in root.findall("testsuite")}


def _cases(suite: ET.Element) -> dict[str, ET.Element]:
    return {c.get("name", ""): c for c in suite.findall("testcase")}


def test_one_suite_per_file_one_case_per_rule(findings: list[Finding]) -> None:
    checks = {"contracts/orders/openapi.yaml": ["info-owner", "property-camel-case", "info-contact"]}
    root, suites = _suites(render_junit(findings, ReportContext(checks=checks)))
    assert root.tag == "testsuites" and root.get("name") == "accord lint"
    assert sorted(suites) == ["contracts/items/asyncapi.yaml", "contracts/orders/openapi.yaml"]
    orders = suites["contracts/orders/openapi.yaml"]
    cases = _cases(orders)
    assert sorted(cases) == ["info-contact", "info-owner", "property-camel-case"]
    assert cases["info-contact"].find("failure") is None  # ran and found nothing: passes
    failure = cases["info-owner"].find("failure")
    assert failure is not None
    assert failure.get("type") == "error"
    assert (
        failure.get("message")
        == "2:1 error: `info.x-accord-owner` is missing (hint: add `x-accord-owner:` under `info`)"
    )
    assert cases["info-owner"].get("classname") == "contracts/orders/openapi.yaml"
    assert (orders.get("tests"), orders.get("failures"), orders.get("errors")) == ("3", "2", "0")
    assert (root.get("tests"), root.get("failures")) == ("4", "3")


def test_findings_below_the_fail_severity_pass_with_output(findings: list[Finding]) -> None:
    _, suites = _suites(render_junit(findings, ReportContext(fail_severity=Severity.ERROR)))
    cases = _cases(suites["contracts/orders/openapi.yaml"])
    camel = cases["property-camel-case"]
    assert camel.find("failure") is None
    out = camel.find("system-out")
    assert (
        out is not None
        and out.text == "40:11 warn: property `order_id` is not camelCase (hint: rename it to `orderId`)"
    )
    assert cases["info-owner"].find("failure") is not None


def test_several_findings_share_one_failure(findings: list[Finding]) -> None:
    second = dataclasses.replace(findings[1], location=Location("contracts/orders/openapi.yaml", "/x", 9, 3))
    _, suites = _suites(render_junit([*findings, second]))
    failure = _cases(suites["contracts/orders/openapi.yaml"])["info-owner"].find("failure")
    assert failure is not None and failure.text is not None
    assert failure.get("message", "").startswith("2 problems; first: 2:1 error")
    assert failure.text.splitlines()[1].startswith("9:3 error")


def test_markup_and_control_characters_survive(findings: list[Finding]) -> None:
    nasty = dataclasses.replace(findings[1], message='a <b> & "c"\x00\x1b end', hint=None)
    text = render_junit([nasty])
    _, suites = _suites(text)
    failure = _cases(suites["contracts/orders/openapi.yaml"])["info-owner"].find("failure")
    assert failure is not None
    # Escaped markup parses back as written; characters XML 1.0 forbids become U+FFFD.
    assert failure.text == '2:1 error: a <b> & "c"\ufffd\ufffd end'
    assert "&lt;b&gt;" in text


def test_changes_breaking_fail_by_default(changes: list[Change]) -> None:
    root, suites = _suites(render_changes_junit(changes))
    assert root.get("name") == "accord diff"
    cases = _cases(suites["contracts/orders/openapi.yaml"])
    assert cases["endpoint-removed"].find("failure") is not None
    removed = cases["endpoint-removed"].find("failure")
    assert removed is not None and "88:5 (base)" in (removed.text or "")
    assert cases["response-property-added"].find("failure") is None
    assert root.get("failures") == "2"


def test_empty_report_is_valid_xml() -> None:
    root, suites = _suites(render_junit([]))
    assert suites == {} and root.get("tests") == "0"
