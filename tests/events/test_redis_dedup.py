"""RedisDedupStore against a real Redis: SET NX with TTL, and the effect + mark transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from redis.asyncio import Redis

from accord.events.dedup import AlreadyProcessed, RedisDedupStore

pytestmark = pytest.mark.redis
T = TypeVar("T")
KEY = ("/distribution/orders", "evt-1")


def run(redis_url: str, scenario: Callable[[Redis], Awaitable[T]]) -> T:
    async def main() -> T:
        client = Redis.from_url(redis_url)
        try:
            return await scenario(client)
        finally:
            await client.aclose()

    return asyncio.run(main())


def test_mark_is_set_nx_with_a_ttl(redis_url: str, redis_prefix: str) -> None:
    async def scenario(client: Redis) -> tuple[Any, ...]:
        store = RedisDedupStore(client, prefix=redis_prefix, ttl=60)
        before = await store.is_processed(KEY)
        first, second = await store.mark_processed(KEY), await store.mark_processed(KEY)
        ttl = await client.pttl(store.key_name(KEY))
        return before, first, second, await store.is_processed(KEY), ttl

    before, first, second, after, ttl = run(redis_url, scenario)
    assert (before, first, second, after) == (False, True, False, True)
    assert 59_000 < ttl <= 60_000


def test_keys_are_unambiguous_and_expire(redis_url: str, redis_prefix: str) -> None:
    async def scenario(client: Redis) -> tuple[Any, ...]:
        store = RedisDedupStore(client, prefix=redis_prefix, ttl=0.05)
        await store.mark_processed(("a:b", "c"))
        clash = await store.is_processed(("a", "b:c"))
        await asyncio.sleep(0.12)
        return store.key_name(("a:b", "c")), clash, await store.is_processed(("a:b", "c"))

    name, clash, after_ttl = run(redis_url, scenario)
    assert name == f'{redis_prefix}["a:b","c"]'
    assert clash is False and after_ttl is False


def test_ttl_must_be_positive(redis_url: str) -> None:
    with pytest.raises(ValueError, match="ttl must be positive"):
        RedisDedupStore(Redis.from_url(redis_url), ttl=0)


def test_atomically_applies_the_effect_and_the_mark_together(redis_url: str, redis_prefix: str) -> None:
    async def scenario(client: Redis) -> tuple[Any, ...]:
        store = RedisDedupStore(client, prefix=redis_prefix, ttl=60)
        async with store.atomically(KEY) as tx:
            tx.hincrby(f"{redis_prefix}effects", "evt-1", 1)
        try:
            async with store.atomically(KEY) as tx:
                tx.hincrby(f"{redis_prefix}effects", "evt-1", 1)
        except AlreadyProcessed as exc:
            repeated = str(exc)
        return await client.hgetall(f"{redis_prefix}effects"), await store.is_processed(KEY), repeated

    effects, marked, repeated = run(redis_url, scenario)
    assert effects == {b"evt-1": b"1"} and marked is True
    assert repeated == "event 'evt-1' from '/distribution/orders' was already processed"


def test_a_concurrent_mark_aborts_the_whole_transaction(redis_url: str, redis_prefix: str) -> None:
    async def scenario(client: Redis) -> tuple[Any, ...]:
        store = RedisDedupStore(client, prefix=redis_prefix, ttl=60)
        other = Redis.from_url(redis_url)
        try:
            with pytest.raises(AlreadyProcessed):
                async with store.atomically(KEY) as tx:
                    tx.hincrby(f"{redis_prefix}effects", "evt-1", 1)
                    # another consumer commits the same event between WATCH and EXEC
                    await RedisDedupStore(other, prefix=redis_prefix).mark_processed(KEY)
        finally:
            await other.aclose()
        return await client.hgetall(f"{redis_prefix}effects"), await store.is_processed(KEY)

    effects, marked = run(redis_url, scenario)
    assert effects == {} and marked is True


def test_a_failing_block_applies_nothing(redis_url: str, redis_prefix: str) -> None:
    async def scenario(client: Redis) -> tuple[Any, ...]:
        store = RedisDedupStore(client, prefix=redis_prefix, ttl=60)
        with pytest.raises(RuntimeError, match="price service down"):
            async with store.atomically(KEY) as tx:
                tx.hincrby(f"{redis_prefix}effects", "evt-1", 1)
                raise RuntimeError("price service down")
        return await client.hgetall(f"{redis_prefix}effects"), await store.is_processed(KEY)

    assert run(redis_url, scenario) == ({}, False)
