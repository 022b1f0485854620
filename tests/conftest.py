"""Shared fixtures. Services: in CI (CI=true) a missing Redis/RabbitMQ is a failure, never a skip."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Fail (in CI) or skip (elsewhere) when a real service the test needs is not listening."""
    if _reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: service-backed tests must not be skipped)")
    pytest.skip(message)


@pytest.fixture
def redis_url() -> str:
    require_service("Redis", "127.0.0.1", 6379)
    return os.environ.get("ACCORD_TEST_REDIS", "redis://127.0.0.1:6379/15")


@pytest.fixture
def amqp_url() -> str:
    require_service("RabbitMQ", "127.0.0.1", 5672)
    return os.environ.get("ACCORD_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672/")


@pytest.fixture
def contracts_dir() -> Path:
    return CONTRACTS
