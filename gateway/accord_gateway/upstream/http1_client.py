"""The default upstream client: keep-alive HTTP/1.1 on asyncio protocols, responses parsed by httptools.

A reverse proxy needs little of a general HTTP client (no redirects, cookies, decompression,
proxies or content negotiation) and pays for every layer on every request. This client writes the
request head and body with one ``transport.write`` and parses the response in ``data_received``
(:mod:`._http1`), so a small response costs one wake-up of the waiting request. Measured against
the pooled ``aiohttp`` session it replaces in ``benchmarks/bench_gateway.py`` (see
docs/gateway.md#upstream-client); :class:`~accord_gateway.upstream.AiohttpClient` stays available
(``upstream.client: aiohttp``).

Per upstream origin a :class:`Pool` keeps at most ``max_connections`` connections, most recently
used first (warm ones are reused, idle ones age out after ``keepalive`` seconds); requests beyond the
limit wait (at most ``timeout`` seconds) for a connection to come back. A request that fails on a
REUSED connection before any byte of the response arrived (the upstream closed the idle connection
while the request was on its way) is sent once more on a new connection when it can be replayed
safely: an idempotent method (RFC 9110 §9.2.2) and a body held in memory (RFC 9112 §9.3.1).
"""

from __future__ import annotations

import asyncio
import collections
import ssl
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from accord.policy import IDEMPOTENT_METHODS
from accord_gateway.exchange import RawHeaders, Response
from accord_gateway.upstream._http1 import Connection, StaleConnection
from accord_gateway.upstream.base import UpstreamClient, UpstreamError, UpstreamRequest

#: Bodies up to this size are copied behind the head and written in one call.
_JOIN_BYTES = 256 * 1024
#: RFC 9110 §8.6: a Content-Length is sent for these methods even when the body is empty.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class Pool:
    """Connections to one origin (scheme, host, port)."""

    def __init__(self, client: Http1Client, host: str, port: int, tls: ssl.SSLContext | None) -> None:
        self.client = client
        self.host = host
        self.port = port
        self.tls = tls
        self.idle: list[Connection] = []
        self.members: set[Connection] = set()
        self.connecting = 0
        self.waiters: collections.deque[asyncio.Future[Connection | None]] = collections.deque()
        self.closed = False

    @property
    def size(self) -> int:
        return len(self.members) + self.connecting

    async def acquire(self, fresh: bool = False) -> Connection:
        """A connection for one exchange: an idle one, a new one, or the next one released."""
        client = self.client
        idle = self.idle
        if idle and not fresh:
            now = client.loop.time()
            while idle:
                conn = idle.pop()
                if conn.closed:
                    continue
                if now - conn.idle_since > client.keepalive:
                    conn.close()
                    continue
                return conn
        while True:
            if self.closed:
                raise UpstreamError("connect", f"the client for {self.host}:{self.port} is closed")
            if self.size < client.max_connections:
                return await self._connect()
            if fresh and idle:
                idle[0].close()  # make room for a new connection
                continue
            got = await self._wait()
            if got is not None and not got.closed:
                return got
            # None: a slot was freed (a connection closed); open one on the next turn.

    async def _wait(self) -> Connection | None:
        client = self.client
        waiter: asyncio.Future[Connection | None] = client.loop.create_future()
        self.waiters.append(waiter)
        try:
            async with asyncio.timeout(client.timeout):
                return await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                handed = waiter.result()  # handed over just as this request gave up: pass it on
                if handed is not None:
                    self.release(handed)
                elif self.waiters:
                    self._hand_over(None)
            if isinstance(exc, TimeoutError):
                raise UpstreamError(
                    "timeout",
                    f"no free connection to {self.host}:{self.port} within {client.timeout:g} s "
                    f"({client.max_connections} in use)",
                ) from None
            raise
        finally:
            if waiter in self.waiters:
                self.waiters.remove(waiter)

    async def _connect(self) -> Connection:
        client = self.client
        loop = client.loop
        self.connecting += 1
        try:
            async with asyncio.timeout(client.connect_timeout):
                _, conn = await loop.create_connection(
                    lambda: Connection(self, loop, client.timeout),
                    self.host,
                    self.port,
                    ssl=self.tls,
                    server_hostname=self.host if self.tls is not None else None,
                )
        except BaseException as exc:
            self.connecting -= 1
            if self.waiters:
                self._hand_over(None)  # this attempt's slot is free for a waiter
            if isinstance(exc, TimeoutError):
                raise UpstreamError(
                    "connect",
                    f"cannot connect to {self.host}:{self.port} within {client.connect_timeout:g} s",
                ) from None
            if isinstance(exc, OSError):
                raise UpstreamError("connect", f"cannot connect to {self.host}:{self.port}: {exc}") from None
            raise
        self.connecting -= 1
        self.members.add(conn)
        if self.closed:
            conn.close()
            raise UpstreamError("connect", f"the client for {self.host}:{self.port} is closed")
        if conn.closed:  # lost before this request could use it
            self.forget(conn)
            raise UpstreamError("connect", f"{self.host}:{self.port} closed the connection at once")
        return conn

    def release(self, conn: Connection) -> None:
        """A connection that can carry another request comes back."""
        if conn.closed or conn not in self.members:
            return
        if self._hand_over(conn):
            return
        conn.idle_since = self.client.loop.time()
        self.idle.append(conn)
        # The oldest idle connection ages out here rather than with a timer of its own.
        oldest = self.idle[0]
        if conn is not oldest and conn.idle_since - oldest.idle_since > self.client.keepalive:
            oldest.close()

    def forget(self, conn: Connection) -> None:
        """A connection closed (by either side): it no longer counts against the limit."""
        if conn not in self.members:
            return
        self.members.discard(conn)
        if conn in self.idle:
            self.idle.remove(conn)
        if self.waiters:
            self._hand_over(None)

    def _hand_over(self, conn: Connection | None) -> bool:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return True
        return False

    def close(self) -> None:
        self.closed = True
        for conn in list(self.members):
            conn.close()
        while self._hand_over(None):  # waiters wake up to find the pool closed
            pass


class _Origin:
    __slots__ = ("host_header", "pool", "prefix")

    def __init__(self, prefix: str, host_header: bytes, pool: Pool) -> None:
        self.prefix = prefix
        self.host_header = host_header
        self.pool = pool


class Http1Client(UpstreamClient):
    """Pooled keep-alive HTTP/1.1 client for ``http://`` and ``https://`` upstreams."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        connect_timeout: float = 2.0,
        max_connections: int = 256,
        keepalive: float = 4.0,
    ) -> None:
        if timeout <= 0 or connect_timeout <= 0 or max_connections < 1 or keepalive < 0:
            raise ValueError("timeouts must be positive and max_connections at least 1")
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.max_connections = max_connections
        #: idle connections older than this are not reused (below the 5 s of common servers)
        self.keepalive = keepalive
        self._origins: dict[str, _Origin] = {}
        self._tls: ssl.SSLContext | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        return loop

    def _origin(self, url: str) -> tuple[_Origin, str]:
        end = url.find("/", url.find("//") + 2)
        prefix = url if end < 0 else url[:end]
        origin = self._origins.get(prefix)
        if origin is None:
            origin = self._origins[prefix] = self._new_origin(prefix)
        target = url[len(prefix) :] or "/"
        return origin, target

    def _new_origin(self, prefix: str) -> _Origin:
        parts = urlsplit(prefix)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UpstreamError("connect", f"unsupported upstream URL {prefix!r}")
        tls = None
        if parts.scheme == "https":
            if self._tls is None:
                self._tls = ssl.create_default_context()
            tls = self._tls
        default_port = 443 if tls is not None else 80
        port = parts.port or default_port
        host = parts.hostname
        shown = f"[{host}]" if ":" in host else host
        host_header = (shown if port == default_port else f"{shown}:{port}").encode("idna")
        return _Origin(prefix, host_header, Pool(self, host, port, tls))

    async def send(self, request: UpstreamRequest) -> Response:
        origin, target = self._origin(request.url)
        method = request.method
        body = request.body
        streamed = body is not None and not isinstance(body, bytes)
        head = _head(method, target, origin.host_header, request.headers, body, streamed)
        replayable = not streamed and method in IDEMPOTENT_METHODS
        pool = origin.pool
        fresh = False
        while True:
            conn = await pool.acquire(fresh)
            try:
                if body is None or isinstance(body, bytes):  # the common case, without another frame
                    transport = conn.transport
                    assert transport is not None
                    conn.begin(method == "HEAD")
                    if not body:
                        transport.write(head)
                    elif len(body) <= _JOIN_BYTES:
                        transport.write(head + body)
                    else:
                        transport.writelines((head, body))
                    await conn.wait_head()
                    conn.check()
                    return self._response(conn)
                return await self._exchange(conn, method, head, body)
            except StaleConnection:
                conn.close()
                if not replayable or fresh:
                    raise
                fresh = True  # once, on a new connection
            except BaseException:
                conn.close()
                raise

    async def _exchange(
        self, conn: Connection, method: str, head: bytes, body: AsyncIterator[bytes]
    ) -> Response:
        """One exchange with a streamed request body."""
        transport = conn.transport
        assert transport is not None
        conn.begin(method == "HEAD")
        transport.write(head)
        await _send_streamed(conn, body, chunked=b"\r\ncontent-length:" not in head)
        return self._response(conn)

    @staticmethod
    def _response(conn: Connection) -> Response:
        content = conn.whole_body()
        if content is not None:
            response = Response(conn.status, conn.headers, content)
            conn.finish()
            return response
        done = _Once(conn)
        return Response(conn.status, conn.headers, stream=conn.stream(done), release=done)

    async def close(self) -> None:
        for origin in self._origins.values():
            origin.pool.close()
        self._origins.clear()


class _Once:
    """Ends one streamed exchange exactly once, whoever gets there first (the stream or the sender)."""

    __slots__ = ("conn",)

    def __init__(self, conn: Connection) -> None:
        self.conn: Connection | None = conn

    def __call__(self) -> None:
        conn = self.conn
        if conn is not None:
            self.conn = None
            conn.finish()


def _head(
    method: str,
    target: str,
    host: bytes,
    headers: RawHeaders,
    body: bytes | AsyncIterator[bytes] | None,
    streamed: bool,
) -> bytes:
    parts = [method.encode("ascii"), b" ", target.encode("latin-1"), b" HTTP/1.1\r\nhost: ", host, b"\r\n"]
    lines = 3  # request line, host, the empty line
    has_length = False
    for name, value in headers:
        if name == b"content-length":
            if not streamed:
                continue  # recomputed from the body below
            has_length = True
        parts += (name, b": ", value, b"\r\n")
        lines += 1
    if isinstance(body, bytes):
        if body or method in _BODY_METHODS:
            parts += (b"content-length: ", str(len(body)).encode(), b"\r\n")
            lines += 1
    elif body is None:
        if method in _BODY_METHODS:
            parts.append(b"content-length: 0\r\n")
            lines += 1
    elif not has_length:
        parts.append(b"transfer-encoding: chunked\r\n")
        lines += 1
    parts.append(b"\r\n")
    head = b"".join(parts)
    # A CR, LF or NUL inside a name or value would split the request (RFC 9110 §5.5).
    if head.count(b"\n") != lines or head.count(b"\r") != lines or b"\x00" in head:
        _check_fields(method, target, host, headers)
    return head


def _check_fields(method: str, target: str, host: bytes, headers: RawHeaders) -> None:
    for name, value in [
        (b"request-target", (method + " " + target).encode("latin-1")),
        (b"host", host),
        *headers,
    ]:
        if any(c in name or c in value for c in (b"\r", b"\n", b"\x00")) or b":" in name or not name:
            raise ValueError(f"refusing to send a header field with a control character ({name!r})")


async def _send_streamed(conn: Connection, body: AsyncIterator[bytes], *, chunked: bool) -> None:
    """Write a streamed body while watching for the response: an upstream may answer early (e.g. 413)."""
    writer = asyncio.get_running_loop().create_task(_write_body(conn, body, chunked))
    head = conn.wait_head()
    try:
        await asyncio.wait((writer, head), return_when=asyncio.FIRST_COMPLETED)
        if head.done() and not conn.failed:
            # The upstream answered; if it did before the whole body was sent, the connection ends
            # with this exchange (RFC 9112 §9.3: the rest of the body would be read as a request).
            if not writer.done() or writer.cancelled() or writer.exception() is not None:
                conn.reusable = False
            return
        if writer.done():
            writer.result()  # the client's body failed (too large, too slow, gone): raise that
        await head
        conn.check()
    finally:
        pending = [task for task in (writer, head) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)


async def _write_body(conn: Connection, body: AsyncIterator[bytes], chunked: bool) -> None:
    transport = conn.transport
    assert transport is not None
    async for chunk in body:
        if not chunk:
            continue
        if conn.closed:
            raise UpstreamError("protocol", "the upstream closed the connection while the body was sent")
        if chunked:
            transport.writelines((b"%x\r\n" % len(chunk), chunk, b"\r\n"))
        else:
            transport.write(chunk)
        await conn.drain()
    if chunked and not conn.closed:
        transport.write(b"0\r\n\r\n")
