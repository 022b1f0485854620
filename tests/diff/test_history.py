"""Replay the contract corpus's own git history: no commit broke a consumer without a major bump.

Every pair of consecutive commits that touched ``contracts/`` (once the nine domains were complete)
is compared with ``accord diff REV:contracts REV:contracts``, exactly as CI would gate a pull
request. The history includes refactors that must be invisible (``$ref`` restructuring, a
description moved under ``allOf``) and additive changes (documented 400 responses, v1.0.1).
"""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

import pytest
from accord_cli.main import cli
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = (
    "customers",
    "items",
    "pricing",
    "inventory",
    "orders",
    "fulfillment",
    "shipments",
    "invoices",
    "returns",
)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def _complete(rev: str) -> bool:
    listed = set(_git("ls-tree", "-r", "--name-only", rev, "contracts").split())
    return all(f"contracts/{d}/{k}.yaml" in listed for d in DOMAINS for k in ("openapi", "asyncapi"))


def _history() -> list[str]:
    try:
        revs = _git("log", "--format=%H", "--reverse", "--", "contracts").split()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return []
    return [rev for rev in revs if _complete(rev)]


HISTORY = _history()


def test_the_history_is_long_enough_to_mean_something() -> None:
    assert len(HISTORY) >= 3, "expected several commits of the complete corpus in git history"


@pytest.mark.parametrize("pair", list(itertools.pairwise(HISTORY)), ids=lambda p: f"{p[0][:7]}..{p[1][:7]}")
def test_no_commit_broke_a_consumer(pair: tuple[str, str]) -> None:
    base, revision = pair
    result = CliRunner().invoke(
        cli, ["diff", f"{base}:contracts", f"{revision}:contracts", "--format", "json", "--fail-on", "error"]
    )
    assert result.exit_code in (0, 1), result.output
    payload = json.loads(result.stdout)
    errors = [change for change in payload["changes"] if change["level"] == "error"]
    assert len(payload["documents"]) == 2 * len(DOMAINS)
    assert result.exit_code == 0, f"{base[:7]}..{revision[:7]} breaks consumers: {errors[:5]}"
