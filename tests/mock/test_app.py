"""The ASGI mock app in-process (httpx.ASGITransport), plus one real server (accord.serve) for the reset fault."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from accord_cli.mockserver import MockApp, build_app

from accord.contracts import ContractSet
from accord.events import InMemoryBroker
from tests._serving import served as serve_in_thread


def _call(app: MockApp, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://mock"
        ) as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def test_serves_every_domain_by_default(corpus: ContractSet) -> None:
    app = build_app(corpus)
    domains = {op.domain for op in app.responder.plan.operations}
    assert domains == set(corpus.config.domains)
    assert _call(app, "GET", "/v1/items").status_code == 200


def test_domain_selection(corpus: ContractSet) -> None:
    app = build_app(corpus, ["items"])
    assert {op.domain for op in app.responder.plan.operations} == {"items"}
    assert _call(app, "GET", "/v1/orders").status_code == 404


def test_latency_is_added(widgets: ContractSet) -> None:
    app = build_app(widgets, latency_ms=120)
    started = time.perf_counter()
    assert _call(app, "GET", "/v1/widgets").status_code == 200
    assert time.perf_counter() - started >= 0.12


def test_error_rate_answers_503_with_retry_after(widgets: ContractSet) -> None:
    app = build_app(widgets, error_rate=1.0)
    answer = _call(app, "GET", "/v1/widgets")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "1"
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 503


def test_timeout_fault_answers_504_after_the_fault_timeout(widgets: ContractSet) -> None:
    app = build_app(widgets, fault_timeout=0.1)
    started = time.perf_counter()
    answer = _call(app, "GET", "/v1/widgets", headers={"Prefer": "fault=timeout"})
    assert answer.status_code == 504 and time.perf_counter() - started >= 0.1


def test_control_endpoints(widgets: ContractSet) -> None:
    app = build_app(widgets, stateful=True)
    assert _call(app, "GET", "/_mock/health").json() == {"status": "ok"}
    assert _call(app, "POST", "/_mock/reset").status_code == 200
    assert _call(app, "GET", "/_mock/events").status_code == 404  # not started with --events
    assert _call(app, "GET", "/_mock/nothing").status_code == 404


def test_events_on_demand_through_the_memory_broker(widgets: ContractSet) -> None:
    broker = InMemoryBroker()
    app = build_app(widgets, events=True, transport=broker)
    listed = _call(app, "GET", "/_mock/events").json()
    assert listed["operations"] == [
        {
            "operationId": "publishWidgetCreated",
            "address": "widgets.widget.created.v1",
            "examples": ["sprocket"],
        }
    ]
    sent = _call(app, "POST", "/_mock/events/publishWidgetCreated", params={"example": "sprocket"})
    assert sent.status_code == 202
    event = sent.json()["event"]
    assert event["type"] == "com.example.widgets.widget.created.v1"
    assert event["id"] != "3f2c1d0e-0000-4000-8000-000000000001"  # a fresh id: consumers must not drop it
    assert [(a, orjson.loads(b)["id"]) for a, b in broker.published] == [
        ("widgets.widget.created.v1", event["id"])
    ]
    assert _call(app, "POST", "/_mock/events/nope").status_code == 404
    assert (
        _call(app, "POST", "/_mock/events/publishWidgetCreated", params={"example": "nope"}).status_code
        == 404
    )


def test_scheduled_events(widgets: ContractSet) -> None:
    broker = InMemoryBroker()
    app = build_app(widgets, events=True, transport=broker, event_interval=0.05)

    async def run() -> None:
        messages = iter([{"type": "lifespan.startup"}])
        sent: list[dict[str, Any]] = []
        stop = asyncio.Event()

        async def receive() -> dict[str, Any]:
            try:
                return next(messages)
            except StopIteration:
                await stop.wait()
                return {"type": "lifespan.shutdown"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        task = asyncio.create_task(app({"type": "lifespan"}, receive, send))
        await asyncio.sleep(0.3)
        stop.set()
        await task
        assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]

    asyncio.run(run())
    assert len(broker.published) >= 2


@pytest.fixture
def served(widgets: ContractSet) -> Iterator[str]:
    with serve_in_thread(build_app(widgets)) as url:
        yield url


def test_reset_fault_breaks_the_connection(served: str) -> None:
    with httpx.Client(base_url=served, timeout=5) as client:
        assert client.get("/v1/widgets").status_code == 200
        with pytest.raises(httpx.TransportError):
            client.get("/v1/widgets", headers={"Prefer": "fault=reset"})
