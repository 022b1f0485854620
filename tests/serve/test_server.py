"""accord.serve on the wire: responses, keep-alive, pipelining, request bodies, ``Expect:
100-continue``, response framing, application errors, the ASGI scope, disconnects and flow control.
Each test starts a server in its own loop and talks to it over a raw socket."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

import pytest

from accord.serve import connection as connection_module

from ._support import (
    DATE,
    TIMEOUT,
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


async def hello(scope: Scope, receive: Receive, send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"5")],
        }
    )
    await send({"type": "http.response.body", "body": b"hello"})


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers ``METHOD PATH|body``."""
    body = await read_body(receive)
    await respond(send, 200, f"{scope['method']} {scope['path']}|".encode() + body)


# -- a simple exchange and keep-alive ------------------------------------------------------------------
async def test_a_get_is_answered_with_status_line_length_date_and_body() -> None:
    async with serving(http_app(hello)) as server, connect(server) as client:
        await client.request("GET", "/")
        response = await client.response()
        date = response.header(b"date")
        assert date is not None and DATE.match(date), date
        assert response.head == (
            b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\ndate: " + date + b"\r\n\r\n"
        )
        assert response.body == b"hello"
        assert await client.nothing_within(0.05)  # no stray bytes, and the connection stays open


async def test_two_requests_on_one_connection_are_both_answered() -> None:
    async with serving(http_app(echo)) as server, connect(server) as client:
        await client.request("GET", "/one")
        first = await client.response()
        await client.request("POST", "/two", b"body")
        second = await client.response()
        assert (first.status, first.body) == (200, b"GET /one|")
        assert (second.status, second.body) == (200, b"POST /two|body")
        assert first.header(b"connection") is None and second.header(b"connection") is None


async def test_a_response_with_its_body_goes_out_in_one_write(monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[bytes] = []
    original_write = connection_module.Connection.write
    original_writelines = connection_module.Connection.writelines

    def write(self: Any, data: bytes) -> None:
        writes.append(data)
        original_write(self, data)

    def writelines(self: Any, *data: bytes) -> None:
        writes.append(b"".join(data))
        original_writelines(self, *data)

    monkeypatch.setattr(connection_module.Connection, "write", write)
    monkeypatch.setattr(connection_module.Connection, "writelines", writelines)
    async with serving(http_app(hello)) as server, connect(server) as client:
        for _ in range(2):
            await client.request("GET", "/")
            response = await client.response()
            assert response.body == b"hello"
        assert len(writes) == 2
        assert all(
            write.startswith(b"HTTP/1.1 200 OK\r\n") and write.endswith(b"\r\n\r\nhello") for write in writes
        )


# -- pipelining ------------------------------------------------------------------------------------------
async def test_pipelined_requests_are_answered_in_order_even_when_the_first_is_slow() -> None:
    events: list[str] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        events.append("start " + scope["path"])
        if scope["path"] == "/slow":
            await asyncio.sleep(0.2)
        await respond(send, 200, scope["path"].encode())
        events.append("end " + scope["path"])

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(
            b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"
            b"GET /fast HTTP/1.1\r\nHost: t\r\n\r\n"
            b"GET /third HTTP/1.1\r\nHost: t\r\n\r\n"
        )
        bodies = [(await client.response()).body for _ in range(3)]
        assert bodies == [b"/slow", b"/fast", b"/third"]
        # one request at a time, in arrival order
        assert events == [
            "start /slow",
            "end /slow",
            "start /fast",
            "end /fast",
            "start /third",
            "end /third",
        ]
        assert await client.nothing_within(0.05)


async def test_pipelined_requests_with_bodies_each_get_their_own_body() -> None:
    async with serving(http_app(echo)) as server, connect(server) as client:
        await client.send(
            b"POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nAAA"
            b"POST /b HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nBB\r\n0\r\n\r\n"
            b"GET /c HTTP/1.1\r\nHost: t\r\n\r\n"
        )
        bodies = [(await client.response()).body for _ in range(3)]
        assert bodies == [b"POST /a|AAA", b"POST /b|BB", b"GET /c|"]


# -- request bodies ---------------------------------------------------------------------------------------
async def test_a_content_length_body_arrives_in_one_piece() -> None:
    messages: list[dict[str, Any]] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(0.05)  # the body is all there by now
        messages.append(await receive())
        await respond(send, 200, messages[0]["body"])

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request("POST", "/", b'{"a": [1, 2, 3]}')
        response = await client.response()
        assert response.body == b'{"a": [1, 2, 3]}'
        assert messages == [{"type": "http.request", "body": b'{"a": [1, 2, 3]}', "more_body": False}]


async def test_a_body_split_across_several_writes_is_delivered_intact_and_streamed() -> None:
    messages: list[dict[str, Any]] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            body += message["body"]
            if not message["more_body"]:
                break
        await respond(send, 200, body)

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 15\r\n\r\nfirst")
        for piece in (b"-mid-", b"last!"):
            await asyncio.sleep(0.05)
            await client.send(piece)
        response = await client.response()
        assert response.body == b"first-mid-last!"
        assert len(messages) >= 2, "the body is handed over as it arrives"
        assert all(m["more_body"] for m in messages[:-1]) and not messages[-1]["more_body"]


async def test_a_chunked_request_body_is_reassembled() -> None:
    seen: list[Scope] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)
        await respond(send, 200, await read_body(receive))

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(b"POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        await asyncio.sleep(0.02)
        await client.send(b"7;ext=1\r\n, world\r\n")
        await asyncio.sleep(0.02)
        await client.send(b"0\r\n\r\n")
        response = await client.response()
        assert response.body == b"hello, world"
        assert (b"transfer-encoding", b"chunked") in seen[0]["headers"]
        # the connection is still usable
        await client.request("GET", "/")
        assert (await client.response()).status == 200


async def test_a_large_body_over_the_buffer_limit_pauses_reading_and_arrives_intact() -> None:
    payload = bytes(range(256)) * (2 * 1024 * 1024 // 256)  # 2 MiB
    sizes: list[int] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(0.2)  # the buffer fills up meanwhile: reading must pause
        digest = hashlib.sha256()
        while True:
            message = await receive()
            sizes.append(len(message["body"]))
            digest.update(message["body"])
            if not message["more_body"]:
                break
        await respond(send, 200, digest.hexdigest().encode())

    buffer = 64 * 1024
    async with serving(http_app(handler), body_buffer_bytes=buffer) as server, connect(server) as client:
        send = asyncio.ensure_future(client.request("POST", "/upload", payload))
        response = await client.response()
        await send
        assert response.body == hashlib.sha256(payload).hexdigest().encode()
        assert sum(sizes) == len(payload)
        # never more than the buffer limit plus one socket read was held for the application
        assert max(sizes) <= buffer + 256 * 1024, max(sizes)


# -- Expect: 100-continue -----------------------------------------------------------------------------------
async def test_100_continue_is_sent_only_when_the_app_asks_for_the_body() -> None:
    called = asyncio.Event()
    gate = asyncio.Event()

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        called.set()
        await gate.wait()
        await respond(send, 200, await read_body(receive))

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        async with asyncio.timeout(TIMEOUT):
            await called.wait()
        assert await client.nothing_within(0.1), "no 100 Continue before the app reads the body"
        gate.set()
        async with asyncio.timeout(TIMEOUT):
            interim = await client.reader.readuntil(b"\r\n\r\n")
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        await client.send(b"hello")
        response = await client.response()
        assert (response.status, response.body) == (200, b"hello")


async def test_no_100_continue_when_the_app_answers_without_reading_the_body() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await respond(send, 417, b"no")

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        response = await client.response()
        assert response.head.startswith(b"HTTP/1.1 417 Expectation Failed\r\n")
        assert response.body == b"no"
        # the client may still send the body (RFC 9110 §10.1.1): it is read and dropped
        await client.send(b"helloGET /next HTTP/1.1\r\nHost: t\r\n\r\n")
        assert (await client.response()).status == 417


# -- response framing -------------------------------------------------------------------------------------------
async def test_a_streamed_response_without_length_is_chunked() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"x-a", b"1")]})
        for part in (b"ab", b"", b"cde"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
            await asyncio.sleep(0.01)
        await send({"type": "http.response.body", "body": b"f", "more_body": False})

    async with serving(http_app(handler)) as server, connect(server) as client:
        for _ in range(2):  # and the connection stays usable
            await client.request("GET", "/stream")
            response = await client.response()
            assert response.header(b"transfer-encoding") == b"chunked"
            assert response.header(b"content-length") is None
            assert response.raw_body == b"2\r\nab\r\n3\r\ncde\r\n1\r\nf\r\n0\r\n\r\n"
            assert response.body == b"abcdef"


async def test_a_large_body_with_a_content_length_arrives_intact() -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB: head and body go out with writelines

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await respond(send, 200, payload)

    async with serving(http_app(handler)) as server, connect(server) as client:
        for _ in range(2):
            await client.request()
            response = await client.response()
            assert response.header(b"content-length") == b"1048576" and response.body == payload


async def test_an_empty_last_chunk_ends_a_chunked_response() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"xyz", "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request()
        response = await client.response()
        assert response.raw_body == b"3\r\nxyz\r\n0\r\n\r\n"
        assert await client.nothing_within(0.05)


async def test_an_http10_response_without_length_is_not_chunked_and_ends_with_the_close() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"one ", "more_body": True})
        await send({"type": "http.response.body", "body": b"two"})

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(b"GET / HTTP/1.0\r\nHost: t\r\nConnection: keep-alive\r\n\r\n")
        response = await client.response()
        assert response.header(b"transfer-encoding") is None
        assert response.header(b"content-length") is None
        assert response.header(b"connection") == b"close"
        assert response.body == b"one two"  # read up to the close


async def test_an_http10_request_gets_connection_close() -> None:
    async with serving(http_app(hello)) as server, connect(server) as client:
        await client.send(b"GET / HTTP/1.0\r\n\r\n")
        response = await client.response()
        assert (response.body, response.header(b"connection")) == (b"hello", b"close")
        assert await client.closed()


async def test_a_head_response_has_the_length_but_no_body() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == "/streamed":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ignored", "more_body": True})
            await send({"type": "http.response.body", "body": b"too"})
        else:
            await hello(scope, receive, send)

    async with serving(http_app(handler)) as server, connect(server) as client:
        # the GET behind each HEAD shows that not one body byte was sent for the HEAD
        await client.send(
            b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n"
            b"HEAD /streamed HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n"
        )
        head = await client.response(head_request=True)
        assert head.status == 200 and head.header(b"content-length") == b"5"
        assert (await client.response()).body == b"hello"
        streamed = await client.response(head_request=True)
        assert streamed.header(b"transfer-encoding") is None
        assert (await client.response()).body == b"hello"
        assert await client.nothing_within(0.05)


@pytest.mark.parametrize("status", [204, 304])
async def test_204_and_304_carry_no_body(status: int) -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": status, "headers": [(b"etag", b'"1"')]})
        await send({"type": "http.response.body", "body": b"should not be sent"})

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(b"GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        for _ in range(2):
            response = await client.response()
            assert response.status == status
            assert response.header(b"transfer-encoding") is None
            assert response.header(b"content-length") is None
        assert await client.nothing_within(0.05)


async def test_transfer_encoding_and_connection_from_the_app_are_not_passed_through() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [
            (b"Transfer-Encoding", b"chunked"),
            (b"Connection", b"keep-alive"),
            (b"Content-Length", b"2"),
            (b"X-Kept", b"yes"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    async with serving(http_app(handler)) as server, connect(server) as client:
        for _ in range(2):
            await client.request()
            response = await client.response()
            assert response.names == [b"content-length", b"x-kept", b"date"]
            assert response.raw_body == b"ok"


async def test_connection_close_from_the_app_closes_the_connection() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await respond(send, 200, b"bye", [(b"content-length", b"3"), (b"connection", b"close")])

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request()
        response = await client.response()
        assert (response.body, response.header(b"connection")) == (b"bye", b"close")
        assert await client.closed()


async def test_a_date_header_from_the_app_is_not_doubled() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        date = b"Tue, 01 Jan 2030 00:00:00 GMT"
        await respond(send, 200, b"", [(b"content-length", b"0"), (b"date", date)])

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request()
        response = await client.response()
        assert [name for name in response.names if name == b"date"] == [b"date"]


async def test_a_status_without_a_reason_phrase_is_still_a_valid_status_line() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await respond(send, 299, b"")

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request()
        response = await client.response()
        assert response.head.startswith(b"HTTP/1.1 299 \r\n") and response.status == 299


# -- application errors ---------------------------------------------------------------------------------------
async def test_an_exception_before_the_response_is_a_500_problem_and_a_close(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        raise ValueError("boom")

    with caplog.at_level(logging.ERROR, "accord.serve"):
        async with serving(http_app(handler)) as server, connect(server) as client:
            await client.request("GET", "/x")
            response = await client.response()
            assert response.status == 500
            assert response.head.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
            assert response.header(b"connection") == b"close"
            assert response.problem() == {
                "type": "about:blank",
                "title": "Internal Server Error",
                "status": 500,
            }
            assert await client.closed()
    assert any("GET /x" in record.getMessage() and record.exc_info for record in caplog.records)


async def test_the_500_for_a_head_request_has_no_body() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        raise ValueError("boom")

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n")
        data = await client.rest()
        assert data.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
        assert data.endswith(b"\r\n\r\n"), data


async def test_an_exception_after_the_response_started_closes_the_connection() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"partial", "more_body": True})
        raise ValueError("boom")

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request()
        data = await client.rest()  # the server closes
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"transfer-encoding: chunked" in head
        assert body == b"7\r\npartial\r\n", "no last chunk: the client sees the response is cut short"


async def test_an_exception_right_after_the_start_sends_the_head_and_closes() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"4")]})
        raise ValueError("boom")

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request()
        data = await client.rest()
        assert data.startswith(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n") and data.endswith(b"\r\n\r\n")


async def test_an_app_that_returns_without_responding_gets_a_500() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        return

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request()
        response = await client.response()
        assert response.status == 500 and response.problem()["status"] == 500
        assert await client.closed()


async def test_an_app_that_returns_after_the_start_only_closes_the_connection() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request()
        data = await client.rest()
        assert data.startswith(b"HTTP/1.1 200 OK\r\n") and data.endswith(b"\r\n\r\n")


async def test_a_header_with_crlf_never_reaches_the_wire_and_the_connection_closes() -> None:
    errors: list[BaseException] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-length", b"2"), (b"x-evil", b"a\r\nset-cookie: injected=1")]
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
        except Exception as exc:
            errors.append(exc)
            raise
        await send({"type": "http.response.body", "body": b"ok"})

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request()
        data = await client.rest()
        assert b"injected" not in data and b"x-evil" not in data
        assert len(errors) == 1 and isinstance(errors[0], RuntimeError)


async def test_a_header_with_crlf_is_answered_500() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-length", b"2"), (b"x-evil", b"a\r\nset-cookie: injected=1")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request()
        data = await client.rest()
        assert data.startswith(b"HTTP/1.1 500 Internal Server Error\r\n"), data
        assert b"injected" not in data


async def test_a_malformed_content_length_from_the_app_is_answered_500() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await respond(send, 200, b"ok", [(b"content-length", b"two")])

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request()
        data = await client.rest()
        assert data.startswith(b"HTTP/1.1 500 Internal Server Error\r\n"), data


async def test_a_body_longer_than_its_content_length_is_refused_and_the_connection_closed() -> None:
    errors: list[BaseException] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"3")]})
        try:
            await send({"type": "http.response.body", "body": b"toolong"})
        except Exception as exc:
            errors.append(exc)
            raise

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(b"GET / HTTP/1.1\r\nHost: t\r\n\r\nGET /next HTTP/1.1\r\nHost: t\r\n\r\n")
        data = await client.rest()
        assert b"too" not in data.partition(b"\r\n\r\n")[2]
        assert data.count(b"HTTP/1.1 ") == 1, "the pipelined request is not served"
        assert len(errors) == 1 and isinstance(errors[0], RuntimeError)


async def test_a_body_shorter_than_its_content_length_closes_the_connection() -> None:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"10")]})
        await send({"type": "http.response.body", "body": b"short"})

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(b"GET / HTTP/1.1\r\nHost: t\r\n\r\nGET /next HTTP/1.1\r\nHost: t\r\n\r\n")
        data = await client.rest()
        assert data.endswith(b"\r\n\r\nshort") and data.count(b"HTTP/1.1 ") == 1


async def test_protocol_violations_raise_in_the_app_and_the_response_stands() -> None:
    errors: list[str] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        for message in ({"type": "http.response.body", "body": b"x"}, {"type": "http.nonsense"}):
            try:
                await send(message)
            except RuntimeError as exc:
                errors.append(str(exc))
        await respond(send, 200, b"ok")
        for message in (
            {"type": "http.response.start", "status": 500},
            {"type": "http.response.body", "body": b"more"},
        ):
            try:
                await send(message)
            except RuntimeError as exc:
                errors.append(str(exc))

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request()
        response = await client.response()
        assert (response.status, response.body) == (200, b"ok")
        assert len(errors) == 4
        await client.request()  # still kept alive
        assert (await client.response()).body == b"ok"


# -- the scope -------------------------------------------------------------------------------------------------
async def test_the_scope_describes_the_request() -> None:
    scopes: list[Scope] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        scopes.append(scope)
        await respond(send, 200, b"")

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(
            b"PUT /caf%C3%A9/a%2Fb?x=1&y=%20z HTTP/1.1\r\nHost: example\r\nX-Custom-Header: Mixed Case\r\n"
            b"Content-Length: 0\r\n\r\n"
        )
        await client.response()
        scope = scopes[0]
        assert scope["type"] == "http"
        assert scope["asgi"]["version"] == "3.0"
        assert scope["http_version"] == "1.1"
        assert scope["scheme"] == "http"
        assert scope["method"] == "PUT"
        assert scope["root_path"] == ""
        assert scope["path"] == "/café/a/b"
        assert scope["raw_path"] == b"/caf%C3%A9/a%2Fb"
        assert scope["query_string"] == b"x=1&y=%20z"
        assert scope["headers"] == [
            (b"host", b"example"),
            (b"x-custom-header", b"Mixed Case"),
            (b"content-length", b"0"),
        ]
        assert scope["client"] == ("127.0.0.1", client.local_port)
        assert scope["server"] == ("127.0.0.1", server.port)


async def test_the_scope_of_an_absolute_form_target_and_of_http10() -> None:
    scopes: list[Scope] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        scopes.append(scope)
        await respond(send, 200, b"")

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(b"GET http://example.com/a?b=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        await client.response()
        await client.send(b"GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n")
        await client.response()
        await client.send(b"GET /plain HTTP/1.0\r\n\r\n")
        await client.response()
        (path, query, raw, version) = zip(
            *[(s["path"], s["query_string"], s["raw_path"], s["http_version"]) for s in scopes], strict=True
        )
        assert path == ("/a", "/", "/plain")
        assert query == (b"b=1", b"", b"")
        assert raw == (b"/a", b"/", b"/plain")
        assert version == ("1.1", "1.1", "1.0")


async def test_each_request_gets_its_own_headers_list() -> None:
    scopes: list[Scope] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        scopes.append(scope)
        await respond(send, 200, b"")

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(b"GET /1 HTTP/1.1\r\nA: 1\r\n\r\nGET /2 HTTP/1.1\r\nB: 2\r\n\r\n")
        await client.response()
        await client.response()
        assert [s["headers"] for s in scopes] == [[(b"a", b"1")], [(b"b", b"2")]]


async def test_chunked_trailers_do_not_change_the_request_headers() -> None:
    before: list[list[tuple[bytes, bytes]]] = []
    after: list[list[tuple[bytes, bytes]]] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        before.append(list(scope["headers"]))
        body = await read_body(receive)
        after.append(list(scope["headers"]))
        await respond(send, 200, body)

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.send(b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n")
        await asyncio.sleep(0.05)  # the app has its scope by now
        await client.send(b"0\r\nX-Forwarded-For: 6.6.6.6\r\nAuthorization: Bearer forged\r\n\r\n")
        response = await client.response()
        assert response.body == b"hi"
        assert after == before, after


# -- disconnects ----------------------------------------------------------------------------------------------------
async def test_an_app_waiting_after_the_body_gets_a_disconnect_when_the_client_leaves() -> None:
    received: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        assert await read_body(receive) == b"data"
        received.set_result(await receive())

    async with serving(http_app(handler)) as server:
        async with connect(server) as client:
            await client.request("POST", "/", b"data")
            await asyncio.sleep(0.05)
            assert not received.done(), "no disconnect while the client is there"
        async with asyncio.timeout(TIMEOUT):
            assert await received == {"type": "http.disconnect"}


async def test_an_app_waiting_for_the_rest_of_the_body_gets_a_disconnect() -> None:
    messages: list[dict[str, Any]] = []
    done = asyncio.Event()

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] == "http.disconnect":
                done.set()
                return

    async with serving(http_app(handler)) as server:
        async with connect(server) as client:
            await client.send(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\npart")
            await asyncio.sleep(0.05)
        async with asyncio.timeout(TIMEOUT):
            await done.wait()
        assert messages == [
            {"type": "http.request", "body": b"part", "more_body": True},
            {"type": "http.disconnect"},
        ]


async def test_receive_after_the_response_is_a_disconnect() -> None:
    messages: list[dict[str, Any]] = []

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await read_body(receive)
        await respond(send, 200, b"ok")
        messages.append(await receive())

    async with serving(http_app(handler)) as server, connect(server) as client:
        await client.request()
        await client.response()
        await client.request()
        await client.response()
        assert messages == [{"type": "http.disconnect"}] * 2


async def test_send_to_a_client_that_left_raises() -> None:
    outcome: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    chunk = b"x" * 1024

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        try:
            for _ in range(100_000):  # ~100 MB: far more than the socket buffers hold
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except OSError:
            outcome.set_result("raised")
            raise
        outcome.set_result("never told")

    async with serving(http_app(handler)) as server:
        async with connect(server) as client:
            await client.request()
            await client.read_some()
        async with asyncio.timeout(TIMEOUT):
            assert await outcome == "raised"


# -- flow control --------------------------------------------------------------------------------------------------
async def test_a_5mb_streamed_response_to_a_slow_reader_arrives_intact_and_holds_the_app() -> None:
    chunk = bytes(range(256)) * 256  # 64 KiB
    count = 80  # 5 MiB
    finished = asyncio.Event()

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for _ in range(count):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        finished.set()

    # a fixed 64 KiB receive buffer: what the client holds without reading is far below 5 MiB (the
    # server's send buffer tops out at net.ipv4.tcp_wmem's maximum, 4 MiB by default)
    async with serving(http_app(handler)) as server, connect(server, rcvbuf=64 * 1024) as client:
        await client.request()
        await asyncio.sleep(0.3)
        assert not finished.is_set(), "the app is held while the client does not read"
        head = await client.reader.readuntil(b"\r\n\r\n")
        assert b"transfer-encoding: chunked" in head
        digest = hashlib.sha256()
        total = 0
        async with asyncio.timeout(TIMEOUT * 2):
            while True:
                size_line = await client.reader.readuntil(b"\r\n")
                size = int(size_line, 16)
                data = await client.reader.readexactly(size + 2)
                if size == 0:
                    break
                digest.update(data[:-2])
                total += size
                await asyncio.sleep(0.001)
        assert total == len(chunk) * count
        assert digest.hexdigest() == hashlib.sha256(chunk * count).hexdigest()
        assert finished.is_set()
