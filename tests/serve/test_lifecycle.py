"""accord.serve's life cycle: the ASGI lifespan around listening, a port that is taken, ``serve``
with a stop event, and the graceful shutdown (requests in flight finish, idle connections close,
new connections are refused)."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import pytest

from accord.errors import ServeError
from accord.serve import LifespanFailed, Limits, Server

from ._support import (
    TIMEOUT,
    Receive,
    Scope,
    Send,
    connect,
    free_port,
    http_app,
    read_body,
    respond,
    serving,
)

pytestmark = pytest.mark.anyio


async def refused(port: int) -> bool:
    try:
        async with asyncio.timeout(TIMEOUT):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError:
        return True
    writer.close()
    await writer.wait_closed()
    return False


# -- graceful shutdown ------------------------------------------------------------------------------------
async def test_shutdown_lets_the_request_in_flight_finish_refuses_new_ones_and_closes_idle_ones() -> None:
    in_flight = asyncio.Event()
    calls: list[str] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        calls.append(scope["path"])
        if scope["path"] == "/slow":
            in_flight.set()
            await asyncio.sleep(0.3)
        await respond(send, 200, b"done " + scope["path"].encode())

    loop = asyncio.get_running_loop()
    async with serving(http_app(handler)) as server, connect(server) as idle, connect(server) as busy:
        await idle.request("GET", "/first")
        assert (await idle.response()).body == b"done /first"
        # a request in flight, and one pipelined behind it
        await busy.send(b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /behind HTTP/1.1\r\nHost: t\r\n\r\n")
        async with asyncio.timeout(TIMEOUT):
            await in_flight.wait()
        started = loop.time()
        stopping = asyncio.ensure_future(server.shutdown())
        assert await idle.closed(timeout=1), "an idle connection is closed at once"
        assert await refused(server.port), "no new connection is accepted"
        response = await busy.response()
        assert (response.status, response.body) == (200, b"done /slow")
        assert await busy.closed(), "the connection closes after the request in flight"
        async with asyncio.timeout(TIMEOUT):
            await stopping
        assert loop.time() - started >= 0.25
        assert calls == ["/first", "/slow"], "the pipelined request is not started during shutdown"


async def test_the_response_in_flight_at_shutdown_announces_the_close() -> None:
    in_flight = asyncio.Event()

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        in_flight.set()
        await asyncio.sleep(0.1)
        await respond(send, 200, b"done")

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request()
        async with asyncio.timeout(TIMEOUT):
            await in_flight.wait()
        stopping = asyncio.ensure_future(server.shutdown())
        response = await client.response()
        async with asyncio.timeout(TIMEOUT):
            await stopping
        assert response.header(b"connection") == b"close"


async def test_shutdown_gives_up_on_a_request_after_the_graceful_timeout() -> None:
    messages: list[dict[str, Any]] = []
    in_flight = asyncio.Event()

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await read_body(receive)
        in_flight.set()
        messages.append(await receive())  # nothing else comes: waits until the connection goes

    loop = asyncio.get_running_loop()
    async with serving(http_app(handler), graceful_timeout=0.3) as server, connect(server) as client:
        await client.request()
        async with asyncio.timeout(TIMEOUT):
            await in_flight.wait()
        started = loop.time()
        async with asyncio.timeout(TIMEOUT):
            await server.shutdown()
        assert 0.25 <= loop.time() - started < 1.5
        assert await client.closed(timeout=1)
        await asyncio.sleep(0.01)
        assert messages == [{"type": "http.disconnect"}]


async def test_requests_still_running_at_the_graceful_timeout_are_cancelled() -> None:
    events: list[str] = []
    in_flight = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            events.append("lifespan shutdown")
            await send({"type": "lifespan.shutdown.complete"})
            return
        in_flight.set()
        try:
            await asyncio.sleep(0.4)
        except asyncio.CancelledError:
            events.append("request cancelled")
            raise
        events.append("request finished")

    async with serving(app, graceful_timeout=0.1) as server, connect(server) as client:
        await client.request()
        async with asyncio.timeout(TIMEOUT):
            await in_flight.wait()
        async with asyncio.timeout(TIMEOUT):
            await server.shutdown()
        await asyncio.sleep(0.5)
        assert events == ["request cancelled", "lifespan shutdown"]


async def test_shutdown_does_not_wait_for_a_body_nobody_reads() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await respond(send, 401, b"")

    loop = asyncio.get_running_loop()
    async with serving(http_app(handler), graceful_timeout=1.0) as server, connect(server) as client:
        await client.send(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n0123456789")
        assert (await client.response()).status == 401
        started = loop.time()
        async with asyncio.timeout(TIMEOUT):
            await server.shutdown()
        assert loop.time() - started < 0.5


async def test_serve_runs_until_the_stop_event() -> None:
    started: list[Server] = []
    stop = asyncio.Event()
    server = Server(http_app(lambda scope, receive, send: respond(send, 200, b"up")), "127.0.0.1", 0)

    def on_started(s: Server) -> None:
        started.append(s)

    task = asyncio.ensure_future(server.serve(stop, on_started))
    try:
        async with asyncio.timeout(TIMEOUT):
            while not started:
                await asyncio.sleep(0.01)
        assert started == [server] and server.port != 0
        async with connect(server) as client:
            await client.request()
            assert (await client.response()).body == b"up"
    finally:
        stop.set()
        async with asyncio.timeout(TIMEOUT):
            await task
    assert await refused(server.port)


# -- lifespan -------------------------------------------------------------------------------------------------
async def test_startup_completes_before_listening_and_shutdown_after_the_connections() -> None:
    events: list[str] = []
    scopes: list[Scope] = []
    port = free_port()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            scopes.append(scope)
            assert (await receive())["type"] == "lifespan.startup"
            events.append("startup")
            if await refused(port):
                events.append("not listening yet")
            await asyncio.sleep(0.05)
            await send({"type": "lifespan.startup.complete"})
            assert (await receive())["type"] == "lifespan.shutdown"
            await asyncio.sleep(0.05)  # shutdown waits for this
            events.append("shutdown")
            await send({"type": "lifespan.shutdown.complete"})
            return
        events.append("http")
        await respond(send, 200, b"ok")

    async with serving(app, port=port) as server, connect(server) as client:
        assert server.port == port
        await client.request()
        assert (await client.response()).body == b"ok"
    assert events == ["startup", "not listening yet", "http", "shutdown"]
    assert scopes[0]["type"] == "lifespan" and scopes[0]["asgi"]["version"] == "3.0"


async def test_a_startup_failure_raises_lifespan_failed_and_nothing_listens() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "lifespan"
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no database"})

    port = free_port()
    server = Server(app, "127.0.0.1", port, Limits(graceful_timeout=1.0))
    try:
        with pytest.raises(LifespanFailed, match="the application failed to start: no database") as info:
            async with asyncio.timeout(TIMEOUT):
                await server.start()
        assert isinstance(info.value, ServeError)
        assert await refused(port)
    finally:
        await server.shutdown()


async def test_an_app_that_raises_on_the_lifespan_scope_still_serves_http() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise RuntimeError("lifespan is not supported here")
        await respond(send, 200, b"served")

    async with serving(app) as server, connect(server) as client:
        await client.request()
        assert (await client.response()).body == b"served"


async def test_a_shutdown_failure_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.failed", "message": "flush failed"})

    with caplog.at_level(logging.ERROR, "accord.serve"):
        async with serving(app):
            pass
    assert "the application failed to shut down: flush failed" in caplog.text


async def test_the_lifespan_state_reaches_each_request() -> None:
    states: list[Any] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()
            scope["state"]["db"] = "connected"
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        states.append(scope.get("state"))
        await respond(send, 200, b"")

    async with serving(app) as server, connect(server) as client:
        await client.request()
        await client.response()
    assert states == [{"db": "connected"}]


# -- listening -----------------------------------------------------------------------------------------------------
async def test_a_port_in_use_is_a_serve_error_and_the_lifespan_is_shut_down() -> None:
    events: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "lifespan"
        while True:
            message = await receive()
            events.append(message["type"])
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = Server(app, "127.0.0.1", port)
        with pytest.raises(
            ServeError, match=rf"^cannot listen on 127\.0\.0\.1:{port}: (?i:address already in use)$"
        ):
            async with asyncio.timeout(TIMEOUT):
                await server.start()
    assert events == ["lifespan.startup", "lifespan.shutdown"]
