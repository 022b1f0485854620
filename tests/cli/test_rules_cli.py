"""`accord rules` and the generated rule catalogue (docs/reference/rules.md)."""

from __future__ import annotations

import json
from pathlib import Path

from accord_cli import docgen
from accord_cli.main import cli
from click.testing import CliRunner, Result

from accord.lint import RULES, load_builtin_rules

ROOT = Path(__file__).resolve().parent.parent.parent
load_builtin_rules()


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_text_lists_every_rule_with_severity_family_and_targets() -> None:
    result = run("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["RULE", "SEVERITY", "FAMILY", "APPLIES"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert set(RULES) | {"structure", "unresolved-ref"} <= set(rows)
    assert rows["info-owner"][1:4] == ["error", "ownership", "asyncapi,openapi"]
    assert rows["structure"][1:3] == ["error", "validation"]


def test_json_and_family_filter() -> None:
    result = run("rules", "--format", "json", "--family", "ownership")
    payload = json.loads(result.stdout)
    assert payload["version"] == 1
    ids = [r["id"] for r in payload["rules"]]
    assert "info-owner" in ids and all(r["family"] == "ownership" for r in payload["rules"])
    owner = next(r for r in payload["rules"] if r["id"] == "info-owner")
    assert owner["severity"] == "error" and owner["appliesTo"] == ["asyncapi", "openapi"]
    assert owner["bad"] == RULES["info-owner"].bad and owner["rationale"] == RULES["info-owner"].rationale


def test_unknown_family_exits_2() -> None:
    result = run("rules", "--family", "nonsense")
    assert result.exit_code == 2 and "unknown rule family 'nonsense'; families:" in result.stderr
    assert "ownership" in result.stderr


def test_markdown_is_the_catalogue_page() -> None:
    result = run("rules", "--format", "markdown")
    assert result.stdout == docgen.rules_page()
    for rule_id in RULES:
        assert f"\n### {rule_id}\n" in result.stdout, rule_id


def test_docgen_writes_and_checks(tmp_path: Path) -> None:
    assert docgen.main([str(tmp_path)]) == 0
    page = tmp_path / "reference" / "rules.md"
    assert page.read_text() == docgen.rules_page()
    assert docgen.main([str(tmp_path), "--check"]) == 0
    page.write_text("stale\n")
    assert docgen.main([str(tmp_path), "--check"]) == 1
    assert page.read_text() == "stale\n"  # --check writes nothing
    assert docgen.main([str(tmp_path / "missing")]) == 2
    assert docgen.main([]) == 2


def test_docgen_page_hook(tmp_path: Path) -> None:
    docgen.register_page("reference/extra.md", lambda: "# Extra\n")
    try:
        docgen.generate(tmp_path)
        assert (tmp_path / "reference" / "extra.md").read_text() == "# Extra\n"
    finally:
        docgen.PAGES.pop("reference/extra.md")


def test_committed_rule_catalogue_is_current() -> None:
    committed = ROOT / "docs" / "reference" / "rules.md"
    assert committed.exists(), "run `python -m accord_cli.docgen docs`"
    assert committed.read_text(encoding="utf-8") == docgen.rules_page(), (
        "docs/reference/rules.md is out of date: run `python -m accord_cli.docgen docs`"
    )
