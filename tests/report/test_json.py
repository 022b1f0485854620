"""JSON renderer: the documented, versioned schema (accord/report/schemas/*.v1.json)."""

from __future__ import annotations

import json
from importlib.resources import files

import jsonschema
import pytest

from accord.model import Change, Finding
from accord.report import ReportContext, render_changes_json, render_json


def _schema(name: str) -> dict[str, object]:
    schema: dict[str, object] = json.loads(
        files("accord.report").joinpath("schemas", name).read_text("utf-8")
    )
    return schema


def test_findings_payload_matches_its_schema(findings: list[Finding], ctx: ReportContext) -> None:
    payload = json.loads(render_json(findings, ReportContext(fingerprint=lambda f: f"fp-{f.rule_id}")))
    jsonschema.Draft202012Validator(_schema("lint.v1.json")).validate(payload)
    assert payload["version"] == 1 and payload["kind"] == "lint"
    assert payload["summary"] == {
        "total": 3,
        "error": 1,
        "warn": 1,
        "info": 1,
        "hint": 0,
        "files": 2,
        "suppressed": 0,
        "baselined": 0,
    }
    first = payload["findings"][0]
    assert first["location"] == {
        "file": "contracts/items/asyncapi.yaml",
        "pointer": "/info",
        "line": 3,
        "column": 1,
    }
    assert first["fingerprint"] == "fp-info-owner"


def test_schema_rejects_what_it_should() -> None:
    validator = jsonschema.Draft202012Validator(_schema("lint.v1.json"))
    payload = json.loads(render_json([]))
    payload["version"] = 2
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(payload)


def test_changes_payload_matches_its_schema(changes: list[Change]) -> None:
    payload = json.loads(render_changes_json(changes))
    jsonschema.Draft202012Validator(_schema("diff.v1.json")).validate(payload)
    assert payload["summary"] == {"total": 3, "breaking": 2, "error": 2, "warn": 0, "info": 1, "hint": 0}
    removed = next(c for c in payload["changes"] if c["id"] == "endpoint-removed")
    assert removed["revision"] is None and removed["base"]["line"] == 88
    added = next(c for c in payload["changes"] if c["id"] == "response-property-added")
    assert added["details"] == {"property": "note"}
