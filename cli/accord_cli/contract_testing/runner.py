"""Run schemathesis per domain against a base URL and merge the reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from accord.loader import Document
from accord.loader.bundle import bundle

DEFAULT_CHECKS = "all"


@dataclass
class DomainResult:
    domain: str
    exit_code: int
    operations: int
    failures: list[dict[str, Any]] = field(default_factory=list)
    junit: ET.Element | None = None
    output: str = ""

    @property
    def passed(self) -> bool:
        return self.exit_code == 0 and not self.failures


@dataclass
class TestOptions:
    base_url: str
    max_examples: int = 10
    max_time: int | None = None
    phases: str = "examples,coverage,fuzzing,stateful"
    headers: tuple[str, ...] = ()
    checks: str = DEFAULT_CHECKS
    exclude_checks: tuple[str, ...] = ()
    seed: int | None = None
    workers: int = 1
    request_timeout: float = 5.0


def _bundled_schema(doc: Document, folder: Path) -> Path:
    data = bundle(doc)
    data.pop("servers", None)  # the base URL given on the command line is the server
    path = folder / f"{doc.path.parent.name}-{doc.path.stem}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def _failures_from_junit(root: ET.Element) -> list[dict[str, Any]]:
    failures = []
    for case in root.iter("testcase"):
        for tag in ("failure", "error"):
            for node in case.findall(tag):
                failures.append(
                    {
                        "operation": case.get("name", ""),
                        "kind": tag,
                        "codes": node.get("message") or "",
                        "message": (node.text or node.get("message") or "").strip()[:2000],
                    }
                )
    return failures


def run_domain(domain: str, doc: Document, options: TestOptions) -> DomainResult:
    """Run schemathesis on one OpenAPI document; returns its parsed results."""
    with tempfile.TemporaryDirectory(prefix="accord-test-") as tmp:
        folder = Path(tmp)
        schema = _bundled_schema(doc, folder)
        junit_path = folder / "junit.xml"
        command = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            str(schema),
            "--url",
            options.base_url,
            "--checks",
            options.checks,
            "--max-examples",
            str(options.max_examples),
            "--phases",
            options.phases,
            "--workers",
            str(options.workers),
            "--request-timeout",
            str(options.request_timeout),
            "--report",
            "junit",
            "--report-junit-path",
            str(junit_path),
            "--generation-database",
            "none",
            "--no-color",
            "--suppress-health-check",
            "all",
        ]
        if options.exclude_checks:
            command += ["--exclude-checks", ",".join(options.exclude_checks)]
        if options.max_time:
            command += ["--max-time", str(options.max_time)]
        if options.seed is not None:
            command += ["--seed", str(options.seed)]
        for header in options.headers:
            command += ["--header", header]
        env = {**os.environ, "SCHEMATHESIS_HOOKS": "accord_cli.contract_testing.checks", "NO_COLOR": "1"}
        proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        root = ET.parse(junit_path).getroot() if junit_path.exists() else None
        failures = _failures_from_junit(root) if root is not None else []
        if proc.returncode != 0 and not failures:
            failures.append(
                {"operation": "*", "kind": "error", "message": (proc.stdout + proc.stderr)[-2000:]}
            )
        operations = len(list(root.iter("testcase"))) if root is not None else 0
        return DomainResult(domain, proc.returncode, operations, failures, root, proc.stdout)


def merged_junit(results: list[DomainResult]) -> str:
    suites = ET.Element("testsuites", name="accord test")
    for result in results:
        if result.junit is None:
            continue
        for suite in result.junit.iter("testsuite"):
            suite.set("name", f"{result.domain}: {suite.get('name', 'schemathesis')}")
            suites.append(suite)
    return ET.tostring(suites, encoding="unicode")


def summary(results: list[DomainResult]) -> dict[str, Any]:
    return {
        "passed": all(r.passed for r in results),
        "domains": [
            {"domain": r.domain, "passed": r.passed, "testcases": r.operations, "failures": r.failures}
            for r in results
        ],
    }


def summary_json(results: list[DomainResult]) -> str:
    return json.dumps(summary(results), indent=2)
