"""Every change kind has a base/revision fixture pair; each pair yields exactly the expected changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from accord.diff import diff_documents
from accord.diff.runner import level_name
from accord.loader import load_document
from tests.diff.conftest import FIXTURES, TODAY

CASES = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def _key(entry: dict[str, Any]) -> tuple[Any, ...]:
    return (
        entry["id"],
        entry["level"],
        entry["direction"],
        entry["operation"],
        entry["base"],
        entry["revision"],
    )


@pytest.mark.parametrize("folder", CASES, ids=lambda p: p.name)
def test_fixture_pair(folder: Path) -> None:
    base = load_document(folder / "base.yaml")
    revision = load_document(folder / "revision.yaml")
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))["changes"]
    result = diff_documents(base, revision, today=TODAY)
    got = [
        {
            "id": c.id,
            "level": level_name(c.level),
            "direction": c.direction,
            "operation": c.operation,
            "base": c.base.pointer if c.base else None,
            "revision": c.revision.pointer if c.revision else None,
        }
        for c in result.changes
    ]
    assert sorted(map(_key, got)) == sorted(map(_key, expected))
    for change in result.changes:
        for loc, name in ((change.base, "base.yaml"), (change.revision, "revision.yaml")):
            if loc is not None:
                assert loc.file.endswith(name)
                assert loc.line is not None and loc.line >= 1, f"{change.id}: {loc} has no line"


@pytest.mark.parametrize("folder", CASES, ids=lambda p: p.name)
def test_fixture_reversed_is_not_the_same_change(folder: Path) -> None:
    """Swapping the sides never reports the same change id again (a change and its inverse differ)."""
    base = load_document(folder / "base.yaml")
    revision = load_document(folder / "revision.yaml")
    forward = {c.id for c in diff_documents(base, revision, today=TODAY, check_version=False).changes}
    backward = {c.id for c in diff_documents(revision, base, today=TODAY, check_version=False).changes}
    assert forward
    symmetric = {i for i in forward if i.endswith(("-type-changed", "-format-changed", "-default-changed"))}
    assert not forward & backward - symmetric - {
        "path-parameter-renamed",
        "api-operation-id-changed",
        "security-scheme-changed",
        "channel-address-changed",
        "channel-binding-changed",
        "async-operation-action-changed",
        "message-content-type-changed",
        "request-parameter-location-changed",
        "request-parameter-style-changed",
        "request-parameter-explode-changed",
        "api-server-removed",
    }
