"""`accord validate`: exit codes 0/1/2, text and JSON output, no tracebacks on bad input."""

from __future__ import annotations

import json
from pathlib import Path

from accord_cli.main import cli
from click.testing import CliRunner


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_corpus_is_valid(contracts_dir: Path) -> None:
    code, out, err = run("validate", str(contracts_dir))
    assert code == 0, out + err
    assert "contracts/orders/openapi.yaml (openapi 3.1.0): ok" in err


def test_json_format(contracts_dir: Path) -> None:
    code, out, _ = run("validate", "--format", "json", str(contracts_dir / "orders" / "openapi.yaml"))
    payload = json.loads(out)
    assert code == 0 and payload["valid"] is True
    assert payload["documents"][0]["kind"] == "openapi"


def test_invalid_document_exits_1_with_location(tmp_path: Path) -> None:
    spec = tmp_path / "o.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: t}\npaths: {}\n")
    code, out, _ = run("validate", str(spec))
    assert code == 1
    assert "o.yaml:2:1 (#/info): structure:" in out and "version" in out


def test_unreadable_inputs_exit_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.1.0\ninfo: [unclosed\n")
    code, out, err = run("validate", str(bad))
    assert code == 2
    assert "bad.yaml:3:1" in out and "invalid YAML" in out
    assert "Traceback" not in out + err
    code, out, _ = run("validate", str(tmp_path / "missing.yaml"))
    assert code == 2 and "no such file" in out


def test_swagger_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "s.json"
    spec.write_text('{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}')
    code, out, _ = run("validate", str(spec))
    assert code == 2 and "Swagger 2.0 is not supported" in out


def test_bad_flag_is_usage_error() -> None:
    code, _, err = run("validate", "--format", "xml")
    assert code == 2 and "Invalid value for '--format'" in err
