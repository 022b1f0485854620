"""The pieces the request hot path was made cheaper with, each held to the behaviour it replaces:
the body deadline (``asyncio.timeout`` semantics), lock-free request metrics (Prometheus text as
``prometheus_client`` writes it), trace ids from a buffered OS generator, response heads written
with their bodies (one write per response), the heap frozen once the server runs, and Redis commands of one loop iteration
written together."""

from __future__ import annotations

import asyncio
import gc
import re
from typing import Any

import pytest
from accord_gateway.exchange import BodyTimeout, Exchange
from accord_gateway.metrics import Metrics
from accord_gateway.middleware.trace import TraceMiddleware
from accord_gateway.resp import RespClient
from accord_gateway.server import freeze_heap, on_started, server_limits
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from accord.serve import Server
from accord.serve.connection import Connection

from .conftest import FULL_KEY, HarnessFactory

pytestmark = pytest.mark.anyio
SCOPE: dict[str, Any] = {
    "type": "http",
    "method": "POST",
    "path": "/v1/orders",
    "raw_path": b"/v1/orders",
    "query_string": b"",
    "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")],
    "client": ("127.0.0.1", 5000),
}


# -- the body deadline -------------------------------------------------------------------------------
async def test_a_body_that_does_not_arrive_in_time_is_a_body_timeout() -> None:
    async def never() -> dict[str, Any]:
        await asyncio.sleep(10)
        raise AssertionError("unreachable")

    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(BodyTimeout):
        await Exchange(dict(SCOPE), never).read_body(1024, 0.1)
    assert 0.05 < loop.time() - started < 2
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]  # nothing left pending

    async def chunks() -> Any:
        async for _ in Exchange(dict(SCOPE), never).stream_body(1024, 0.1):
            pass

    with pytest.raises(BodyTimeout):
        await chunks()


async def test_a_body_in_time_passes_and_leaves_no_timer_behind() -> None:
    messages = iter(
        [{"type": "http.request", "body": b"{", "more_body": True}, {"type": "http.request", "body": b"}"}]
    )

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(0.01)
        return next(messages)

    ex = Exchange(dict(SCOPE), receive)
    assert await ex.read_body(1024, 0.5) == b"{}" and ex.body_consumed
    await asyncio.sleep(0.6)  # the disarmed deadline must not cancel this task later
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


async def test_a_cancellation_from_elsewhere_stays_a_cancellation() -> None:
    started = asyncio.Event()

    async def receive() -> dict[str, Any]:
        started.set()
        await asyncio.sleep(10)
        raise AssertionError("unreachable")

    task = asyncio.ensure_future(Exchange(dict(SCOPE), receive).read_body(1024, 5.0))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task  # not a BodyTimeout: the deadline did not cause it


# -- metrics -----------------------------------------------------------------------------------------
def test_request_metrics_read_like_prometheus_client_histograms() -> None:
    metrics = Metrics()
    reference_registry = CollectorRegistry(auto_describe=False)
    reference = Histogram(
        "accord_gateway_request_duration_seconds",
        "x",
        ["route", "method", "status"],
        buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
        registry=reference_registry,
    )
    for seconds in (0.0001, 0.0005, 0.003, 0.005, 0.2, 7.0, 12.0):
        metrics.observe("/v1/orders", "GET", 200, seconds)
        reference.labels("/v1/orders", "GET", "200").observe(seconds)
    ours = metrics.exposition().decode()
    theirs = generate_latest(reference_registry).decode()
    samples = [
        line for line in theirs.splitlines() if line.startswith("accord_gateway_request_duration_seconds_")
    ]
    samples = [line for line in samples if "_created" not in line]
    assert samples and all(line in ours for line in samples)
    assert 'accord_gateway_requests_total{method="GET",route="/v1/orders",status="200"} 7.0' in ours


def test_request_metric_labels_stay_bounded() -> None:
    metrics = Metrics()
    for method in ("BREW", "PURGE", "GET"):
        for status in (200, 999, 42):
            metrics.observe("unmatched", method, status, 0.001)
    series = [
        line
        for line in metrics.exposition().decode().splitlines()
        if line.startswith("accord_gateway_requests_total{")
    ]
    assert sorted(series) == [
        'accord_gateway_requests_total{method="GET",route="unmatched",status="200"} 1.0',
        'accord_gateway_requests_total{method="GET",route="unmatched",status="other"} 2.0',
        'accord_gateway_requests_total{method="OTHER",route="unmatched",status="200"} 2.0',
        'accord_gateway_requests_total{method="OTHER",route="unmatched",status="other"} 4.0',
    ]
    assert len(metrics._cells) == 1  # only the bounded key (known method, real status) is memoised


# -- trace ids ----------------------------------------------------------------------------------------------
async def test_new_trace_ids_are_random_and_distinct_across_buffer_refills() -> None:
    seen: set[str] = set()

    async def record(ex: Exchange) -> Any:
        assert len(ex.trace_id) == 32 and len(ex.span_id) == 16
        assert int(ex.trace_id, 16) and int(ex.span_id, 16)
        seen.add(ex.trace_id)
        seen.add(ex.span_id)
        return None

    trace = TraceMiddleware(record)
    for _ in range(1000):  # 24 bytes each: several refills of the 4 KiB buffer
        await trace(Exchange(dict(SCOPE), _no_body))
    assert len(seen) == 2000


async def _no_body() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


# -- one write per response, through the real server --------------------------------------------------------------
async def test_each_response_is_one_write_through_a_real_server(
    gateway: HarnessFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[bytes] = []
    real_write = Connection.write

    def spy(self: Connection, data: bytes) -> None:
        writes.append(data)
        real_write(self, data)

    monkeypatch.setattr(Connection, "write", spy)
    h = gateway()
    server = Server(h.app, "127.0.0.1", 0, server_limits(h.app))
    await server.start()
    try:
        async with asyncio.timeout(10):
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            for path in ("/v1/orders", "/v1/unknown"):
                writer.write(f"GET {path} HTTP/1.1\r\nhost: x\r\nx-api-key: {FULL_KEY}\r\n\r\n".encode())
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"content-length: (\d+)", head.lower()).group(1))  # type: ignore[union-attr]
                await reader.readexactly(length)
            writer.close()
    finally:
        await server.shutdown()
    statuses = [write.split(b" ", 2)[1] for write in writes]
    assert statuses == [b"200", b"404"]  # two responses, two writes: each head went with its body


async def test_the_server_cap_on_heads_stays_above_the_gateways_own_header_limit(
    gateway: HarnessFactory,
) -> None:
    h = gateway()
    assert server_limits(h.app).max_head_bytes >= 4 * h.app.config.limits.max_header_bytes


# -- the heap frozen once serving ------------------------------------------------------------------------------------
def test_the_heap_is_frozen_once_the_server_has_started() -> None:
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        on_started(None)  # type: ignore[arg-type]
        assert gc.get_freeze_count() > 0
        freeze_heap()  # again (after a reload): what was frozen becomes collectable first
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


# -- Redis commands written together ------------------------------------------------------------------------------------
async def test_commands_of_one_iteration_share_one_write(redis_prefix: str) -> None:
    client = RespClient(timeout=2.0)
    try:
        assert await client.ping()
        protocol = client._protocol
        assert protocol is not None and protocol.transport is not None
        writes: list[bytes] = []
        real_write = protocol.transport.write
        protocol.transport.write = lambda data: (writes.append(data), real_write(data))[1]  # type: ignore[method-assign]
        keys = [f"{redis_prefix}k{i}" for i in range(5)]
        await asyncio.gather(*(client.call("SET", key, str(i)) for i, key in enumerate(keys)))
        values = await asyncio.gather(*(client.call("GET", key) for key in keys))
        assert values == [str(i).encode() for i in range(5)]  # replies matched in order
        assert len(writes) == 2  # five SETs in one write, five GETs in another
        await client.call("DEL", *keys)
    finally:
        await client.close()
