"""Helpers for the :mod:`accord.serve` tests: a server in the test's own event loop, and a raw-socket
HTTP/1.1 client that keeps the exact bytes it read, so framing can be checked byte for byte."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from accord.serve import Limits, Server

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
Handler = Callable[[Scope, Receive, Send], Awaitable[None]]

#: every wait in these tests is bounded by this (a hung server fails the test, it does not hang it)
TIMEOUT = 5.0
DATE = re.compile(rb"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$")


def http_app(handler: Handler) -> App:
    """An ASGI app that serves HTTP with ``handler`` and ends the lifespan at once (no lifespan)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return
        await handler(scope, receive, send)

    return app


async def respond(
    send: Send,
    status: int = 200,
    body: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """A whole response with a content-length."""
    if headers is None:
        headers = [(b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        assert message["type"] == "http.request", message
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serving(app: App, port: int = 0, **limits: Any) -> AsyncIterator[Server]:
    """``app`` served on 127.0.0.1 in this loop, with ``Limits(**limits)``; shut down afterwards
    (unless the test did it itself)."""
    limits.setdefault("graceful_timeout", 2.0)
    server = Server(app, "127.0.0.1", port, limits=Limits(**limits))
    async with asyncio.timeout(TIMEOUT):
        await server.start()
    try:
        yield server
    finally:
        if not server.stopping:
            async with asyncio.timeout(TIMEOUT):
                await server.shutdown()


@dataclass
class Response:
    status: int
    #: the status line and headers exactly as read, up to and including the blank line
    head: bytes
    headers: list[tuple[bytes, bytes]]
    #: the body as the application wrote it (chunks joined)
    body: bytes
    #: the body as it was framed on the wire (chunk sizes and all)
    raw_body: bytes

    def header(self, name: bytes) -> bytes | None:
        values = [value for key, value in self.headers if key == name]
        assert len(values) <= 1, f"{name!r} appears {len(values)} times"
        return values[0] if values else None

    @property
    def names(self) -> list[bytes]:
        return [key for key, _ in self.headers]

    def problem(self) -> dict[str, Any]:
        assert self.header(b"content-type") == b"application/problem+json"
        value: dict[str, Any] = json.loads(self.body)
        return value


class Client:
    """One raw connection to the server."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @property
    def local_port(self) -> int:
        return int(self.writer.get_extra_info("sockname")[1])

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        async with asyncio.timeout(TIMEOUT):
            await self.writer.drain()

    async def request(
        self, method: str = "GET", path: str = "/", body: bytes = b"", headers: str = ""
    ) -> None:
        length = f"Content-Length: {len(body)}\r\n" if body or method in ("POST", "PUT") else ""
        head = f"{method} {path} HTTP/1.1\r\nHost: test\r\n{length}{headers}\r\n"
        await self.send(head.encode() + body)

    async def response(self, head_request: bool = False, timeout: float = TIMEOUT) -> Response:
        """Read one response, framed as the client would frame it."""
        async with asyncio.timeout(timeout):
            head = await self.reader.readuntil(b"\r\n\r\n")
            status_line, *lines = head[:-4].split(b"\r\n")
            assert status_line.startswith(b"HTTP/1.1 "), status_line
            status = int(status_line[9:12])
            headers: list[tuple[bytes, bytes]] = []
            for line in lines:
                name, sep, value = line.partition(b":")
                assert sep and name == name.strip(), line
                headers.append((name.lower(), value.strip()))
            response = Response(status, head, headers, b"", b"")
            if head_request or status < 200 or status in (204, 304):
                return response
            if response.header(b"transfer-encoding") == b"chunked":
                raw = b""
                body = b""
                while True:
                    size_line = await self.reader.readuntil(b"\r\n")
                    size = int(size_line[:-2], 16)
                    chunk = await self.reader.readexactly(size + 2)
                    assert chunk.endswith(b"\r\n")
                    raw += size_line + chunk
                    body += chunk[:-2]
                    if size == 0:
                        assert chunk == b"\r\n", "no trailers are sent"
                        break
                response.body, response.raw_body = body, raw
            elif (length := response.header(b"content-length")) is not None:
                response.body = response.raw_body = await self.reader.readexactly(int(length))
            else:  # delimited by the close
                response.body = response.raw_body = await self.reader.read()
            return response

    async def read_some(self, timeout: float = TIMEOUT) -> bytes:
        async with asyncio.timeout(timeout):
            return await self.reader.read(65536)

    async def nothing_within(self, seconds: float) -> bool:
        """True when no byte (and no close) arrives for ``seconds``."""
        try:
            async with asyncio.timeout(seconds):
                await self.reader.read(1)
        except TimeoutError:
            return True
        return False

    async def rest(self, timeout: float = TIMEOUT) -> bytes:
        """Everything up to the server's close (fails when the server does not close in time)."""
        async with asyncio.timeout(timeout):
            return await self.reader.read()

    async def until_close_or(self, seconds: float) -> bytes:
        """Whatever arrives within ``seconds`` (less if the server closes first)."""
        data = b""
        try:
            async with asyncio.timeout(seconds):
                while chunk := await self.reader.read(65536):
                    data += chunk
        except TimeoutError:
            pass
        return data

    async def closed(self, timeout: float = TIMEOUT) -> bool:
        """True when the server closes the connection (nothing more arrives) within ``timeout``."""
        try:
            return await self.rest(timeout) == b""
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True

    async def aclose(self) -> None:
        self.writer.close()
        try:
            async with asyncio.timeout(TIMEOUT):
                await self.writer.wait_closed()
        except (ConnectionError, TimeoutError):
            pass


@asynccontextmanager
async def connect(server: Server, rcvbuf: int | None = None) -> AsyncIterator[Client]:
    """A connection to ``server``; ``rcvbuf`` fixes the client's socket receive buffer (no kernel
    auto-tuning), so a client that does not read holds back a known, small amount."""
    sock = socket.socket()
    sock.setblocking(False)
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    try:
        async with asyncio.timeout(TIMEOUT):
            await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", server.port))
            reader, writer = await asyncio.open_connection(sock=sock)
    except BaseException:
        sock.close()
        raise
    client = Client(reader, writer)
    try:
        yield client
    finally:
        await client.aclose()
