"""JUnit XML (the Ant/Jenkins dialect CI servers read): one testsuite per file, one testcase per rule.

A testcase fails when a finding (or change) for its rule in its file reaches ``ctx.fail_severity``;
results below it are listed in the testcase's ``system-out`` and the testcase passes, so the test
report agrees with the exit code. Without ``ctx.fail_severity`` every finding fails its testcase and
only breaking changes (level ``error``) do. Files and rules that produced nothing appear as passing
testcases when ``ctx.checks`` says which rules ran on which file.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from accord.model import Change, Finding, Location, Severity
from accord.report._common import DEFAULT_CONTEXT, ReportContext, change_location, change_text


@functools.cache
def _invalid_xml() -> re.Pattern[str]:
    # XML 1.0 §2.2: the characters a document may contain (compiled on first use: it is slow to build).
    return re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _invalid_xml().sub("\ufffd", text)


@dataclass(frozen=True, slots=True)
class _Item:
    file: str
    case: str
    level: Severity
    line: str


def _position(loc: Location | None) -> str:
    if loc is None or loc.line is None:
        return "-"
    return f"{loc.line}:{loc.column}" if loc.column is not None else str(loc.line)


def _render(items: list[_Item], checks: dict[str, set[str]], threshold: Severity, name: str) -> str:
    cases: dict[str, dict[str, list[_Item]]] = {
        file: {case: [] for case in ids} for file, ids in checks.items()
    }
    for item in items:
        cases.setdefault(item.file, {}).setdefault(item.case, []).append(item)
    root = ET.Element("testsuites", name=name)
    total_tests = total_failures = 0
    for file in sorted(cases):
        suite = ET.SubElement(root, "testsuite", name=_clean(file))
        tests = failures = 0
        for case_name in sorted(cases[file]):
            found = cases[file][case_name]
            case = ET.SubElement(
                suite, "testcase", classname=_clean(file), name=_clean(case_name), file=_clean(file)
            )
            tests += 1
            failing = [i for i in found if i.level >= threshold]
            passing = [i for i in found if i.level < threshold]
            if failing:
                failures += 1
                worst = max(i.level for i in failing)
                first = failing[0].line
                failure = ET.SubElement(
                    case,
                    "failure",
                    type=worst.label,
                    message=_clean(
                        first if len(failing) == 1 else f"{len(failing)} problems; first: {first}"
                    ),
                )
                failure.text = _clean("\n".join(i.line for i in failing))
            if passing:
                out = ET.SubElement(case, "system-out")
                out.text = _clean("\n".join(i.line for i in passing))
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_tests += tests
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def render_junit(findings: Sequence[Finding], ctx: ReportContext | None = None) -> str:
    """Findings as JUnit XML: testsuite = file, testcase = rule, failure = its findings in that file."""
    ctx = ctx or DEFAULT_CONTEXT
    threshold = ctx.fail_severity if ctx.fail_severity is not None else Severity.HINT
    items = []
    for finding in sorted(findings, key=Finding.sort_key):
        loc = finding.location
        line = f"{_position(loc)} {finding.severity.label}: {finding.message}"
        if finding.hint:
            line += f" (hint: {finding.hint})"
        items.append(_Item(loc.file, finding.rule_id, finding.severity, line))
    checks = {file: set(ids) for file, ids in (ctx.checks or {}).items()}
    return _render(items, checks, threshold, ctx.title or f"{ctx.tool_name} lint")


def render_changes_junit(changes: Sequence[Change], ctx: ReportContext | None = None) -> str:
    """Changes as JUnit XML: testsuite = file, testcase = change kind; breaking changes fail by default."""
    ctx = ctx or DEFAULT_CONTEXT
    threshold = ctx.fail_severity if ctx.fail_severity is not None else Severity.ERROR
    items = []
    for change in changes:
        loc, in_base = change_location(change)
        where = _position(loc) + (" (base)" if in_base else "")
        items.append(
            _Item(
                loc.file if loc else "(no location)",
                change.id,
                change.level,
                f"{where} {change.level.label}: {change_text(change)}",
            )
        )
    items.sort(key=lambda i: (i.file, i.case, -int(i.level), i.line))
    checks = {file: set(ids) for file, ids in (ctx.checks or {}).items()}
    return _render(items, checks, threshold, ctx.title or f"{ctx.tool_name} diff")
