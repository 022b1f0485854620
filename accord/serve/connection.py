"""One client connection: bytes in through httptools (llhttp), requests out as :class:`.Cycle` s.

Requests on a connection are served one at a time in arrival order (pipelined ones wait, and
reading pauses while one does); a request body is buffered up to a limit before reading pauses.
Protocol errors are answered with a problem+json response and the connection is closed: a head
that is not HTTP/1.x (400), a head over the size limit (431), a head that does not finish in time
(408). ``Upgrade`` (WebSocket, h2c) is not supported: such a request is served as plain HTTP/1.1
and the connection closes after it.
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
from collections import deque
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httptools

from accord.serve.cycle import Cycle, problem_response

if TYPE_CHECKING:
    from accord.serve.server import Server

_ASGI = {"version": "3.0", "spec_version": "2.3"}
_METHODS: dict[bytes, str] = {}


def tls_extension(ssl_object: ssl.SSLObject) -> dict[str, Any]:
    """The ASGI TLS extension of a connection: the client certificate (already verified against
    the configured CA by the handshake, when one is required), its subject, the TLS version."""
    der = ssl_object.getpeercert(binary_form=True)
    chain = [ssl.DER_cert_to_PEM_cert(der)] if der else []
    subject = ""
    if der:
        fields: dict[str, Any] = dict(ssl_object.getpeercert() or {})
        subject = ",".join(f"{name}={value}" for rdn in fields.get("subject", ()) for name, value in rdn)
    return {
        "server_cert": None,
        "client_cert_chain": chain,
        "client_cert_name": subject or None,
        "client_cert_error": None,
        "client_cert_sha256": hashlib.sha256(der).hexdigest() if der else None,
        "tls_version": ssl_object.version(),
        "cipher_suite": (ssl_object.cipher() or (None,))[0],
    }


class HeadTooLarge(Exception):
    """The request line and headers exceed ``Limits.max_head_bytes``."""


class _Closed(Exception):
    """Raised from a parser callback to stop parsing a connection that was just closed."""


class Connection(asyncio.Protocol):
    """asyncio protocol for one accepted socket (see the module docstring)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.loop = server.loop
        self.limits = server.limits
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.client: tuple[str, int] | None = None
        self.sockname: tuple[str, int] | None = None
        self.scheme = "http"
        self.extensions: dict[str, Any] | None = None  # ASGI TLS extension on TLS connections
        # the request head being parsed
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.head_bytes = 0  # counted from the parsed request line and headers
        self.head_raw = 0  # counted from the reads that ended inside the head
        self.in_head = False
        self.head_started = 0.0
        self.expect_continue = False
        # requests
        self.parsing: Cycle | None = None  # whose body is arriving
        self.active: Cycle | None = None  # being served
        self.queue: deque[Cycle] = deque()
        self.last_active = self.loop.time()
        self.read_paused = False
        self.write_paused = False
        self.drain_waiters: list[asyncio.Future[None]] = []
        self.closed = False
        self.stopping = False  # no request after the current one (upgrade refused, server shutting down)
        self.refusal: bytes | None = None  # a protocol error's answer, due after the current response
        self.body_bytes_read = 0  # request body in the read being parsed

    # -- asyncio.Protocol --------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        sock = transport.get_extra_info("sockname")
        self.client = (str(peer[0]), int(peer[1])) if isinstance(peer, tuple) else None
        self.sockname = (str(sock[0]), int(sock[1])) if isinstance(sock, tuple) else None
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None:
            self.scheme = "https"
            self.extensions = {"tls": tls_extension(ssl_object)}
        self.server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed:
            self._release()

    def data_received(self, data: bytes) -> None:
        if self.stopping and self.active is None and self.parsing is None:
            return
        self.last_active = self.loop.time()
        was_in_head = self.in_head
        self.body_bytes_read = 0
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.stopping = True  # the request is served as plain HTTP/1.1; what follows is ignored
            self.pause_reading()
        except httptools.HttpParserCallbackError as exc:
            if isinstance(exc.__context__, HeadTooLarge):
                self.refuse(431, "The request head is too large.")
            elif not isinstance(exc.__context__, _Closed):
                raise
        except httptools.HttpParserError as exc:
            self.refuse(400, f"Invalid HTTP request: {str(exc) or type(exc).__name__}.")
        else:
            if self.in_head:
                # A head that spans reads: count it here too, httptools buffers a header until it ends.
                # (A read that also ended the previous request counts less that request's body.)
                self.head_raw += len(data) if was_in_head else len(data) - self.body_bytes_read
                if self.head_raw > self.limits.max_head_bytes:
                    self.refuse(431, "The request head is too large.")

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        self._wake_drain()

    # -- httptools callbacks -----------------------------------------------------------------------
    def on_message_begin(self) -> None:
        if self.closed:
            raise _Closed
        self.url = b""
        self.headers = []
        self.head_bytes = 0
        self.head_raw = 0
        self.in_head = True
        self.expect_continue = False
        self.head_started = self.loop.time()

    def on_url(self, url: bytes) -> None:
        self.url += url
        self.head_bytes += len(url)
        if self.head_bytes > self.limits.max_head_bytes:
            raise HeadTooLarge

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_bytes += len(name) + len(value) + 4  # trailers count too
        if self.head_bytes > self.limits.max_head_bytes:
            raise HeadTooLarge
        if not self.in_head:
            return  # a trailer of a chunked body: never merged into the request's headers
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_continue = True
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.in_head = False
        parser = self.parser
        raw_method = parser.get_method()
        method = _METHODS.get(raw_method)
        if method is None:
            method = raw_method.decode("ascii", "replace")
            if len(_METHODS) < 64:
                _METHODS[raw_method] = method
        url = self.url
        if url[:1] == b"/":
            raw_path, _, query = url.partition(b"?")
            if b"#" in url:
                raw_path = raw_path.partition(b"#")[0]
                query = query.partition(b"#")[0]
        else:  # absolute-form (a proxy request) or asterisk-form
            try:
                parsed = httptools.parse_url(url)
                raw_path, query = parsed.path or b"/", parsed.query or b""
            except httptools.HttpParserInvalidURLError:
                raw_path, query = url, b""
        text = raw_path.decode("latin-1")
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": _ASGI,
            "http_version": parser.get_http_version(),
            "server": self.sockname,
            "client": self.client,
            "scheme": self.scheme,
            "method": method,
            "root_path": "",
            "path": unquote(text) if "%" in text else text,
            "raw_path": raw_path,
            "query_string": query,
            "headers": self.headers,
            "state": self.server.state.copy(),
        }
        if self.extensions is not None:
            scope["extensions"] = self.extensions
        if parser.should_upgrade():
            self.stopping = True  # served as plain HTTP/1.1, then the connection closes
        keep_alive = parser.should_keep_alive() and not self.stopping and not self.server.stopping
        cycle = Cycle(self, scope, keep_alive, self.expect_continue)
        self.parsing = cycle
        if self.active is None:
            self._start(cycle)
        else:
            self.queue.append(cycle)
            self.pause_reading()

    def on_body(self, body: bytes) -> None:
        self.body_bytes_read += len(body)
        cycle = self.parsing
        if cycle is None:
            return
        cycle.feed(body)
        if cycle.discard:
            if cycle.discarded > self.limits.max_discard_bytes:
                self.close()
                raise _Closed
        elif cycle.buffered > self.limits.body_buffer_bytes:
            self.pause_reading()

    def on_message_complete(self) -> None:
        cycle = self.parsing
        self.parsing = None
        if cycle is None:
            return
        cycle.end()
        if cycle.discard:
            self._next()

    # -- serving -----------------------------------------------------------------------------------
    def _start(self, cycle: Cycle) -> None:
        self.active = cycle
        task = self.loop.create_task(cycle.run())
        tasks = self.server.tasks
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def cycle_finished(self, cycle: Cycle) -> None:
        """The application returned (its response is complete, or the connection is closing)."""
        self.active = None
        if self.closed:
            return
        if not cycle.keep_alive or not cycle.complete:
            self.close()
            return
        if cycle.more_body:  # the application did not read the whole body: read and drop the rest
            cycle.discard = True
            cycle.chunks = []
            self.resume_reading()
            return
        self._next()

    def _next(self) -> None:
        self.last_active = self.loop.time()
        if self.stopping or self.server.stopping:
            if self.queue:
                self.queue.clear()
            if self.refusal is not None:
                self.write(self.refusal)
            self.close()
            return
        if self.queue:
            self._start(self.queue.popleft())
        if not self.queue:
            self.resume_reading()

    def refuse(self, status: int, detail: str) -> None:
        """A protocol error: answer it with a problem and close the connection.

        A malformed body ends its own request (its application sees ``http.disconnect``; the problem
        replaces its answer unless that has started). An error in a later request's head is answered
        after the response under way, and requests pipelined behind it are dropped.
        """
        self.stopping = True
        self.pause_reading()
        refusal = problem_response(status, detail, self.server.date_line)
        parsing, self.parsing = self.parsing, None
        active = self.active
        if parsing is not None:
            parsing.disconnect()
            if parsing is active:
                if not active.started:
                    active.started = active.complete = True  # the application's answer is dropped
                    active.keep_alive = False
                    self.write(refusal)
                    self.close()
                return  # otherwise closed once its response is done
        if active is None:
            self.write(refusal)
            self.close()
        else:
            self.refusal = refusal

    # -- timeouts and shutdown (called by the server's once-a-second tick) -------------------------
    def check_timeouts(self, now: float) -> None:
        limits = self.limits
        parsing = self.parsing
        if self.active is None and parsing is not None and parsing.discard:
            if now - self.last_active > limits.keep_alive_timeout:
                self.close()  # a body nobody reads, and the client stopped sending it
            return
        if self.active is not None or parsing is not None or self.queue:
            return
        if self.in_head:
            if now - self.head_started > limits.header_timeout:
                self.refuse(408, "The request head did not arrive in time.")
        elif now - self.last_active > limits.keep_alive_timeout:
            self.close()

    def shutdown(self) -> None:
        """Stop after the request being served; an idle connection closes now."""
        self.stopping = True
        active = self.active
        if active is None:
            self.close()
        else:
            active.keep_alive = False  # its response says `connection: close`
            self.pause_reading()

    # -- transport helpers -------------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        transport = self.transport
        if transport is not None and not self.closed:
            transport.write(data)

    def writelines(self, *data: bytes) -> None:
        transport = self.transport
        if transport is not None and not self.closed:
            transport.writelines(data)

    async def drain(self) -> None:
        if self.write_paused and not self.closed:
            waiter: asyncio.Future[None] = self.loop.create_future()
            self.drain_waiters.append(waiter)
            await waiter

    def _wake_drain(self) -> None:
        waiters, self.drain_waiters = self.drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def pause_reading(self) -> None:
        if not self.read_paused and self.transport is not None and not self.closed:
            self.read_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if (
            self.read_paused
            and not self.closed
            and not self.queue
            and not (self.stopping and self.parsing is None)
            and self.transport is not None
        ):
            self.read_paused = False
            self.transport.resume_reading()

    def close(self) -> None:
        if not self.closed and self.transport is not None:
            self.transport.close()
            self._release()

    def _release(self) -> None:
        """The connection is gone: forget it, and tell its requests and writers."""
        self.closed = True
        self.server.connections.discard(self)
        for cycle in (self.active, self.parsing, *self.queue):
            if cycle is not None:
                cycle.disconnect()
        self._wake_drain()
