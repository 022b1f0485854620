"""Paths in reports: display paths (relative to the working directory) made relative to the project root."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.report import relative_path
from accord.report._common import artifact_uri


def test_relative_to_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "repo" / "contracts").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "repo" / "contracts")
    root = str(tmp_path / "repo")
    # Shown relative to the working directory, reported relative to the root.
    assert relative_path("orders/openapi.yaml", root) == "contracts/orders/openapi.yaml"
    assert relative_path(str(tmp_path / "repo" / "x.yaml"), root) == "x.yaml"
    # Outside the root: absolute, never "../".
    assert relative_path("../../elsewhere/a.yaml", root) == str(tmp_path / "elsewhere" / "a.yaml")
    assert relative_path("orders/openapi.yaml", None) == "orders/openapi.yaml"


def test_artifact_uris(tmp_path: Path) -> None:
    root = str(tmp_path)
    assert artifact_uri(str(tmp_path / "a b" / "c#1.yaml"), root) == ("a%20b/c%231.yaml", True)
    assert artifact_uri("/srv/x y.yaml", root) == ("file:///srv/x%20y.yaml", False)
