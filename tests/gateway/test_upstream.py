"""Upstream calls through both client implementations (the built-in HTTP/1.1 client and aiohttp)
against a real local upstream: streaming, hop-by-hop headers, timeouts, retries of idempotent
methods only, and the circuit breaker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from accord_gateway import config_from_dict, create_app
from accord_gateway.upstream import AiohttpClient, CircuitBreaker, Http1Client
from aiohttp import web

from .conftest import FULL_KEY, FakeUpstream, HarnessFactory, base_config, free_port

pytestmark = pytest.mark.anyio
AUTH = {"x-api-key": FULL_KEY}
CHUNK = b"0123456789abcdef" * 4096  # 64 KiB


class RealUpstream:
    def __init__(self) -> None:
        self.port = free_port()
        self.hits: dict[str, int] = {}
        self.seen_headers: dict[str, str] = {}
        self.runner: web.AppRunner | None = None

    async def start(self) -> RealUpstream:
        async def stream(request: web.Request) -> web.StreamResponse:
            self._hit(request)
            response = web.StreamResponse(
                headers={"content-type": "application/octet-stream", "x-upstream": "1"}
            )
            response.enable_chunked_encoding()
            await response.prepare(request)
            for _ in range(80):  # 5 MiB
                await response.write(CHUNK)
            await response.write_eof()
            return response

        async def public(request: web.Request) -> web.Response:
            self._hit(request)
            return web.json_response(
                {"hello": "world"},
                headers={"connection": "close, x-private", "x-private": "1", "keep-alive": "5"},
            )

        async def slow(request: web.Request) -> web.Response:
            self._hit(request)
            await asyncio.sleep(1.0)
            return web.json_response({})

        async def echo(request: web.Request) -> web.Response:
            self._hit(request)
            body = await request.read()
            return web.Response(status=204, headers={"x-received": str(len(body))})

        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/v1/stream", stream)
        app.router.add_get("/v1/public", public)
        app.router.add_get("/v1/orders", slow)
        app.router.add_put("/v1/orders/{orderId}/documents", echo)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    def _hit(self, request: web.Request) -> None:
        self.hits[request.path] = self.hits.get(request.path, 0) + 1
        self.seen_headers = {k.lower(): v for k, v in request.headers.items()}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@pytest.fixture
async def real_upstream() -> AsyncIterator[RealUpstream]:
    server = await RealUpstream().start()
    yield server
    await server.stop()


@pytest.fixture(params=["builtin", "aiohttp"])
def client_kind(request: pytest.FixtureRequest) -> str:
    """Every forwarding test runs with both upstream client implementations."""
    kind: str = request.param
    return kind


def real_gateway(url: str, client: str, **overrides: Any) -> Any:
    upstream = {**overrides.pop("upstream", {}), "client": client}
    config = config_from_dict(
        base_config(None, upstreams={"shop": {"url": url}}, upstream=upstream, **overrides)
    )
    app = create_app(config, access_log=lambda _: None)
    expected = Http1Client if client == "builtin" else AiohttpClient
    assert isinstance(app.state.upstreams["shop"].client, expected)
    return app


async def _client(app: Any) -> Any:
    import httpx

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test")


async def test_large_body_streams_through(real_upstream: RealUpstream, client_kind: str) -> None:
    app = real_gateway(real_upstream.url, client_kind)
    async with await _client(app) as client:
        response = await client.get("/v1/stream")
    await app.close()
    assert response.status_code == 200
    assert len(response.content) == 80 * len(CHUNK) and response.content[: len(CHUNK)] == CHUNK
    assert response.headers["x-upstream"] == "1"
    assert "transfer-encoding" not in response.headers  # hop-by-hop: the ASGI server frames the body


async def test_request_body_streams_to_the_upstream(real_upstream: RealUpstream, client_kind: str) -> None:
    app = real_gateway(real_upstream.url, client_kind)

    async def body() -> AsyncIterator[bytes]:
        for _ in range(8):
            yield CHUNK

    async with await _client(app) as client:
        response = await client.put(
            "/v1/orders/ORD-1/documents",
            headers={**AUTH, "content-type": "application/octet-stream"},
            content=body(),
        )
    await app.close()
    assert response.status_code == 204 and response.headers["x-received"] == str(8 * len(CHUNK))


async def test_response_hop_by_hop_headers_are_stripped(
    real_upstream: RealUpstream, client_kind: str
) -> None:
    app = real_gateway(real_upstream.url, client_kind)
    async with await _client(app) as client:
        response = await client.get("/v1/public")
    await app.close()
    assert response.json() == {"hello": "world"}
    for hop in ("connection", "keep-alive", "x-private"):
        assert hop not in response.headers
    assert real_upstream.seen_headers["traceparent"].startswith("00-")
    assert real_upstream.seen_headers["user-agent"].startswith("python-httpx")  # the client's, not aiohttp's


async def test_timeout_is_504_and_get_is_retried(real_upstream: RealUpstream, client_kind: str) -> None:
    app = real_gateway(
        real_upstream.url, client_kind, upstream={"timeout": 0.2, "retries": 1, "retryBackoff": 0.01}
    )
    async with await _client(app) as client:
        started = time.perf_counter()
        response = await client.get("/v1/orders", headers=AUTH)
        elapsed = time.perf_counter() - started
    await app.close()
    assert response.status_code == 504 and response.json()["type"] == "/problems/upstream-timeout"
    assert real_upstream.hits["/v1/orders"] == 2  # one retry for an idempotent GET
    assert elapsed < 0.9


async def test_unreachable_upstream_is_502_and_post_is_not_retried(
    upstream: FakeUpstream, client_kind: str
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    app = real_gateway(
        closed, client_kind, upstream={"retries": 2, "retryBackoff": 0.01, "breaker": {"failures": 50}}
    )
    order = {
        "customerId": "C",
        "lines": [{"sku": "A", "quantity": 1, "price": {"amount": "1", "currency": "USD"}}],
    }
    async with await _client(app) as client:
        get = await client.get("/v1/orders", headers=AUTH)
        post = await client.post("/v1/orders", headers={**AUTH, "idempotency-key": "k-12345678"}, json=order)
        metrics = (await client.get("/metrics")).text
    await app.close()
    assert get.status_code == post.status_code == 502
    # GET: 1 try + 2 retries; POST: 1 try
    assert 'accord_gateway_upstream_errors_total{kind="connect",upstream="shop"} 4.0' in metrics


def test_breaker_state_machine() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures=2, reset_after=10, clock=lambda: now[0])
    assert breaker.allow() == 0
    breaker.failure()
    assert breaker.state == "closed"
    breaker.failure()
    assert breaker.state == "open" and breaker.allow() == 10
    now[0] = 10.0
    assert breaker.allow() == 0 and breaker.state == "half_open"  # the probe
    assert breaker.allow() > 0  # only one probe at a time
    breaker.failure()
    assert breaker.state == "open" and breaker.allow() == 10
    now[0] = 20.0
    assert breaker.allow() == 0
    breaker.success()
    assert breaker.state == "closed" and breaker.allow() == 0


async def test_circuit_opens_answers_503_and_recovers(
    gateway: HarnessFactory, upstream: FakeUpstream
) -> None:
    upstream.status = 500
    failing = {"value": True}

    async def flaky(_: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        return (503 if failing["value"] else 200), [(b"content-type", b"application/json")], b"{}"

    upstream.routes["/v1/public"] = flaky
    h = gateway(upstream={"retries": 0, "breaker": {"failures": 3, "resetAfter": 0.3}})
    statuses = [(await h.client.get("/v1/public")).status_code for _ in range(3)]
    assert statuses == [503, 503, 503]  # the upstream's own answers
    assert len(upstream.calls) == 3
    opened = await h.client.get("/v1/public")
    assert opened.status_code == 503 and opened.json()["type"] == "/problems/upstream-unavailable"
    assert 1 <= int(opened.headers["retry-after"]) <= 1
    assert len(upstream.calls) == 3  # not called while open
    metrics = (await h.client.get("/metrics")).text
    assert 'accord_gateway_circuit_open{upstream="shop"} 1.0' in metrics
    await asyncio.sleep(0.35)
    probe = await h.client.get("/v1/public")  # half-open: one probe, still failing -> open again
    assert probe.status_code == 503 and len(upstream.calls) == 4
    assert (await h.client.get("/v1/public")).json()["type"] == "/problems/upstream-unavailable"
    failing["value"] = False
    await asyncio.sleep(0.35)
    assert (await h.client.get("/v1/public")).status_code == 200  # the probe succeeds: closed
    assert (await h.client.get("/v1/public")).status_code == 200
    assert len(upstream.calls) == 6
    metrics = (await h.client.get("/metrics")).text
    assert 'accord_gateway_circuit_open{upstream="shop"} 0.0' in metrics
