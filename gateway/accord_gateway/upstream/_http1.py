"""One keep-alive HTTP/1.1 connection to an upstream (RFC 9112), driven by :mod:`.http1_client`.

The connection is an ``asyncio.Protocol``: the request is written with one ``transport.write``
(head and body together), and the response is parsed by ``httptools`` (llhttp) from
``data_received``, without a task or stream reader per request. A response whose body is small
and has a known length is collected whole and wakes the caller once; anything else is handed to
the caller as soon as its head arrives and its body streams with flow control (reading pauses
while more than ``HIGH_WATER`` bytes wait for the consumer).

Hard cases handled here:

* interim ``1xx`` responses (RFC 9110 §15.2) are skipped; ``101`` is a protocol error (the gateway
  never asks to upgrade);
* responses to ``HEAD`` have no body whatever their ``Content-Length`` says (RFC 9110 §9.3.2);
* a body without ``Content-Length`` or chunked framing ends when the upstream closes
  (RFC 9112 §6.3, rule 8); such a connection is never reused;
* the upstream closing an idle keep-alive connection removes it from the pool; closing it before
  sending a single byte of the response is reported as :class:`StaleConnection` so that the client
  can retry requests that are safe to replay;
* "seconds without data" timeouts: one timer per request, pushed back by arriving data, paused
  while the consumer holds reading back;
* hop-by-hop fields (RFC 9110 §7.6.1), including those named by ``Connection``, and ``Date`` (the
  gateway's server stamps its own) never reach the caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

import httptools

from accord_gateway.exchange import RawHeaders
from accord_gateway.upstream.base import HOP_BY_HOP, UpstreamError

if TYPE_CHECKING:
    from accord_gateway.upstream.http1_client import Pool

#: Response bodies up to this size with a known length are collected and returned whole.
READ_WHOLE_BYTES = 256 * 1024
#: Reading from the upstream pauses while this much streamed body waits for the consumer.
HIGH_WATER = 256 * 1024
LOW_WATER = 64 * 1024
#: Upper bound of a response head (its fields, and the bytes received before it is complete).
MAX_HEAD_BYTES = 64 * 1024
_DROPPED = HOP_BY_HOP | {b"date"}


class StaleConnection(UpstreamError):
    """A reused connection was closed before any byte of the response arrived."""

    def __init__(self, message: str) -> None:
        super().__init__("protocol", message)


class Connection(asyncio.Protocol):
    """A pooled connection; one request at a time."""

    __slots__ = (
        "_buffered",
        "_chunked",
        "_chunks",
        "_connection_named",
        "_content_length",
        "_drain",
        "_error",
        "_head_bytes",
        "_head_only",
        "_interim",
        "_last_data",
        "_loop",
        "_parser",
        "_reading_paused",
        "_received_head",
        "_stream_mode",
        "_timeout",
        "_timer",
        "_waiter",
        "_write_paused",
        "active",
        "closed",
        "complete",
        "headers",
        "headers_done",
        "idle_since",
        "keep_alive",
        "pool",
        "received",
        "reusable",
        "served",
        "status",
        "transport",
    )

    def __init__(self, pool: Pool, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        self.pool = pool
        self._loop = loop
        self._timeout = timeout
        self._parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.closed = False
        #: requests completed on this connection (0: fresh, never reused)
        self.served = 0
        self.idle_since = 0.0
        self.active = False
        self._timer: asyncio.TimerHandle | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._drain: asyncio.Future[None] | None = None
        self._write_paused = False
        self._reading_paused = False
        self._reset(False)

    def _reset(self, head_only: bool) -> None:
        self._head_only = head_only
        self.status = 0
        self.headers: RawHeaders = []
        self._chunks: list[bytes] = []
        self._buffered = 0
        self._head_bytes = 0
        self._received_head = 0
        self._content_length: int | None = None
        self._chunked = False
        self._connection_named: list[bytes] | None = None
        self._interim = False
        self._stream_mode = False
        self._error: UpstreamError | None = None
        self.received = False
        self.headers_done = False
        self.complete = False
        self.keep_alive = False
        self.reusable = True

    # -- asyncio.Protocol --------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if not self.active:  # bytes nobody asked for: the connection cannot be trusted any more
            self.close()
            return
        self.received = True
        self._last_data = self._loop.time()
        try:
            self._parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade) as exc:
            if not self.complete:
                self._fail(UpstreamError("protocol", f"malformed response from the upstream: {exc}"))
            self.close()
            return
        if not self.headers_done:
            self._received_head += len(data)
            if self._received_head > MAX_HEAD_BYTES:  # a head that never ends: llhttp has no limit
                self._fail(UpstreamError("protocol", "the upstream's response head is too large"))
        if self._error is not None:
            self.close()

    def eof_received(self) -> bool | None:
        return None  # let the transport close; connection_lost decides what the EOF meant

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._cancel_timer()
        if self.active and not self.complete:
            if self.headers_done and self._until_close():
                self._on_complete()  # RFC 9112 §6.3 rule 8: the close ends the body
            elif not self.received and self.served:
                self._fail(StaleConnection("the upstream closed the kept-alive connection"))
            else:
                reason = f": {exc}" if exc else ""
                self._fail(
                    UpstreamError("protocol", f"the upstream closed the connection mid-response{reason}")
                )
        drain = self._drain
        if drain is not None and not drain.done():
            drain.set_result(None)
        self.pool.forget(self)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        drain = self._drain
        if drain is not None and not drain.done():
            drain.set_result(None)

    # -- httptools callbacks -----------------------------------------------------------------------
    def on_message_begin(self) -> None:
        if self.complete:  # a second response to one request: never reuse this connection
            self.reusable = False

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.complete:  # bytes after the response: never reuse this connection
            self.reusable = False
            return
        self._head_bytes += len(name) + len(value)
        if self._head_bytes > MAX_HEAD_BYTES:
            self._fail(UpstreamError("protocol", "the upstream's response head is too large"))
            return
        name = name.lower()
        if name in _DROPPED:
            if name == b"transfer-encoding":
                self._chunked = True
            elif name == b"connection":
                tokens = [t.strip().lower() for t in value.split(b",")]
                named = [t for t in tokens if t and t not in (b"close", b"keep-alive")]
                if named:
                    self._connection_named = (self._connection_named or []) + named
            return
        if name == b"content-length":
            self._content_length = int(value)  # llhttp refused anything but digits already
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        if self.complete:
            return
        status = self._parser.get_status_code()
        if status < 200:
            if status == 101:
                self._fail(UpstreamError("protocol", "the upstream switched protocols unasked"))
                return
            # RFC 9110 §15.2: interim responses are skipped; the final one follows.
            self._interim = True
            self.headers = []
            self._head_bytes = 0
            self._content_length = None
            self._chunked = False
            self._connection_named = None
            return
        self.status = status
        self.headers_done = True
        self.keep_alive = self._parser.should_keep_alive()
        if self._connection_named:
            named = set(self._connection_named)
            self.headers = [(k, v) for k, v in self.headers if k not in named]
        if self._head_only:
            # A HEAD response has no body whatever its fields say; llhttp would wait for one, so this
            # parser is done and the next request gets a fresh one.
            self._parser = httptools.HttpResponseParser(self)
            self._on_complete()
            return
        length = self._content_length
        if (length is None or length > READ_WHOLE_BYTES) and status not in (204, 304):
            self._stream_mode = True
            self._wake()

    def on_body(self, body: bytes) -> None:
        if self._interim or self.complete:
            self.reusable = self.reusable and self._interim
            return
        self._chunks.append(body)
        self._buffered += len(body)
        if self._stream_mode:
            if self._buffered > HIGH_WATER and not self._reading_paused and self.transport is not None:
                self._reading_paused = True
                self.transport.pause_reading()
            self._wake()

    def on_message_complete(self) -> None:
        if self._interim:
            self._interim = False
        elif not self.complete and self.headers_done:
            self._on_complete()

    # -- request side --------------------------------------------------------------------------------
    def begin(self, head_only: bool) -> None:
        """Prepare for the next exchange; the "no data" timer is armed unless it still is.

        The timer is not cancelled when an exchange ends: on a busy connection it fires once per
        ``timeout`` seconds, finds recent data and re-arms itself, instead of being created and
        cancelled for every request.
        """
        self._reset(head_only)
        self.active = True
        self._waiter = self._loop.create_future()
        self._last_data = now = self._loop.time()
        if self._timer is None:
            self._timer = self._loop.call_at(now + self._timeout, self._on_timer)

    def wait_head(self) -> asyncio.Future[None]:
        """Done when the response is complete (small bodies) or its head arrived (streamed bodies);
        then :meth:`check` raises what went wrong, if anything."""
        waiter = self._waiter
        assert waiter is not None
        return waiter

    @property
    def failed(self) -> bool:
        return self._error is not None

    def check(self) -> None:
        """Raise the exchange's failure, if it failed."""
        if self._error is not None:
            raise self._error

    def whole_body(self) -> bytes | None:
        """The body when the whole response is in, else None (it will stream)."""
        if not self.complete:
            return None
        chunks = self._chunks
        if not chunks:
            return b""
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def drain(self) -> None:
        """Wait while the transport's write buffer is over its high-water mark."""
        while self._write_paused and not self.closed:
            self._drain = self._loop.create_future()
            await self._drain
            self._drain = None
        if self.closed:
            raise UpstreamError("protocol", "the upstream closed the connection while the body was sent")

    def finish(self) -> None:
        """The exchange is over: back to the pool when the connection can carry another request."""
        if not self.active:
            return
        self.active = False
        if self.complete and self.keep_alive and self.reusable and not self.closed:
            self.served += 1
            self._chunks = []
            self.headers = []
            self.pool.release(self)
        else:
            self.close()

    def close(self) -> None:
        """Close now (an incomplete exchange or an unusable connection)."""
        if self.active and not self.complete:  # whoever waits for the rest must not wait forever
            self._fail(UpstreamError("protocol", "the connection to the upstream was closed"))
        self.active = False
        self._cancel_timer()
        if not self.closed:
            self.closed = True
            if self.transport is not None:
                self.transport.abort()  # connection_lost follows
            self.pool.forget(self)

    async def stream(self, on_done: Callable[[], None]) -> AsyncIterator[bytes]:
        """The body chunk by chunk; ``on_done`` runs when it ends, is abandoned or fails."""
        try:
            while True:
                chunks = self._chunks
                if chunks:
                    self._chunks = []
                    self._buffered = 0
                    if self._reading_paused and self.transport is not None and not self.closed:
                        self._reading_paused = False
                        self.transport.resume_reading()
                    for chunk in chunks:
                        yield chunk
                    continue
                if self._error is not None:
                    raise self._error
                if self.complete:
                    return
                self._waiter = self._loop.create_future()
                await self._waiter
        finally:
            on_done()

    # -- internals -------------------------------------------------------------------------------
    def _until_close(self) -> bool:
        return (
            self._content_length is None
            and not self._chunked
            and not self._head_only
            and self.status not in (204, 304)
        )

    def _on_complete(self) -> None:
        self.complete = True
        if self._reading_paused and self.transport is not None and not self.closed:
            self._reading_paused = False
            self.transport.resume_reading()
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _fail(self, error: UpstreamError) -> None:
        if self._error is None:
            self._error = error
        self.reusable = False
        self._cancel_timer()
        self._wake()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_timer(self) -> None:
        self._timer = None
        if not self.active or self.complete or self._error is not None or self.closed:
            return  # idle: the next exchange arms a new timer
        now = self._loop.time()
        if self._reading_paused:  # the consumer is slow, not the upstream
            self._last_data = now
        deadline = self._last_data + self._timeout
        if now < deadline:
            self._timer = self._loop.call_at(deadline, self._on_timer)
            return
        what = "the response body" if self.headers_done else "a response"
        self._fail(UpstreamError("timeout", f"no data from the upstream for {self._timeout:g} s ({what})"))
        self.close()
