"""One request/response exchange of a connection: the ASGI ``receive`` and ``send`` of one request.

The connection (:mod:`.connection`) parses and feeds the request body in; the cycle hands it to the
application as ``http.request`` messages and turns the application's ``http.response.*`` messages
into HTTP/1.1 bytes. Framing is the server's business: the application's ``Content-Length`` is
honoured and enforced, otherwise the body is chunked (HTTP/1.1) or delimited by closing (HTTP/1.0);
``Transfer-Encoding`` and ``Connection`` headers from the application are not passed through.
"""

from __future__ import annotations

import asyncio
import json
import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accord.serve.connection import Connection

log = logging.getLogger("accord.serve")

Message = dict[str, Any]

DISCONNECT: Message = {"type": "http.disconnect"}
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
#: Bodies up to this size are copied behind the response head (one write); larger ones go with writelines.
JOIN_BYTES = 64 * 1024


def _status_line(status: int) -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"HTTP/1.1 {status} {phrase}\r\n".encode("latin-1")


STATUS_LINES = {int(status): _status_line(int(status)) for status in HTTPStatus}


def problem_response(status: int, detail: str | None, date_line: bytes, *, with_body: bool = True) -> bytes:
    """A whole ``application/problem+json`` response that closes the connection (the server's own
    answers: protocol errors, an application that failed before responding)."""
    problem: dict[str, Any] = {"type": "about:blank", "title": STATUS_LINES[status][13:-2].decode()}
    problem["status"] = status
    if detail is not None:
        problem["detail"] = detail
    body = json.dumps(problem, separators=(",", ":")).encode()
    return (
        STATUS_LINES[status]
        + b"content-type: application/problem+json\r\ncontent-length: %d\r\nconnection: close\r\n" % len(body)
        + date_line
        + b"\r\n"
        + (body if with_body else b"")
    )


class ProtocolViolation(RuntimeError):
    """The application broke the ASGI HTTP protocol (a second start, a body before the start, …)."""


class ClientDisconnected(OSError):
    """``send`` after the client has gone (ASGI 2.4: the server raises an ``OSError``)."""


class Cycle:
    """The ASGI view of one request; created by the connection when the request head is complete."""

    __slots__ = (
        "buffered",
        "chunked",
        "chunks",
        "complete",
        "conn",
        "discard",
        "discarded",
        "disconnected",
        "expect_continue",
        "expected",
        "final_delivered",
        "head",
        "head_request",
        "http10",
        "keep_alive",
        "more_body",
        "no_body",
        "scope",
        "sent",
        "started",
        "waiter",
    )

    def __init__(
        self, conn: Connection, scope: dict[str, Any], keep_alive: bool, expect_continue: bool
    ) -> None:
        self.conn = conn
        self.scope = scope
        self.keep_alive = keep_alive
        self.expect_continue = expect_continue
        self.head_request = scope["method"] == "HEAD"
        self.http10 = scope["http_version"] == "1.0"
        # request body, fed by the connection
        self.chunks: list[bytes] = []
        self.buffered = 0
        self.more_body = True
        self.final_delivered = False
        self.discard = False  # the application is done: the rest of the body is read and dropped
        self.discarded = 0
        self.disconnected = False
        self.waiter: asyncio.Future[None] | None = None
        # response
        self.started = False
        self.complete = False
        self.head: bytes | None = None
        self.chunked = False
        self.no_body = False
        self.expected: int | None = None
        self.sent = 0

    # -- fed by the connection ---------------------------------------------------------------------
    def feed(self, body: bytes) -> None:
        if self.discard:
            self.discarded += len(body)
            return
        self.chunks.append(body)
        self.buffered += len(body)
        self.wake()

    def end(self) -> None:
        self.more_body = False
        self.wake()

    def disconnect(self) -> None:
        self.disconnected = True
        self.wake()

    def wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- ASGI receive ------------------------------------------------------------------------------
    async def receive(self) -> Message:
        while True:
            if self.chunks or (not self.more_body and not self.final_delivered):
                chunks = self.chunks
                body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                self.chunks = []
                self.buffered = 0
                if not self.more_body:
                    self.final_delivered = True
                else:
                    self.conn.resume_reading()
                return {"type": "http.request", "body": body, "more_body": self.more_body}
            if self.disconnected or self.complete:
                return DISCONNECT
            if self.more_body and self.expect_continue and not self.started:
                self.expect_continue = False
                self.conn.write(CONTINUE)
            self.waiter = self.conn.loop.create_future()
            self.conn.resume_reading()
            try:
                await self.waiter
            finally:
                self.waiter = None

    # -- ASGI send ---------------------------------------------------------------------------------
    async def send(self, message: Message) -> None:
        if self.disconnected:
            raise ClientDisconnected("the client has disconnected")
        kind = message["type"]
        if kind == "http.response.body":
            if not self.started or self.complete:
                raise ProtocolViolation(
                    "http.response.body before http.response.start or after the last body"
                )
            await self._body(message.get("body", b""), message.get("more_body", False))
        elif kind == "http.response.start":
            if self.started:
                raise ProtocolViolation("http.response.start sent twice")
            self._start(message["status"], message.get("headers", ()))
        else:
            raise ProtocolViolation(f"unexpected ASGI message {kind!r}")

    def _start(self, status: int, headers: Any) -> None:
        """Build the response head (held until the body); nothing is marked started unless it is valid."""
        lines = [STATUS_LINES.get(status) or _status_line(status)]
        length: int | None = None
        close = not self.keep_alive
        dated = False
        for name, value in headers:
            lower = name.lower()
            if lower == b"content-length":
                if not value.isdigit():
                    raise ProtocolViolation(f"invalid Content-Length {value!r}")
                length = int(value)
            elif lower == b"transfer-encoding":
                continue  # framing is the server's
            elif lower == b"connection":
                close = close or value.lower() == b"close"
                continue
            elif lower == b"date":
                dated = True
            lines.append(b"%s: %s\r\n" % (name, value))
        count = len(lines)
        head = b"".join(lines)
        # Every line ends in exactly one CRLF: a CR or LF inside a name or value (response splitting)
        # shows up as an extra one.
        if head.count(b"\n") != count or head.count(b"\r") != count:
            raise ProtocolViolation("a response header contains CR or LF")
        no_body = self.head_request or status in (204, 304) or status < 200
        chunked = length is None and not no_body
        if chunked and self.http10:
            chunked = False
            close = True  # HTTP/1.0 without a length: the body ends where the connection does
        tail = [head]
        if chunked:
            tail.append(b"transfer-encoding: chunked\r\n")
        if no_body:
            length = None  # a HEAD, 204 or 304 response keeps the header but carries no body
        if close:
            self.keep_alive = False
            tail.append(b"connection: close\r\n")
        elif self.http10:
            tail.append(b"connection: keep-alive\r\n")
        if not dated:
            tail.append(self.conn.server.date_line)
        tail.append(b"\r\n")
        self.started = True
        self.expect_continue = False
        self.head = b"".join(tail)
        self.chunked = chunked
        self.no_body = no_body
        self.expected = length
        # A body normally follows at once and goes out in the same write; a streamed one may not.
        self.conn.loop.call_soon(self.flush_head)

    def flush_head(self) -> None:
        head = self.head
        if head is not None:
            self.head = None
            self.conn.write(head)

    async def _body(self, body: bytes, more: bool) -> None:
        if self.no_body:
            data = b""
        elif self.chunked:
            data = b"%x\r\n%b\r\n" % (len(body), body) if body else b""
            if not more:
                data += b"0\r\n\r\n"
        else:
            data = body
            self.sent += len(body)
            if self.expected is not None and self.sent > self.expected:
                if self.head is not None:  # nothing written yet: a 500 can still replace it
                    self.head = None
                    self.started = False
                raise ProtocolViolation("the response body is longer than its Content-Length")
        conn = self.conn
        head = self.head
        if head is not None:
            self.head = None
            if len(data) <= JOIN_BYTES:
                conn.write(head + data)
            else:
                conn.writelines(head, data)
        elif data:
            conn.write(data)
        if not more:
            self.complete = True
            if self.expected is not None and self.sent < self.expected:
                self.keep_alive = False  # the client cannot tell where this response ends
            self.wake()
        elif conn.write_paused:
            await conn.drain()

    # -- running the application -------------------------------------------------------------------
    async def run(self) -> None:
        conn = self.conn
        try:
            await conn.server.app(self.scope, self.receive, self.send)
        except BaseException as exc:
            if isinstance(exc, ClientDisconnected):
                log.debug("the client left during %s %s", self.scope["method"], self.scope["path"])
            elif not isinstance(exc, asyncio.CancelledError):
                log.error(
                    "the application failed on %s %s", self.scope["method"], self.scope["path"], exc_info=exc
                )
            self._fail()
            if not isinstance(exc, Exception):
                raise
        else:
            if not self.complete and not self.disconnected:
                log.error("the application returned without a complete response")
                self._fail()
        finally:
            conn.cycle_finished(self)

    def _fail(self) -> None:
        self.keep_alive = False
        if not self.started:
            self.head = None
            self.conn.write(
                problem_response(500, None, self.conn.server.date_line, with_body=not self.head_request)
            )
            self.started = self.complete = True
        elif not self.complete:
            self.flush_head()
            self.complete = True
