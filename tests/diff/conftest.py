"""Shared helpers of the diff tests: load a pair from YAML text and diff it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from accord.diff import DiffResult, diff_documents
from accord.loader import Document, load_document

TODAY = date(2025, 6, 1)
FIXTURES = Path(__file__).parents[1] / "fixtures" / "diff"


def write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


class Pair:
    """Writes base/revision documents into a temporary folder and diffs them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load(self, name: str, data: Any) -> Document:
        return load_document(write(self.folder, name, data))

    def diff(self, base: Any, revision: Any, **options: Any) -> DiffResult:
        options.setdefault("today", TODAY)
        options.setdefault("check_version", False)
        return diff_documents(self.load("base.yaml", base), self.load("revision.yaml", revision), **options)

    def ids(self, base: Any, revision: Any, **options: Any) -> dict[str, str]:
        """change id -> level name (error, warning, info) of every change."""
        from accord.diff.runner import level_name

        return {c.id: level_name(c.level) for c in self.diff(base, revision, **options).changes}


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return Pair(tmp_path)
