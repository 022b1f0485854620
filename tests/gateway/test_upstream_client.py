"""The built-in HTTP/1.1 upstream client against scripted raw-TCP upstreams: framing (Content-Length,
chunked, read-until-close, HEAD, 1xx, 204), hop-by-hop fields, streaming both ways with flow control,
keep-alive reuse, upstreams closing kept-alive connections, timeouts, pool limits, and malformed or
hostile responses. Every wait is bounded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from accord_gateway.exchange import BodyTooLarge, Response
from accord_gateway.upstream import Http1Client, UpstreamError, UpstreamRequest
from accord_gateway.upstream._http1 import HIGH_WATER, MAX_HEAD_BYTES, READ_WHOLE_BYTES

pytestmark = pytest.mark.anyio


@pytest.fixture(
    params=[
        pytest.param(("asyncio", {"use_uvloop": False}), id="asyncio"),
        pytest.param(("asyncio", {"use_uvloop": True}), id="uvloop"),  # what the gateway runs on
    ]
)
def anyio_backend(request: pytest.FixtureRequest) -> Any:
    return request.param


Reader = asyncio.StreamReader
Writer = asyncio.StreamWriter
Handler = Callable[[Reader, Writer, int], Awaitable[None]]


class Request:
    def __init__(self, head: str, body: bytes) -> None:
        self.head = head
        self.body = body
        lines = head.split("\r\n")
        self.line = lines[0]
        self.headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()


async def read_request(reader: Reader) -> Request | None:
    """One request (head and body, Content-Length or chunked), None at EOF."""
    try:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")[:-4]
    except asyncio.IncompleteReadError:
        return None
    request = Request(head, b"")
    if "content-length" in request.headers:
        request.body = await reader.readexactly(int(request.headers["content-length"]))
    elif request.headers.get("transfer-encoding") == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        request.body = b"".join(parts)
    return request


class Upstream:
    """A scripted upstream on 127.0.0.1: ``handler(reader, writer, connection_index)`` per connection."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.open = 0
        self.most_open = 0
        self.requests: list[Request] = []
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task[Any]] = set()
        self.writers: list[Writer] = []
        self.url = ""

    async def __aenter__(self) -> Upstream:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.transport.abort()  # handlers waiting on their client see the connection end
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=5)
        await self.server.wait_closed()

    async def _serve(self, reader: Reader, writer: Writer) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        self.writers.append(writer)
        index = self.connections
        self.connections += 1
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        try:
            await self.handler(reader, writer, index)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away
        finally:
            self.open -= 1
            writer.close()

    async def read(self, reader: Reader) -> Request | None:
        request = await read_request(reader)
        if request is not None:
            self.requests.append(request)
        return request


def ok(body: bytes = b'{"ok":true}', *extra: str) -> bytes:
    head = ["HTTP/1.1 200 OK", "content-type: application/json", f"content-length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def keep_alive(answer: Callable[[Request], bytes]) -> Handler:
    """A handler answering every request of a connection with ``answer(request)``."""

    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        while True:
            request = await read_request(reader)
            if request is None:
                return
            upstream_requests.append(request)
            writer.write(answer(request))
            await writer.drain()

    upstream_requests: list[Request] = []
    handler.requests = upstream_requests  # type: ignore[attr-defined]
    return handler


async def send(
    client: Http1Client, url: str, method: str = "GET", body: Any = None, headers: Any = None
) -> Response:
    async with asyncio.timeout(10):
        return await client.send(UpstreamRequest(method, url, list(headers or []), body))


async def read_all(response: Response) -> bytes:
    async with asyncio.timeout(10):
        body = await response.read(1 << 30)
    assert body is not None
    return body


# -- framing -----------------------------------------------------------------------------------------
async def test_keep_alive_reuses_one_connection_and_sends_a_proper_request() -> None:
    handler = keep_alive(lambda r: ok())
    async with Upstream(handler) as upstream:
        client = Http1Client()
        for _ in range(3):
            response = await send(client, upstream.url + "/v1/orders?limit=5", headers=[(b"x-trace", b"1")])
            assert response.status == 200 and response.body == b'{"ok":true}'
        posted = await send(client, upstream.url + "/v1/orders", "POST", b'{"a":1}')
        empty = await send(client, upstream.url + "/v1/orders", "POST")
        await client.close()
    assert upstream.connections == 1
    first, post, bare = handler.requests[0], handler.requests[3], handler.requests[4]  # type: ignore[attr-defined]
    assert first.line == "GET /v1/orders?limit=5 HTTP/1.1"
    port = upstream.url.rsplit(":", 1)[1]
    assert first.headers["host"] == f"127.0.0.1:{port}" and first.headers["x-trace"] == "1"
    assert "content-length" not in first.headers  # a GET without a body says nothing about one
    assert posted.status == empty.status == 200
    assert post.headers["content-length"] == "7" and post.body == b'{"a":1}'
    assert bare.headers["content-length"] == "0"  # RFC 9110 §8.6: POST states its empty body


async def test_response_hop_by_hop_fields_and_date_are_dropped() -> None:
    answer = ok(
        b"{}",
        "connection: keep-alive, x-private",
        "x-private: secret",
        "keep-alive: timeout=5",
        "date: Tue, 01 Jan 2030 00:00:00 GMT",
        "set-cookie: a=1",
        "set-cookie: b=2",
        "X-Upstream: Yes",
    )
    async with Upstream(keep_alive(lambda r: answer)) as upstream:
        client = Http1Client()
        response = await send(client, upstream.url + "/")
        await client.close()
    names = [name for name, _ in response.headers]
    assert names == [b"content-type", b"content-length", b"set-cookie", b"set-cookie", b"x-upstream"]
    assert response.header(b"x-upstream") == b"Yes"


async def test_small_chunked_response_arrives_whole_without_transfer_encoding() -> None:
    chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    async with Upstream(keep_alive(lambda r: chunked)) as upstream:
        client = Http1Client()
        first = await send(client, upstream.url + "/")
        second = await send(client, upstream.url + "/")
        await client.close()
    for response in (first, second):
        assert await read_all(response) == b"hello world"
        assert response.header(b"transfer-encoding") is None
    assert upstream.connections == 1


async def test_large_chunked_response_streams_with_flow_control_and_the_connection_is_reused() -> None:
    piece = bytes(range(256)) * 256  # 64 KiB
    total = 40  # 2.5 MiB, well over the high-water mark

    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        while await read_request(reader) is not None:
            writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            for _ in range(total):
                writer.write(b"%x\r\n%b\r\n" % (len(piece), piece))
                await writer.drain()
            writer.write(b"0\r\n\r\n")
            await writer.drain()

    async with Upstream(handler) as upstream:
        client = Http1Client()
        response = await send(client, upstream.url + "/big")
        assert response.stream is not None and response.release is not None
        received = 0
        async with asyncio.timeout(20):
            async for chunk in response.stream:
                received += len(chunk)
                await asyncio.sleep(0)  # a consumer slower than the socket
        response.release()
        assert received == total * len(piece)
        again = await send(client, upstream.url + "/big")
        assert len(await read_all(again)) == total * len(piece)
        await client.close()
    assert upstream.connections == 1
    assert total * len(piece) > HIGH_WATER


async def test_content_length_over_the_whole_read_limit_streams() -> None:
    body = b"x" * (READ_WHOLE_BYTES + 1)
    async with Upstream(keep_alive(lambda r: ok(body))) as upstream:
        client = Http1Client()
        response = await send(client, upstream.url + "/")
        assert response.stream is not None
        assert response.header(b"content-length") == str(len(body)).encode()
        assert await read_all(response) == body
        await client.close()


async def test_body_delimited_by_close_is_read_to_the_end_and_not_reused() -> None:
    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\npart one, ")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"part two")
        await writer.drain()
        writer.close()

    async with Upstream(handler) as upstream:
        client = Http1Client()
        first = await send(client, upstream.url + "/")
        assert first.stream is not None
        assert await read_all(first) == b"part one, part two"
        second = await send(client, upstream.url + "/")
        assert await read_all(second) == b"part one, part two"
        await client.close()
    assert upstream.connections == 2


async def test_closing_the_client_fails_a_stream_instead_of_leaving_it_waiting() -> None:
    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n")
        await writer.drain()
        await reader.read()

    async with Upstream(handler) as upstream:
        client = Http1Client()
        response = await send(client, upstream.url + "/")
        assert response.stream is not None
        first = await anext(response.stream)
        await client.close()
        with pytest.raises(UpstreamError, match="closed"):
            async with asyncio.timeout(5):
                await anext(response.stream)
    assert first == b"abc"


async def test_head_response_has_no_body_whatever_its_length_says() -> None:
    def answer(request: Request) -> bytes:
        if request.line.startswith("HEAD"):
            return b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\ncontent-type: text/plain\r\n\r\n"
        return ok()

    async with Upstream(keep_alive(answer)) as upstream:
        client = Http1Client(timeout=2)
        head = await send(client, upstream.url + "/", "HEAD")
        after = await send(client, upstream.url + "/")
        head_again = await send(client, upstream.url + "/", "HEAD")
        await client.close()
    assert head.status == 200 and head.body == b"" and head.header(b"content-length") == b"1000"
    assert after.body == b'{"ok":true}' and head_again.body == b""
    assert upstream.connections == 1  # the connection stays usable after a HEAD


async def test_204_and_304_have_no_body() -> None:
    answers = iter([b"HTTP/1.1 204 No Content\r\n\r\n", b'HTTP/1.1 304 Not Modified\r\netag: "1"\r\n\r\n'])
    async with Upstream(keep_alive(lambda r: next(answers))) as upstream:
        client = Http1Client()
        no_content = await send(client, upstream.url + "/", "DELETE")
        not_modified = await send(client, upstream.url + "/")
        await client.close()
    assert (no_content.status, no_content.body) == (204, b"")
    assert (not_modified.status, not_modified.body, not_modified.header(b"etag")) == (304, b"", b'"1"')
    assert upstream.connections == 1


async def test_interim_responses_are_skipped() -> None:
    interim = (
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n"
    )
    async with Upstream(keep_alive(lambda r: interim + ok(b"{}", "x-final: 1"))) as upstream:
        client = Http1Client()
        response = await send(client, upstream.url + "/", "POST", b"{}", [(b"expect", b"100-continue")])
        again = await send(client, upstream.url + "/")
        await client.close()
    assert response.status == 200 and response.body == b"{}"
    assert response.header(b"x-final") == b"1" and response.header(b"link") is None
    assert again.status == 200 and upstream.connections == 1


async def test_switching_protocols_unasked_is_a_protocol_error() -> None:
    answer = b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n"
    async with Upstream(keep_alive(lambda r: answer)) as upstream:
        client = Http1Client()
        with pytest.raises(UpstreamError) as caught:
            await send(client, upstream.url + "/")
        await client.close()
    assert caught.value.kind == "protocol"


# -- hostile and broken upstreams -------------------------------------------------------------------
@pytest.mark.parametrize(
    "answer",
    [
        b"HELLO\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nabc",
        b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nbad header\r\n\r\n",
    ],
    ids=["garbage", "two-lengths", "length-and-chunked", "negative-length", "bad-chunk", "bad-field"],
)
async def test_malformed_responses_are_protocol_errors(answer: bytes) -> None:
    async with Upstream(keep_alive(lambda r: answer)) as upstream:
        client = Http1Client(timeout=2)
        with pytest.raises(UpstreamError) as caught:
            response = await send(client, upstream.url + "/")
            await read_all(response)
        await client.close()
    assert caught.value.kind == "protocol"


async def test_oversized_response_head_is_refused() -> None:
    filler = "".join(f"x-filler-{i}: {'y' * 1000}\r\n" for i in range(MAX_HEAD_BYTES // 1000 + 2))
    answer = ("HTTP/1.1 200 OK\r\n" + filler + "content-length: 0\r\n\r\n").encode()
    async with Upstream(keep_alive(lambda r: answer)) as upstream:
        client = Http1Client(timeout=2)
        with pytest.raises(UpstreamError, match="too large") as caught:
            await send(client, upstream.url + "/")
        await client.close()
    assert caught.value.kind == "protocol"


async def test_close_in_the_middle_of_a_body_is_a_protocol_error() -> None:
    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n" + b"x" * 50)
        await writer.drain()
        writer.close()

    async with Upstream(handler) as upstream:
        client = Http1Client()
        with pytest.raises(UpstreamError, match="mid-response") as caught:
            await send(client, upstream.url + "/")
        await client.close()
    assert caught.value.kind == "protocol"


async def test_bytes_after_a_complete_response_retire_the_connection() -> None:
    async with Upstream(keep_alive(lambda r: ok() + b"HTTP/1.1 200 OK\r\n")) as upstream:
        client = Http1Client()
        first = await send(client, upstream.url + "/")
        second = await send(client, upstream.url + "/")
        await client.close()
    assert first.body == second.body == b'{"ok":true}'
    assert upstream.connections == 2  # the first connection was not trusted again


async def test_header_injection_is_refused_before_anything_is_sent() -> None:
    handler = keep_alive(lambda r: ok())
    async with Upstream(handler) as upstream:
        client = Http1Client()
        for bad in ([(b"x-a", b"1\r\nx-injected: 1")], [(b"x-a\r\nx-b", b"1")], [(b"x-a", b"1\x00")]):
            with pytest.raises(ValueError, match="control character"):
                await send(client, upstream.url + "/", headers=bad)
        with pytest.raises(ValueError):
            await send(client, upstream.url + "/a\r\nx-injected: 1")
        await client.close()
    assert handler.requests == []  # type: ignore[attr-defined]


# -- connections closed by the upstream --------------------------------------------------------------
async def test_an_idle_connection_closed_by_the_upstream_is_replaced() -> None:
    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        await read_request(reader)
        writer.write(ok())
        await writer.drain()
        writer.close()  # keep-alive promised, then closed while idle (a keep-alive timeout)

    async with Upstream(handler) as upstream:
        client = Http1Client()
        first = await send(client, upstream.url + "/")
        await asyncio.sleep(0.1)  # the FIN arrives: the pool drops the connection
        second = await send(client, upstream.url + "/", "POST", b"{}")
        await client.close()
    assert first.status == second.status == 200
    assert upstream.connections == 2


def _stale_upstream() -> Handler:
    """Answers the first request of each connection, then closes when the next one arrives (the
    race of a keep-alive timeout: the request was written just as the upstream gave up)."""

    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        await read_request(reader)
        writer.write(ok())
        await writer.drain()
        await read_request(reader)
        writer.transport.abort()

    return handler


async def test_idempotent_request_on_a_stale_connection_is_retried_on_a_new_one() -> None:
    async with Upstream(_stale_upstream()) as upstream:
        client = Http1Client()
        assert (await send(client, upstream.url + "/")).status == 200
        retried = await send(client, upstream.url + "/", "PUT", b"{}")
        await client.close()
    assert retried.status == 200 and upstream.connections == 2


async def test_post_on_a_stale_connection_is_not_replayed() -> None:
    async with Upstream(_stale_upstream()) as upstream:
        client = Http1Client()
        assert (await send(client, upstream.url + "/")).status == 200
        with pytest.raises(UpstreamError, match="closed the kept-alive connection") as caught:
            await send(client, upstream.url + "/", "POST", b"{}")
        await client.close()
    assert caught.value.kind == "protocol"
    assert upstream.connections == 1  # RFC 9112 §9.3.1: a non-idempotent request is not retried


async def test_idle_connections_age_out_after_the_keepalive_time() -> None:
    async with Upstream(keep_alive(lambda r: ok())) as upstream:
        client = Http1Client(keepalive=0.05)
        await send(client, upstream.url + "/")
        await send(client, upstream.url + "/")
        await asyncio.sleep(0.1)
        await send(client, upstream.url + "/")
        await client.close()
    assert upstream.connections == 2


# -- timeouts ---------------------------------------------------------------------------------------
async def test_no_data_within_the_timeout_is_a_timeout_and_the_connection_is_closed() -> None:
    closed = asyncio.Event()

    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        await read_request(reader)
        await reader.read()  # waits for the client to give up
        closed.set()

    async with Upstream(handler) as upstream:
        client = Http1Client(timeout=0.2)
        started = asyncio.get_running_loop().time()
        with pytest.raises(UpstreamError, match="no data from the upstream") as caught:
            await send(client, upstream.url + "/")
        elapsed = asyncio.get_running_loop().time() - started
        async with asyncio.timeout(5):
            await closed.wait()
        await client.close()
    assert caught.value.kind == "timeout"
    assert 0.15 < elapsed < 1.5


async def test_the_timeout_counts_silence_not_the_whole_response() -> None:
    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        while await read_request(reader) is not None:
            writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            for _ in range(6):  # 0.6 s in all, never more than 0.1 s without data
                await asyncio.sleep(0.1)
                writer.write(b"2\r\nok\r\n")
                await writer.drain()
            writer.write(b"0\r\n\r\n")

    async with Upstream(handler) as upstream:
        client = Http1Client(timeout=0.35)
        first = await send(client, upstream.url + "/")
        assert await read_all(first) == b"ok" * 6
        second = await send(client, upstream.url + "/")  # the timer of the first exchange is still armed
        assert await read_all(second) == b"ok" * 6
        await client.close()


async def test_a_slow_body_after_a_fast_head_times_out() -> None:
    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n12345")
        await writer.drain()
        await reader.read()

    async with Upstream(handler) as upstream:
        client = Http1Client(timeout=0.2)
        with pytest.raises(UpstreamError) as caught:
            await send(client, upstream.url + "/")
        await client.close()
    assert caught.value.kind == "timeout"


class _NeverConnects:
    """The running loop, except that connecting never completes (a black-holed address)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loop, name)

    async def create_connection(self, *_: Any, **__: Any) -> Any:
        await asyncio.sleep(10)


async def test_refused_and_timed_out_connections_are_connect_errors() -> None:
    async with Upstream(keep_alive(lambda r: ok())) as upstream:
        url = upstream.url
    client = Http1Client(connect_timeout=0.2)
    with pytest.raises(UpstreamError) as refused:
        await send(client, url + "/")
    assert refused.value.kind == "connect"

    loop = asyncio.get_running_loop()
    slow_client = Http1Client(connect_timeout=0.2)
    slow_client._loop = _NeverConnects(loop)  # type: ignore[assignment]
    started = loop.time()
    with pytest.raises(UpstreamError, match=r"within 0\.2 s") as slow:
        await send(slow_client, url + "/")
    assert slow.value.kind == "connect" and loop.time() - started < 2
    assert slow_client._origin(url + "/")[0].pool.size == 0  # the failed attempt gave its slot back
    await client.close()


# -- the pool -----------------------------------------------------------------------------------------
async def test_the_pool_never_opens_more_than_its_limit() -> None:
    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        while await read_request(reader) is not None:
            await asyncio.sleep(0.05)
            writer.write(ok())
            await writer.drain()

    async with Upstream(handler) as upstream:
        client = Http1Client(max_connections=2)
        responses = await asyncio.gather(*(send(client, upstream.url + "/") for _ in range(8)))
        await client.close()
    assert [r.status for r in responses] == [200] * 8
    assert upstream.most_open == 2 and upstream.connections == 2


async def test_waiting_for_a_free_connection_is_bounded_by_the_timeout() -> None:
    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        await read_request(reader)
        await asyncio.sleep(0.6)
        if not writer.is_closing():  # the client may have given up already
            writer.write(ok())
            await writer.drain()

    async with Upstream(handler) as upstream:
        client = Http1Client(max_connections=1, timeout=0.3)
        results = await asyncio.gather(
            send(client, upstream.url + "/"), send(client, upstream.url + "/"), return_exceptions=True
        )
        await client.close()
    errors = [r for r in results if isinstance(r, UpstreamError)]
    assert len(errors) == 2 and {e.kind for e in errors} == {"timeout"}
    assert any("no free connection" in str(e) for e in errors)


async def test_abandoned_streams_and_cancelled_requests_give_their_slot_back() -> None:
    big = b"z" * (READ_WHOLE_BYTES * 2)

    async def handler(reader: Reader, writer: Writer, index: int) -> None:
        while (request := await read_request(reader)) is not None:
            if request.line.startswith("GET /slow"):
                await reader.read()  # until the client gives up
                return
            writer.write(ok(big))
            await writer.drain()

    async with Upstream(handler) as upstream:
        client = Http1Client(max_connections=1)
        streamed = await send(client, upstream.url + "/big")
        assert streamed.stream is not None and streamed.release is not None
        streamed.release()  # never read: the connection cannot be reused, its slot is freed
        streamed.release()  # idempotent
        task = asyncio.ensure_future(send(client, upstream.url + "/slow"))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        after = await send(client, upstream.url + "/big")
        assert len(await read_all(after)) == len(big)
        await client.close()
    assert upstream.connections == 3


async def test_close_closes_every_connection_and_wakes_waiting_requests() -> None:
    release = asyncio.Event()

    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        while await read_request(reader) is not None:
            await release.wait()
            if writer.is_closing():
                return
            writer.write(ok())
            await writer.drain()

    async with Upstream(handler) as upstream:
        client = Http1Client(max_connections=1)
        first = asyncio.ensure_future(send(client, upstream.url + "/"))
        waiting = asyncio.ensure_future(send(client, upstream.url + "/"))  # waits for the one connection
        await asyncio.sleep(0.1)
        assert upstream.open == 1 and not waiting.done()
        await client.close()
        for task in (first, waiting):
            with pytest.raises(UpstreamError):
                await task
        release.set()
        async with asyncio.timeout(5):
            while upstream.open:
                await asyncio.sleep(0.01)
    assert upstream.connections == 1  # nobody reconnected after close


# -- streamed request bodies ---------------------------------------------------------------------------
async def _chunks(*parts: bytes, delay: float = 0.0) -> AsyncIterator[bytes]:
    for part in parts:
        if delay:
            await asyncio.sleep(delay)
        yield part


async def test_streamed_request_bodies_are_chunked_or_length_delimited() -> None:
    handler = keep_alive(lambda r: ok(str(len(r.body)).encode()))
    async with Upstream(handler) as upstream:
        client = Http1Client()
        chunked = await send(client, upstream.url + "/", "PUT", _chunks(b"ab", b"", b"cde", delay=0.01))
        sized = await send(
            client, upstream.url + "/", "PUT", _chunks(b"abc", b"de"), [(b"content-length", b"5")]
        )
        await client.close()
    first, second = handler.requests  # type: ignore[attr-defined]
    assert chunked.body == sized.body == b"5"
    assert first.headers["transfer-encoding"] == "chunked" and first.body == b"abcde"
    assert second.headers["content-length"] == "5" and "transfer-encoding" not in second.headers
    assert second.body == b"abcde" and upstream.connections == 1


async def test_an_early_answer_ends_a_streamed_upload() -> None:
    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        await reader.readuntil(b"\r\n\r\n")  # the head only: the body is refused unread
        writer.write(b"HTTP/1.1 413 Content Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.2)

    async def endless() -> AsyncIterator[bytes]:
        while True:
            await asyncio.sleep(0.01)
            yield b"x" * 1024

    async with Upstream(handler) as upstream:
        client = Http1Client()
        response = await send(client, upstream.url + "/", "PUT", endless())
        await client.close()
    assert response.status == 413


async def test_a_failing_request_body_aborts_the_call() -> None:
    async def too_large() -> AsyncIterator[bytes]:
        yield b"x" * 10
        raise BodyTooLarge()

    async def handler(reader: Reader, writer: Writer, _: int) -> None:
        await reader.read()

    async with Upstream(handler) as upstream:
        client = Http1Client()
        with pytest.raises(BodyTooLarge):
            await send(client, upstream.url + "/", "PUT", too_large())
        await client.close()


# -- addresses ---------------------------------------------------------------------------------------------
async def test_host_header_leaves_out_the_default_port_and_brackets_ipv6() -> None:
    client = Http1Client()
    plain, target = client._origin("http://example.test/v1/x?y=1")
    tls, _ = client._origin("https://example.test:443/a")
    other, _ = client._origin("https://example.test:8443/a")
    v6, _ = client._origin("http://[::1]:8080/a")
    assert target == "/v1/x?y=1"
    assert plain.host_header == b"example.test" and plain.pool.port == 80 and plain.pool.tls is None
    assert tls.host_header == b"example.test" and tls.pool.tls is not None
    assert other.host_header == b"example.test:8443"
    assert v6.host_header == b"[::1]:8080" and v6.pool.host == "::1"
    with pytest.raises(UpstreamError):
        client._origin("ftp://example.test/")
    await client.close()


def test_options_are_checked() -> None:
    for bad in ({"timeout": 0}, {"connect_timeout": -1}, {"max_connections": 0}, {"keepalive": -1}):
        with pytest.raises(ValueError):
            Http1Client(**bad)
