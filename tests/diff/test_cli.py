"""``accord diff`` through click's CliRunner: exit codes, formats, ignore file, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from accord_cli.main import cli
from click.testing import CliRunner, Result


def doc(props: dict[str, Any], version: str = "1.0.0", enum: tuple[str, ...] = ("a", "b")) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": version},
        "paths": {
            "/v1/orders/{id}": {
                "get": {
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            **props,
                                            "status": {"type": "string", "enum": list(enum)},
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            }
        },
    }


BASE = doc({"id": {"type": "string"}, "note": {"type": "string"}})
REMOVED = doc({"id": {"type": "string"}})  # breaking: response property removed
ADDED = doc({"id": {"type": "string"}, "note": {"type": "string"}, "x": {"type": "string"}}, "1.1.0")
ENUM_ADDED = doc({"id": {"type": "string"}, "note": {"type": "string"}}, "1.1.0", ("a", "b", "c"))


def write(folder: Path, name: str, data: Any) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8"
    )
    return str(path)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["diff", *args, "--today", "2025-06-01"])


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "base.yaml", BASE)
    write(tmp_path, "removed.yaml", REMOVED)
    write(tmp_path, "added.yaml", ADDED)
    write(tmp_path, "enum.yaml", ENUM_ADDED)
    return tmp_path


def test_safe_change_exits_0(files: Path) -> None:
    result = run("base.yaml", "added.yaml")
    assert result.exit_code == 0, result.output
    assert "response-optional-property-added GET /v1/orders/{id}" in result.stdout
    assert "0 error(s), 0 warning(s), 1 info" in result.stdout


def note_line(folder: Path) -> int:
    lines = (folder / "base.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip() == "note:")


def test_breaking_change_exits_1_with_location(files: Path) -> None:
    result = run("base.yaml", "removed.yaml")
    assert result.exit_code == 1
    assert "response-property-removed" in result.stdout
    assert f"base.yaml:{note_line(files)}:" in result.stdout and "properties/note" in result.stdout
    assert "version-bump-required" in result.stdout


def test_fail_on_warning(files: Path) -> None:
    assert run("base.yaml", "enum.yaml").exit_code == 0
    assert run("base.yaml", "enum.yaml", "--fail-on", "warning").exit_code == 1
    assert run("base.yaml", "added.yaml", "--fail-on", "warning").exit_code == 0


def test_json_output_is_the_documented_schema(files: Path) -> None:
    result = run("base.yaml", "removed.yaml", "--format", "json")
    data = json.loads(result.stdout)
    assert data["version"] == 1
    assert data["summary"] == {"error": 2, "warning": 0, "info": 0, "ignored": 0}
    assert data["documents"][0]["suggestedVersion"] == "2.0.0"
    change = next(c for c in data["changes"] if c["id"] == "response-property-removed")
    assert change["level"] == "error" and change["direction"] == "response"
    assert change["operation"] == "GET /v1/orders/{id}"
    assert change["base"]["pointer"].endswith("/schema/properties/note") and change["base"][
        "line"
    ] == note_line(files)
    assert change["details"] == {"property": "note"}


@pytest.mark.parametrize("fmt", ["markdown", "sarif", "junit", "github"])
def test_other_formats(files: Path, fmt: str) -> None:
    result = run("base.yaml", "removed.yaml", "--format", fmt)
    assert result.exit_code == 1
    out = result.stdout
    if fmt == "markdown":
        assert "| error | `response-property-removed` |" in out
    elif fmt == "sarif":
        sarif = json.loads(out)
        assert sarif["version"] == "2.1.0"
        assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"response-property-removed"}
    elif fmt == "junit":
        root = ElementTree.fromstring(out)
        assert root.get("failures") == "2"
    else:
        assert any(
            line.startswith("::error file=removed.yaml,line=") and "response-property-removed" in line
            for line in out.splitlines()
        )


def test_suggest_version(files: Path) -> None:
    assert run("base.yaml", "removed.yaml", "--suggest-version").stdout.strip() == "2.0.0"
    assert run("base.yaml", "added.yaml", "--suggest-version").stdout.strip() == "1.1.0"
    result = run("base.yaml", "removed.yaml", "--suggest-version")
    assert result.exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["base.yaml"],
        ["base.yaml", "added.yaml", "--format", "xml"],
        ["base.yaml", "added.yaml", "--fail-on", "x"],
    ],
)
def test_bad_usage_exits_2(files: Path, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_missing_file_exits_2(files: Path) -> None:
    result = run("base.yaml", "nope.yaml")
    assert result.exit_code == 2
    assert "nope.yaml: no such file or directory" in result.stderr


def test_malformed_yaml_exits_2_with_file_and_line(files: Path) -> None:
    write(files, "broken.yaml", "openapi: 3.1.0\ninfo:\n  title: [unclosed\n")
    result = run("base.yaml", "broken.yaml")
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "broken.yaml:" in result.stderr and "Traceback" not in result.output
    line = result.stderr.split("broken.yaml:", 1)[1].split(":", 1)[0]
    assert line.isdigit()


def test_kind_mismatch_exits_2(files: Path) -> None:
    write(files, "events.yaml", {"asyncapi": "3.0.0", "info": {"title": "E", "version": "1"}, "channels": {}})
    result = run("base.yaml", "events.yaml")
    assert result.exit_code == 2
    assert "cannot compare a openapi document with a asyncapi document" in result.stderr


def test_ignore_file_accepts_a_change(files: Path) -> None:
    write(
        files,
        ".accord-ignore.yaml",
        {
            "ignore": [
                {
                    "id": "response-property-removed",
                    "operation": "get /v1/orders/{orderId}",
                    "reason": "unused",
                },
                {"id": "version-bump-required", "reason": "pre-release"},
            ]
        },
    )
    result = run("base.yaml", "removed.yaml", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["changes"] == []
    # with the breaking change accepted, no version bump is required any more
    assert [(i["id"], i["reason"]) for i in data["ignored"]] == [("response-property-removed", "unused")]


def test_expired_ignore_entry_stops_applying_and_is_reported(files: Path) -> None:
    write(
        files,
        "ignore.yaml",
        {
            "ignore": [
                {"id": "response-property-removed", "reason": "old", "expires": "2025-01-31"},
            ]
        },
    )
    result = run("base.yaml", "removed.yaml", "--ignore-file", "ignore.yaml", "--format", "json")
    assert result.exit_code == 1
    assert "ignore.yaml:2:" in result.stderr and "expired on 2025-01-31" in result.stderr
    data = json.loads(result.stdout)
    assert data["expiredIgnores"][0]["expires"] == "2025-01-31"
    assert any(c["id"] == "response-property-removed" for c in data["changes"])


@pytest.mark.parametrize(
    ("content", "where", "message"),
    [
        ({"ignore": [{"id": "response-property-removed"}]}, "ignore.yaml:2:", "reason"),
        ({"ignore": [{"reason": "x"}]}, "ignore.yaml:2:", "at least one of id, operation or channel"),
        ({"ignore": [{"id": "x", "reason": "r", "expires": "soon"}]}, "ignore.yaml:", "expires"),
        ({"ignroe": []}, "ignore.yaml:1:", "unknown key"),
        ("ignore: [\n", "ignore.yaml:", ""),
    ],
)
def test_malformed_ignore_file_exits_2_located(files: Path, content: Any, where: str, message: str) -> None:
    write(files, "ignore.yaml", content)
    result = run("base.yaml", "removed.yaml", "--ignore-file", "ignore.yaml")
    assert result.exit_code == 2
    assert where in result.stderr and message in result.stderr
    assert "Traceback" not in result.output


def test_contract_folders_are_paired_by_domain(files: Path) -> None:
    catalogue = {
        "version": 1,
        "domains": {"orders": {"owner": "o", "systemOfRecord": "OMS", "openapi": "orders/openapi.yaml"}},
    }
    write(files, "v1/accord.yaml", catalogue)
    write(files, "v1/orders/openapi.yaml", BASE)
    moved = {
        **catalogue,
        "domains": {"orders": {**catalogue["domains"]["orders"], "openapi": "api/orders.yaml"}},
    }
    write(files, "v2/accord.yaml", moved)
    write(files, "v2/api/orders.yaml", REMOVED)
    result = run("v1", "v2", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [d["revision"] for d in data["documents"]] == [str(Path("v2/api/orders.yaml"))]
    assert "response-property-removed" in {c["id"] for c in data["changes"]}


def test_beta_domain_downgrades_errors(files: Path) -> None:
    catalogue = {
        "version": 1,
        "domains": {
            "orders": {
                "owner": "o",
                "systemOfRecord": "OMS",
                "stability": "beta",
                "openapi": "orders/openapi.yaml",
            }
        },
    }
    for side, data in (("v1", BASE), ("v2", REMOVED)):
        write(files, f"{side}/accord.yaml", catalogue)
        write(files, f"{side}/orders/openapi.yaml", data)
    result = run("v1", "v2", "--format", "json")
    assert result.exit_code == 0
    levels = {c["id"]: c["level"] for c in json.loads(result.stdout)["changes"]}
    assert levels == {"response-property-removed": "warning"}


def test_a_document_removed_from_a_folder_reports_its_operations(files: Path) -> None:
    write(files, "v1/a.yaml", BASE)
    write(files, "v1/b.yaml", BASE)
    write(files, "v2/a.yaml", BASE)
    result = run("v1", "v2", "--format", "json")
    assert result.exit_code == 1
    ids = [c["id"] for c in json.loads(result.stdout)["changes"]]
    assert ids == ["api-path-removed-without-deprecation"]


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github"])
def test_fallback_renderers_without_accord_report(
    files: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accord.diff import render as render_module

    monkeypatch.setattr(render_module, "_report_function", lambda _fmt: None)
    assert render_module.external_source(fmt) == "accord.diff.render"
    out = run("base.yaml", "removed.yaml", "--format", fmt).stdout
    if fmt == "sarif":
        assert json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"][
            "startLine"
        ]
    elif fmt == "junit":
        assert ElementTree.fromstring(out).get("failures") == "2"
    else:
        assert out.startswith("::error file=")
