"""Idempotency keys: replay, 422 on reuse, 409 / wait for concurrent duplicates, exactly-once upstream."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from accord_gateway.idempotency_store import MemoryIdempotencyStore, Pending, Stored

from .conftest import FULL_KEY, FakeUpstream, HarnessFactory, free_port

pytestmark = pytest.mark.anyio
ORDER = {
    "customerId": "C-1",
    "lines": [{"sku": "A", "quantity": 1, "price": {"amount": "9.50", "currency": "USD"}}],
}


def headers(key: str, api_key: str = FULL_KEY) -> dict[str, str]:
    return {"x-api-key": api_key, "idempotency-key": key}


def slow_create(upstream: FakeUpstream, delay: float = 0.1, status: int = 201) -> None:
    async def create(call: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        await asyncio.sleep(delay)
        n = len(upstream.calls)
        body = orjson.dumps({"orderId": f"ORD-{n:04d}", "status": "open"})
        return (
            status,
            [(b"content-type", b"application/json"), (b"location", f"/v1/orders/ORD-{n:04d}".encode())],
            body,
        )

    upstream.routes["/v1/orders"] = create


def settings(backend: str, prefix: str | None) -> dict[str, Any]:
    config: dict[str, Any] = {"idempotency": {"backend": backend}}
    if prefix is not None:
        config["redis"] = {"prefix": prefix}
    return config


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> tuple[str, str | None]:
    if request.param == "redis":
        prefix: str = request.getfixturevalue("redis_prefix")
        return "redis", prefix
    return "memory", None


async def test_retry_replays_the_first_response(
    gateway: HarnessFactory, upstream: FakeUpstream, backend: tuple[str, str | None]
) -> None:
    slow_create(upstream, 0)
    h = gateway(**settings(*backend))
    first = await h.client.post("/v1/orders", headers=headers("order-key-1"), json=ORDER)
    again = await h.client.post("/v1/orders", headers=headers("order-key-1"), json=ORDER)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert len(upstream.calls) == 1
    assert h.last_log()["decisions"]["idempotency"] == "replayed"


async def test_same_key_other_payload_is_422(
    gateway: HarnessFactory, upstream: FakeUpstream, backend: tuple[str, str | None]
) -> None:
    slow_create(upstream, 0)
    h = gateway(**settings(*backend))
    await h.client.post("/v1/orders", headers=headers("order-key-2"), json=ORDER)
    other = await h.client.post(
        "/v1/orders", headers=headers("order-key-2"), json={**ORDER, "note": "changed"}
    )
    assert other.status_code == 422 and other.json()["type"] == "/problems/idempotency-key-reused"
    assert len(upstream.calls) == 1


async def test_fifty_concurrent_duplicates_reach_the_upstream_once(
    gateway: HarnessFactory, upstream: FakeUpstream, backend: tuple[str, str | None]
) -> None:
    slow_create(upstream, 0.2)
    h = gateway(**settings(*backend))
    responses = await asyncio.gather(
        *(h.client.post("/v1/orders", headers=headers("order-key-50"), json=ORDER) for _ in range(50))
    )
    assert len(upstream.calls) == 1
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert sum(1 for r in responses if r.headers.get("idempotent-replayed") == "true") == 49


async def test_concurrent_duplicate_without_waiting_is_409(
    gateway: HarnessFactory, upstream: FakeUpstream, backend: tuple[str, str | None]
) -> None:
    slow_create(upstream, 0.2)
    config = settings(*backend)
    config["idempotency"]["wait"] = 0
    h = gateway(**config)
    first = asyncio.ensure_future(h.client.post("/v1/orders", headers=headers("order-key-3"), json=ORDER))
    await asyncio.sleep(0.05)
    second = await h.client.post("/v1/orders", headers=headers("order-key-3"), json=ORDER)
    assert second.status_code == 409 and second.headers["retry-after"] == "1"
    assert (await first).status_code == 201
    assert len(upstream.calls) == 1


async def test_upstream_failure_releases_the_key(
    gateway: HarnessFactory, upstream: FakeUpstream, backend: tuple[str, str | None]
) -> None:
    slow_create(upstream, 0, status=503)
    h = gateway(**settings(*backend))
    failed = await h.client.post("/v1/orders", headers=headers("order-key-4"), json=ORDER)
    assert failed.status_code == 503
    slow_create(upstream, 0)
    retried = await h.client.post("/v1/orders", headers=headers("order-key-4"), json=ORDER)
    assert retried.status_code == 201 and "idempotent-replayed" not in retried.headers
    assert len(upstream.calls) == 2


async def test_keys_are_per_client(
    gateway: HarnessFactory, upstream: FakeUpstream, backend: tuple[str, str | None], make_token: Any
) -> None:
    slow_create(upstream, 0)
    h = gateway(**settings(*backend))
    await h.client.post("/v1/orders", headers=headers("shared-key-1"), json=ORDER)
    token = make_token(scope="shop:write")
    other = await h.client.post(
        "/v1/orders",
        headers={"authorization": f"Bearer {token}", "idempotency-key": "shared-key-1"},
        json=ORDER,
    )
    assert other.status_code == 201 and "idempotent-replayed" not in other.headers
    assert len(upstream.calls) == 2


async def test_store_unreachable_is_503(
    gateway: HarnessFactory, upstream: FakeUpstream, redis_prefix: str
) -> None:
    slow_create(upstream, 0)
    h = gateway(idempotency={"backend": "redis"}, redis={"prefix": redis_prefix, "reconnectInterval": 0.05})
    assert h.app.state.redis is not None
    h.app.state.redis.set_address("127.0.0.1", free_port())
    response = await h.client.post("/v1/orders", headers=headers("order-key-5"), json=ORDER)
    assert response.status_code == 503 and response.json()["type"] == "/problems/idempotency-unavailable"
    assert upstream.calls == []
    h.app.state.redis.set_address("127.0.0.1", 6379)
    await asyncio.sleep(0.06)
    assert (await h.client.post("/v1/orders", headers=headers("order-key-5"), json=ORDER)).status_code == 201


async def test_memory_store_expires_and_encodes() -> None:
    store = MemoryIdempotencyStore()
    assert await store.begin("k", "fp", lock_ttl=0.05) is None
    assert await store.begin("k", "fp", lock_ttl=0.05) == Pending("fp")
    await asyncio.sleep(0.06)
    assert await store.get("k") is None  # the lock expired
    stored = Stored("fp", 201, [(b"location", b"/x")], b"\x00binary\nbody")
    assert Stored.decode(stored.encode()) == stored
