"""Tests over the registry itself: every kind is complete, has a fixture pair and a doc entry."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from accord.diff import KINDS
from accord.diff.registry import DIRECTIONS, SCHEMA_TEMPLATES, SCOPES, scoped_id
from accord.model import Severity
from tests.diff.conftest import FIXTURES

DOCS = Path(__file__).parents[2] / "docs" / "diff.md"


def test_every_kind_is_complete() -> None:
    for kind in KINDS.values():
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", kind.id)
        assert kind.level in (Severity.ERROR, Severity.WARN, Severity.INFO)
        assert kind.directions and set(kind.directions) <= set(DIRECTIONS)
        assert kind.summary.endswith(".") and len(kind.summary) > 15, kind.id
        assert len(kind.rationale) > 15, kind.id


def test_every_kind_has_a_fixture_pair_that_reports_it() -> None:
    missing = []
    for kind_id in KINDS:
        folder = FIXTURES / kind_id
        if not (folder / "base.yaml").is_file() or not (folder / "revision.yaml").is_file():
            missing.append(kind_id)
            continue
        expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))["changes"]
        assert kind_id in {e["id"] for e in expected}, f"{kind_id}: expected.yaml does not list it"
    assert not missing, f"change kinds without a fixture pair: {missing}"


def test_no_stray_fixture_folders() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}
    assert folders <= set(KINDS), folders - set(KINDS)


def test_every_kind_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    undocumented = [k for k in KINDS if f"`{k}`" not in text]
    assert not undocumented, f"docs/diff.md lacks: {undocumented}"


def test_fixture_levels_match_the_registry() -> None:
    """expected.yaml files are written by hand; the registry must agree with them."""
    names = {Severity.ERROR: "error", Severity.WARN: "warning", Severity.INFO: "info"}
    for kind_id, kind in KINDS.items():
        expected = yaml.safe_load((FIXTURES / kind_id / "expected.yaml").read_text(encoding="utf-8"))[
            "changes"
        ]
        entry = next(e for e in expected if e["id"] == kind_id)
        assert entry["level"] == names[kind.level], kind_id
        assert entry["direction"] in kind.directions, kind_id


def test_scoped_ids_fall_back_for_property_kinds() -> None:
    assert scoped_id(SCOPES["request-parameter"], "property-removed") == "request-property-removed"
    assert scoped_id(SCOPES["response-header"], "new-optional-property") == "response-optional-property-added"
    assert scoped_id(SCOPES["request-property"], "type-changed", root=True) == "request-body-type-changed"
    assert scoped_id(SCOPES["sent-message-property"], "required-property-removed") == (
        "sent-message-required-property-removed"
    )


def test_write_and_read_sides_are_judged_oppositely() -> None:
    for template in SCHEMA_TEMPLATES:
        if (
            template.write is None
            or template.read is None
            or template.key.endswith(
                (
                    "type-changed",
                    "format-changed",
                    "new-optional-property",
                    "property-removed",
                    "multiple-of-changed",
                    "pattern-changed",
                )
            )
        ):
            continue
        assert min(template.write, template.read) == Severity.INFO, template.key
        assert max(template.write, template.read) >= Severity.WARN, template.key


def test_docs_catalogue_is_in_sync_with_the_registry() -> None:
    from accord.diff.catalogue import update

    text = DOCS.read_text(encoding="utf-8")
    assert update(text) == text, (
        'docs/diff.md is stale: python -c "from pathlib import Path; from accord.diff.catalogue import update; '
        "p = Path('docs/diff.md'); p.write_text(update(p.read_text()))\""
    )
