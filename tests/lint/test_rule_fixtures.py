"""Every registered rule has a good/bad fixture pair: good is clean, bad yields exactly the expected findings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from accord.config import LintConfig
from accord.lint import RULES, load_builtin_rules, run_lint
from accord.loader import load_document

FIXTURES = Path(__file__).parent.parent / "fixtures" / "lint"
load_builtin_rules()
RULE_IDS = sorted(RULES)


def _fixture(rule_id: str, name: str) -> Path:
    folder = FIXTURES / rule_id
    for suffix in (".yaml", ".json"):
        candidate = folder / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    pytest.fail(f"rule {rule_id} has no {name}.yaml fixture in {folder}")


def _lint(path: Path, rule_id: str) -> list[tuple[str, int | None]]:
    doc = load_document(path, root=path.parent)
    result = run_lint([doc], LintConfig(extends="none"), only=[rule_id])
    return [(f.location.pointer, f.location.line) for f in result.findings if f.rule_id == rule_id]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_good_fixture_is_clean(rule_id: str) -> None:
    assert _lint(_fixture(rule_id, "good"), rule_id) == []


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_bad_fixture_reports_expected_locations(rule_id: str) -> None:
    expected_file = FIXTURES / rule_id / "expected.yaml"
    assert expected_file.exists(), f"rule {rule_id} has no expected.yaml"
    expected = sorted((e["pointer"], e.get("line")) for e in yaml.safe_load(expected_file.read_text()))
    assert expected, "expected.yaml must list at least one finding"
    found = sorted(_lint(_fixture(rule_id, "bad"), rule_id))
    assert found == expected


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_is_documented(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.summary and rule.rationale and rule.good and rule.bad and rule.family
    assert rule.applies_to <= {"openapi", "asyncapi"} and rule.applies_to


def test_no_stray_fixture_folders() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders <= set(RULE_IDS), f"fixtures without a rule: {sorted(folders - set(RULE_IDS))}"
