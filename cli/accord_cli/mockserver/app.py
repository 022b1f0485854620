"""The mock server: a raw ASGI application over a compiled :class:`~accord.mock.MockPlan`.

Per request it reads the body, applies the injected latency and faults, and hands a
:class:`~accord.mock.MockRequest` to the engine's :class:`~accord.mock.Responder`; responses are
bytes prepared at start-up. Control endpoints live under ``/_mock/``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import orjson

from accord.events import rfc3339
from accord.mock import Answer, MockRequest, Responder
from accord_cli.mockserver.events import EventPublisher, UnknownEvent

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CONTROL = "/_mock/"
_JSON = [(b"content-type", b"application/json")]


def now_rfc3339() -> str:
    return rfc3339(datetime.now(UTC).replace(microsecond=0))


class MockApp:
    """ASGI 3 application serving a :class:`Responder`."""

    def __init__(
        self,
        responder: Responder,
        *,
        latency_ms: float = 0.0,
        error_rate: float = 0.0,
        fault_timeout: float = 30.0,
        events: EventPublisher | None = None,
        event_interval: float | None = None,
        seed: int | None = None,
    ) -> None:
        self.responder = responder
        self.latency = latency_ms / 1000.0
        self.error_rate = error_rate
        self.fault_timeout = fault_timeout
        self.events = events
        self.event_interval = event_interval
        self.random = random.Random(seed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.events is not None:
                    try:
                        await self.events.open()
                    except Exception as exc:  # reported by the server, which then exits
                        await send({"type": "lifespan.startup.failed", "message": f"event broker: {exc}"})
                        return
                    if self.event_interval:
                        self.events.start(self.event_interval)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.events is not None:
                    await self.events.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        body = b""
        if method in ("POST", "PUT", "PATCH", "DELETE") or "content-length" in headers:
            body = await _read_body(receive)
        if path.startswith(CONTROL):
            await self._control(method, path, scope.get("query_string", b"").decode("latin-1"), send)
            return
        if self.latency:
            await asyncio.sleep(self.latency)
        request = MockRequest(method, path, scope.get("query_string", b"").decode("latin-1"), headers, body)
        if self.error_rate and self.random.random() < self.error_rate:
            op, _, _ = self.responder.plan.match(method, path)
            answer = self.responder.unavailable(op, request, "Fault injected by --error-rate")
        else:
            answer = self.responder.handle(request, now_rfc3339() if self.responder.stateful else "")
        if answer.fault == "timeout":
            await asyncio.sleep(self.fault_timeout)
            answer = self.responder.problem(
                None, 504, "Gateway timeout", "Fault injected by Prefer: fault=timeout", request
            )
        elif answer.fault == "reset":
            await _reset(send)
            return
        await _send(send, answer)

    async def _control(self, method: str, path: str, query: str, send: Send) -> None:
        rest = path[len(CONTROL) :]
        if rest == "health" and method == "GET":
            await _send_json(send, 200, {"status": "ok"})
        elif rest == "reset" and method == "POST":
            self.responder.stores.clear()
            await _send_json(send, 200, {"status": "reset"})
        elif rest == "events" and method == "GET":
            if self.events is None:
                await _send_json(send, 404, {"title": "events are not mocked (start with --events)"})
                return
            listed = [
                {"operationId": m.operation_id, "address": m.address, "examples": list(m.examples)}
                for m in self.events.mocks.values()
            ]
            await _send_json(send, 200, {"operations": listed, "recent": list(self.events.recent)})
        elif rest.startswith("events/") and method == "POST":
            if self.events is None:
                await _send_json(send, 404, {"title": "events are not mocked (start with --events)"})
                return
            example = parse_qs(query).get("example", [None])[0]
            try:
                sent = await self.events.publish(rest[len("events/") :], example)
            except UnknownEvent as exc:
                await _send_json(send, 404, {"title": str(exc)})
                return
            await _send_json(send, 202, sent)
        else:
            await _send_json(send, 404, {"title": f"no control endpoint {method} {path}"})


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _send(send: Send, answer: Answer) -> None:
    headers = answer.raw_headers
    if headers is None:
        headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers
        ]
        headers.append((b"content-length", str(len(answer.body)).encode()))
        answer.raw_headers = headers  # answers of examples are shared: encode them once
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


async def _send_json(send: Send, status: int, value: Any) -> None:
    body = orjson.dumps(value)
    headers = [*_JSON, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _reset(send: Send) -> None:
    """Start a response and break it off: the server closes the connection mid-body."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"1024")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"partial":', "more_body": False})
