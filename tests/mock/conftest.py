"""Mock fixtures: the corpus loaded once, apps built per test (they are cheap)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.contracts import ContractSet, load_contract_set

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "golden" / "fixture" / "contracts"


@pytest.fixture(scope="session")
def corpus() -> ContractSet:
    return load_contract_set([ROOT / "contracts"])


@pytest.fixture(scope="session")
def widgets() -> ContractSet:
    return load_contract_set([FIXTURE])
