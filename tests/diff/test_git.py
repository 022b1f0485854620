"""Git revision inputs (``REV:path``, ``--against``) and ``accord changelog`` in a temporary repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from accord_cli.main import cli
from click.testing import CliRunner

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

SCHEMAS_V1 = {
    "Money": {
        "type": "object",
        "required": ["amount", "currency"],
        "properties": {
            "amount": {"type": "string"},
            "currency": {"type": "string"},
            "note": {"type": "string"},
        },
    }
}
SCHEMAS_V2 = {
    "Money": {
        "type": "object",
        "required": ["amount", "currency"],
        "properties": {"amount": {"type": "string"}, "currency": {"type": "string"}},
    }
}


def orders(version: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Orders", "version": version},
        "paths": {
            "/v1/orders": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"total": {"$ref": "../common/schemas.yaml#/Money"}},
                                    }
                                }
                            },
                        }
                    }
                }
            }
        },
    }


def dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    contracts = tmp_path / "contracts"
    dump(
        contracts / "accord.yaml",
        {
            "version": 1,
            "domains": {
                "orders": {"owner": "oms", "systemOfRecord": "OMS", "openapi": "orders/openapi.yaml"}
            },
        },
    )
    dump(contracts / "orders" / "openapi.yaml", orders("1.0.0"))
    dump(contracts / "common" / "schemas.yaml", SCHEMAS_V1)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    git(tmp_path, "tag", "v1.0.0")
    # working tree: a property removed from the shared schema file (breaking through a $ref)
    dump(contracts / "common" / "schemas.yaml", SCHEMAS_V2)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, [*args, "--today", "2025-06-01"])


def test_revision_spec_resolves_refs_from_the_same_revision(repo: Path) -> None:
    result = invoke(
        "diff", "v1.0.0:contracts/orders/openapi.yaml", "contracts/orders/openapi.yaml", "--format", "json"
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    change = next(c for c in data["changes"] if c["id"] == "response-property-removed")
    assert change["base"]["file"] == "v1.0.0:contracts/common/schemas.yaml"
    assert change["base"]["pointer"] == "/Money/properties/note" and change["base"]["line"] == 11
    assert change["revision"]["file"] == os.path.join("contracts", "common", "schemas.yaml")
    assert data["documents"][0]["base"] == "v1.0.0:contracts/orders/openapi.yaml"


def test_two_revisions(repo: Path) -> None:
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "v2")
    result = invoke("diff", "v1.0.0:contracts", "HEAD:contracts", "--format", "json")
    assert result.exit_code == 1, result.output
    assert {c["id"] for c in json.loads(result.stdout)["changes"]} == {
        "response-property-removed",
        "version-bump-required",
    }


def test_against_compares_the_working_tree(repo: Path) -> None:
    result = invoke("diff", "--against", "v1.0.0")
    assert result.exit_code == 1, result.output
    assert "response-property-removed GET /v1/orders" in result.stdout
    assert "v1.0.0:contracts/common/schemas.yaml:" in result.stdout


def test_unknown_revision_or_path_exits_2(repo: Path) -> None:
    for spec in ("nosuchrev:contracts/orders/openapi.yaml", "v1.0.0:contracts/nope.yaml"):
        result = invoke("diff", spec, "contracts/orders/openapi.yaml")
        assert result.exit_code == 2, spec
        assert "error:" in result.stderr and "Traceback" not in result.output


def test_changelog_from_tag(repo: Path) -> None:
    dump(
        repo / "contracts" / "orders" / "openapi.yaml",
        {
            **orders("2.0.0"),
            "paths": {
                **orders("2.0.0")["paths"],
                "/v1/orders/{id}": {"get": {"responses": {"200": {"description": "OK"}}}},
            },
        },
    )
    result = invoke("changelog", "contracts")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# API changes: v1.0.0 -> working tree")
    assert "## orders" in text
    assert text.index("### Breaking changes") < text.index("### Other changes")
    assert "- **GET /v1/orders**" in text and "- **GET /v1/orders/{id}**" in text
    assert "`response-property-removed`" in text and "`endpoint-added`" in text


def test_changelog_without_tags_needs_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dump(tmp_path / "a.yaml", orders("1.0.0"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "x")
    monkeypatch.chdir(tmp_path)
    result = invoke("changelog")
    assert result.exit_code == 2
    assert "pass --from REV" in result.stderr
