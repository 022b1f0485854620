"""`accord test` against Accord's own mock of a domain: the mock honours the contract it serves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from accord_cli.main import cli
from accord_cli.mockserver.build import build_app
from click.testing import CliRunner

from accord.contracts import load_contract_set
from tests._serving import served

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    app = build_app(load_contract_set([ROOT / "contracts"]), ["items"], stateful=False, seed=3)
    with served(app) as url:
        yield url


def test_the_items_mock_passes_its_contract_tests(mock_url: str, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    args = ["test", "items", "--base-url", mock_url, "--contracts", str(ROOT / "contracts")]
    args += ["--max-examples", "5", "--seed", "2", "--phases", "examples,fuzzing"]
    args += ["--header", "X-API-Key: demo", "--json", str(report)]
    # Mocks answer without checking credentials (the gateway enforces auth in front of them).
    args += ["--exclude-check", "ignored_auth"]
    result = CliRunner().invoke(cli, args)
    summary = json.loads(report.read_text())
    assert summary["domains"][0]["testcases"] > 0
    assert result.exit_code == 0, result.output
    assert summary["passed"] is True
