"""Fixtures for the event tests: per-test broker names and Redis prefixes, deleted afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from tests.events._support import BrokerNames, delete_topology


@pytest.fixture
def names(amqp_url: str) -> Iterator[BrokerNames]:
    fresh = BrokerNames.fresh()
    yield fresh
    asyncio.run(delete_topology(amqp_url, fresh))


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    from redis import Redis

    prefix = f"accord:test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
