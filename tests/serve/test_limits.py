"""accord.serve against bad and slow clients: malformed and smuggling requests, head size limits,
unread bodies, timeouts and ``Upgrade``. A protocol error is a problem+json response and a close."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from ._support import (
    Receive,
    Scope,
    Send,
    connect,
    http_app,
    read_body,
    respond,
    serving,
)

pytestmark = pytest.mark.anyio


class Recorder:
    """An app that records each request it is called for and answers ``200 <path>``."""

    def __init__(self, read: bool = True) -> None:
        self.calls: list[str] = []
        self.read = read

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.calls.append(f"{scope['method']} {scope['path']}")
        body = await read_body(receive) if self.read else b""
        await respond(send, 200, scope["path"].encode() + body)


def assert_problem(data: bytes, status: int, title: str) -> dict[str, Any]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == f"HTTP/1.1 {status} {title}".encode()
    assert b"content-type: application/problem+json" in lines
    assert b"connection: close" in lines
    assert f"content-length: {len(body)}".encode() in lines
    assert any(line.startswith(b"date: ") for line in lines)
    problem: dict[str, Any] = json.loads(body)
    assert (problem["status"], problem["title"], problem["type"]) == (status, title, "about:blank")
    assert problem["detail"]
    return problem


# -- malformed requests ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "request_bytes",
    [
        pytest.param(b"HELLO\r\n\r\n", id="garbage"),
        pytest.param(b"GET / HTTP/9.9\r\nHost: t\r\n\r\n", id="bad-version"),
        pytest.param(b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", id="space-in-name"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n", id="bad-length"),
        pytest.param(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", id="tls-hello"),
    ],
)
async def test_a_malformed_request_is_a_400_problem_and_a_close(request_bytes: bytes) -> None:
    app = Recorder()
    async with serving(app) as server, connect(server) as client:
        await client.send(request_bytes)
        assert_problem(await client.rest(), 400, "Bad Request")
        assert app.calls == []


async def test_a_malformed_request_after_a_good_one_ends_the_connection_after_its_response() -> None:
    app = Recorder()
    async with serving(app) as server, connect(server) as client:
        await client.send(b"GET /ok HTTP/1.1\r\nHost: t\r\n\r\nHELLO THERE\r\n\r\n")
        response = await client.response()
        assert response.body == b"/ok"
        refusal = await client.response()  # the malformed one is answered after it, then the end
        assert refusal.status == 400 and refusal.header(b"connection") == b"close"
        assert await client.closed()
        assert app.calls == ["GET /ok"]


# -- request smuggling -------------------------------------------------------------------------------------
SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n"


async def test_content_length_with_chunked_is_refused_and_nothing_is_smuggled() -> None:
    app = Recorder()
    async with serving(app) as server, connect(server) as client:
        body = b"0\r\n\r\n" + SMUGGLED
        await client.send(
            b"POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n"
            % len(body)
            + body
        )
        assert_problem(await client.rest(), 400, "Bad Request")
        assert app.calls == []


@pytest.mark.parametrize(
    "request_bytes",
    [
        pytest.param(
            b"POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\n",
            id="two-lengths",
        ),
        pytest.param(
            b"POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, identity\r\n\r\n", id="te-not-last"
        ),
        pytest.param(
            b"POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding : chunked\r\n\r\n", id="space-before-colon"
        ),
        pytest.param(b"POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n  40\r\n\r\n", id="obs-fold"),
        pytest.param(b"POST /a HTTP/1.0\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n", id="te-in-http10"),
    ],
)
async def test_ambiguous_framing_never_lets_a_smuggled_request_through(request_bytes: bytes) -> None:
    app = Recorder()
    async with serving(app, graceful_timeout=0.1) as server, connect(server) as client:
        await client.send(request_bytes + b"0\r\n\r\n" + SMUGGLED)
        data = await client.until_close_or(0.2)
        assert "GET /smuggled" not in app.calls
        assert data.count(b"HTTP/1.1 ") <= 1
        assert b"/smuggled" not in data


@pytest.mark.parametrize(
    "request_bytes",
    [
        pytest.param(b"GET /a HTTP/1.1\nHost: t\n\n" + SMUGGLED, id="bare-lf-request"),
        pytest.param(
            b"GET /a HTTP/1.1\r\nHost: t\r\nX-Pad: y\nContent-Length: %d\r\n\r\n" % len(SMUGGLED) + SMUGGLED,
            id="bare-lf-in-header",
        ),
        pytest.param(
            b"POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n"
            + SMUGGLED,
            id="bare-lf-after-chunk-size",
        ),
        pytest.param(
            b"POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n"
            + SMUGGLED,
            id="bare-lf-after-chunk-data",
        ),
    ],
)
async def test_bare_lf_line_endings_never_let_a_smuggled_request_through(request_bytes: bytes) -> None:
    app = Recorder()
    async with serving(app, graceful_timeout=0.1) as server, connect(server) as client:
        await client.send(request_bytes)
        data = await client.until_close_or(0.2)
        assert "GET /smuggled" not in app.calls, app.calls
        assert b"/smuggled" not in data


@pytest.mark.parametrize(
    "bad_chunk",
    [
        pytest.param(b"zz\r\n", id="bad-size"),
        pytest.param(b"5\nhello\r\n", id="bare-lf"),
        pytest.param(b"0\r\nX: y\n\r\n", id="bad-trailer"),
    ],
)
async def test_a_malformed_chunk_ends_the_request(bad_chunk: bytes) -> None:
    messages: list[dict[str, Any]] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] == "http.disconnect" or not message["more_body"]:
                break
        await respond(send, 200, b"ok")

    async with serving(http_app(handler), graceful_timeout=0.1) as server, connect(server) as client:
        await client.send(b"POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n")
        await asyncio.sleep(0.05)
        await client.send(bad_chunk)
        data = await client.until_close_or(0.2)
        assert data == b"" or data.startswith(b"HTTP/1.1 400 Bad Request\r\n"), data
        assert await client.closed(timeout=0.1), "the connection is closed"
        assert messages[-1] == {"type": "http.disconnect"}


# -- head size ------------------------------------------------------------------------------------------------
async def test_an_oversized_head_in_one_write_is_a_431_and_a_close() -> None:
    app = Recorder()
    async with serving(app, max_head_bytes=1024) as server, connect(server) as client:
        await client.send(b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 2000 + b"\r\n\r\n")
        assert_problem(await client.rest(), 431, "Request Header Fields Too Large")
        assert app.calls == []


async def test_many_headers_over_the_limit_are_a_431() -> None:
    app = Recorder()
    headers = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 20) for i in range(100))
    async with serving(app, max_head_bytes=1024) as server, connect(server) as client:
        await client.send(b"GET / HTTP/1.1\r\n" + headers + b"\r\n")
        assert_problem(await client.rest(), 431, "Request Header Fields Too Large")
        assert app.calls == []


async def test_an_oversized_url_is_a_431() -> None:
    app = Recorder()
    async with serving(app, max_head_bytes=1024) as server, connect(server) as client:
        await client.send(b"GET /" + b"a" * 2000 + b" HTTP/1.1\r\nHost: t\r\n\r\n")
        assert_problem(await client.rest(), 431, "Request Header Fields Too Large")
        assert app.calls == []


async def test_an_oversized_head_trickled_in_pieces_is_a_431_before_it_ends() -> None:
    app = Recorder()
    async with serving(app, max_head_bytes=1024) as server, connect(server) as client:
        sent = await _trickle(client, b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: ", b"a" * 100, 1024)
        assert sent > 1024
        assert_problem(await client.rest(), 431, "Request Header Fields Too Large")
        assert app.calls == []


async def test_an_oversized_url_trickled_in_pieces_is_a_431() -> None:
    app = Recorder()
    async with serving(app, max_head_bytes=1024) as server, connect(server) as client:
        await _trickle(client, b"GET /", b"a" * 100, 1024)
        assert_problem(await client.rest(), 431, "Request Header Fields Too Large")


async def _trickle(client: Any, start: bytes, piece: bytes, limit: int) -> int:
    """Send ``start`` then ``piece`` after ``piece`` (each its own segment) until past ``limit``;
    stop there, so the client is not still writing when the server closes."""
    await client.send(start)
    sent = len(start)
    while sent <= limit:
        await asyncio.sleep(0.005)
        await client.send(piece)
        sent += len(piece)
    return sent


async def test_a_head_just_under_the_limit_is_served() -> None:
    app = Recorder()
    async with serving(app, max_head_bytes=1024) as server, connect(server) as client:
        await client.send(b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 900 + b"\r\n\r\n")
        assert (await client.response()).status == 200


async def test_a_partial_head_after_a_large_body_in_the_same_read_is_not_too_large() -> None:
    app = Recorder()
    async with serving(app, max_head_bytes=1024) as server, connect(server) as client:
        await client.send(
            b"POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 4000\r\n\r\n"
            + b"x" * 4000
            + b"GET /b HTTP/1.1\r\n"
        )
        await asyncio.sleep(0.05)
        await client.send(b"Host: t\r\n\r\n")
        first = await client.response()
        assert first.body == b"/a" + b"x" * 4000
        second = await client.response()
        assert second.body == b"/b"


# -- Connection: close and Upgrade -------------------------------------------------------------------------------
async def test_connection_close_from_the_client_is_honoured() -> None:
    app = Recorder()
    async with serving(app) as server, connect(server) as client:
        await client.send(
            b"GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n"
        )
        response = await client.response()
        assert (response.body, response.header(b"connection")) == (b"/a", b"close")
        assert await client.closed()
        assert app.calls == ["GET /a"]


async def test_an_upgrade_request_is_served_as_plain_http_and_the_connection_closes() -> None:
    scopes: list[Scope] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        scopes.append(scope)
        await respond(send, 200, b"plain")

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(
            b"GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
            b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58" + SMUGGLED
        )
        response = await client.response()
        assert (response.status, response.body) == (200, b"plain")
        assert await client.closed()
        assert [(s["type"], s["path"]) for s in scopes] == [("http", "/ws")]


async def test_the_response_to_an_upgrade_request_announces_the_close() -> None:
    async with serving(Recorder()) as server, connect(server) as client:
        await client.send(b"GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
        response = await client.response()
        assert response.header(b"connection") == b"close"


# -- bodies the application did not read ------------------------------------------------------------------------
async def test_an_unread_body_is_discarded_and_the_next_request_works() -> None:
    app = Recorder(read=False)
    async with serving(app, body_buffer_bytes=4096) as server, connect(server) as client:
        await client.send(b"POST /login HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)
        first = await client.response()
        assert first.body == b"/login"
        await client.send(b"y" * 99000 + b"GET /next HTTP/1.1\r\nHost: t\r\n\r\n")
        second = await client.response()
        assert second.body == b"/next"
        assert app.calls == ["POST /login", "GET /next"]


async def test_an_unread_chunked_body_is_discarded_and_the_next_request_works() -> None:
    app = Recorder(read=False)
    async with serving(app) as server, connect(server) as client:
        await client.send(
            b"POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n"
        )
        assert (await client.response()).body == b"/a"
        assert (await client.response()).body == b"/b"


async def test_an_unread_body_over_the_discard_limit_closes_the_connection_after_the_response() -> None:
    app = Recorder(read=False)
    async with serving(app, max_discard_bytes=1000) as server, connect(server) as client:
        await client.send(b"POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n")
        assert (await client.response()).body == b"/a"
        await client.send(b"x" * 5000)
        assert await client.closed()


async def test_a_request_behind_a_body_over_the_discard_limit_is_not_run() -> None:
    app = Recorder(read=False)
    async with serving(app, max_discard_bytes=1000) as server, connect(server) as client:
        await client.send(b"POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n")
        assert (await client.response()).body == b"/a"
        await client.send(b"x" * 5000 + b"POST /side-effect HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        assert await client.closed()
        await asyncio.sleep(0.05)
        assert app.calls == ["POST /a"]


# -- timeouts --------------------------------------------------------------------------------------------------------
async def test_the_head_and_keep_alive_timeouts() -> None:
    """One server, four clients at once (the timeouts are checked on a once-a-second tick, so the
    cases share the wait): a client stalled inside its head gets a 408 and a close; an idle
    keep-alive connection and one that never sent a byte are closed without a response; a request
    whose app takes longer than both timeouts is answered all the same."""
    calls: list[str] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        calls.append(scope["path"])
        await asyncio.sleep(1.2 if scope["path"] == "/slow" else 0)
        await respond(send, 200, scope["path"].encode())

    loop = asyncio.get_running_loop()
    limits = {"header_timeout": 0.3, "keep_alive_timeout": 0.3}
    async with (
        serving(http_app(handler), **limits) as server,
        connect(server) as stalled,
        connect(server) as idle,
        connect(server) as silent,
        connect(server) as slow,
    ):
        started = loop.time()

        async def stall() -> bytes:
            await stalled.send(b"GET /stalled HTTP/1.1\r\nHost: t\r\n")
            return await stalled.rest(timeout=3)

        async def idle_after_a_request() -> bool:
            await idle.request("GET", "/idle")
            assert (await idle.response()).body == b"/idle"
            return await idle.closed(timeout=3)

        async def slow_app() -> bytes:
            await slow.request("GET", "/slow")
            return (await slow.response()).body

        stalled_data, idle_closed, silent_closed, slow_body = await asyncio.gather(
            stall(), idle_after_a_request(), silent.closed(timeout=3), slow_app()
        )
        assert loop.time() - started >= 0.3
        assert_problem(stalled_data, 408, "Request Timeout")
        assert idle_closed, "an idle keep-alive connection is closed, without a response"
        assert silent_closed, "a connection that never sends is closed as idle"
        assert slow_body == b"/slow"
        assert sorted(calls) == ["/idle", "/slow"]


async def test_a_stalled_client_does_not_block_other_connections() -> None:
    app = Recorder()
    async with serving(app) as server, connect(server) as stalled, connect(server) as stalled_body:
        await stalled.send(b"GET /stalled HTTP/1.1\r\nHost: t\r\n")
        await stalled_body.send(b"POST /body HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        loop = asyncio.get_running_loop()
        started = loop.time()
        for _ in range(3):
            async with connect(server) as other:
                await other.request("GET", "/other")
                assert (await other.response()).body == b"/other"
        assert loop.time() - started < 1
        assert await stalled.nothing_within(0.01) and await stalled_body.nothing_within(0.01)
        await stalled_body.send(b"defghij")
        assert (await stalled_body.response()).body == b"/bodyabcdefghij"


async def test_a_client_that_stalls_in_an_unread_body_is_timed_out() -> None:
    app = Recorder(read=False)
    limits = {"header_timeout": 0.2, "keep_alive_timeout": 0.2, "graceful_timeout": 0.1}
    async with serving(app, **limits) as server, connect(server) as client:
        await client.send(b"POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n0123456789")
        assert (await client.response()).body == b"/a"
        assert await client.closed(timeout=1.4)
