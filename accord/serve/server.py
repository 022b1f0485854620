"""Listening, the once-a-second tick (``Date`` header, timeouts), lifespan and graceful shutdown."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from accord.errors import ServeError
from accord.serve.connection import Connection
from accord.serve.lifespan import Lifespan

log = logging.getLogger("accord.serve")


def listen_error(host: str, port: int, exc: OSError) -> ServeError:
    """``cannot listen on host:port: address already in use`` (without the OS's long prefix)."""
    reason = str(exc.strerror or exc).rsplit(": ", 1)[-1]
    return ServeError(f"cannot listen on {host}:{port}: {reason}")


@dataclass(frozen=True)
class Limits:
    """Per-connection limits. The application keeps its own (body size, header size, body time)."""

    #: request line and headers; beyond this the request is answered 431 and the connection closed
    max_head_bytes: int = 64 * 1024
    #: from the first byte of a request head to its end; beyond this 408 and close (slow clients)
    header_timeout: float = 20.0
    #: an idle keep-alive connection is closed after this long
    keep_alive_timeout: float = 15.0
    #: request body buffered before reading pauses until the application takes it
    body_buffer_bytes: int = 256 * 1024
    #: body the application did not read, read and dropped to keep the connection; beyond, it closes
    max_discard_bytes: int = 1024 * 1024
    #: how long shutdown waits for requests in flight
    graceful_timeout: float = 30.0


class Server:
    """An HTTP/1.1 server for one ASGI application (see :mod:`accord.serve`)."""

    def __init__(
        self,
        app: Any,
        host: str = "127.0.0.1",
        port: int = 8000,
        limits: Limits | None = None,
        sock: socket.socket | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.app = app
        self.ssl_context = ssl_context  # TLS (and client certificates) when given
        self.sock = sock  # an already listening socket (shared by pre-forked workers) instead of host:port
        self.host = host
        self.port = port
        self.limits = limits or Limits()
        self.connections: set[Connection] = set()
        self.tasks: set[asyncio.Task[None]] = set()  # requests being served
        self.state: dict[str, Any] = {}  # the lifespan state, copied into every request's scope
        self.stopping = False
        self.date_line = b""
        self._listener: asyncio.Server | None = None
        self._tick_handle: asyncio.TimerHandle | None = None
        self._lifespan: Lifespan | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        assert self._loop is not None, "the server has not started"
        return self._loop

    async def start(self) -> None:
        """Run the application's start-up, then listen. Raises :class:`ServeError` on failure."""
        self._loop = asyncio.get_running_loop()
        self._tick()
        self._lifespan = Lifespan(self.app, self.state)
        try:
            await self._lifespan.startup()
        except BaseException:
            self._stop_ticking()
            raise
        where: dict[str, Any] = (
            {"sock": self.sock}
            if self.sock is not None
            else {"host": self.host, "port": self.port, "reuse_address": True}
        )
        try:
            self._listener = await self._loop.create_server(
                lambda: Connection(self), backlog=2048, ssl=self.ssl_context, **where
            )
        except OSError as exc:
            self._stop_ticking()
            await self._lifespan.shutdown()
            raise listen_error(self.host, self.port, exc) from None
        sockets = self._listener.sockets
        if sockets:
            self.port = int(sockets[0].getsockname()[1])

    def _tick(self) -> None:
        self.date_line = b"date: " + formatdate(time.time(), usegmt=True).encode() + b"\r\n"
        now = self.loop.time()
        for conn in list(self.connections):
            conn.check_timeouts(now)
        self._tick_handle = self.loop.call_later(1.0, self._tick)

    def _stop_ticking(self) -> None:
        if self._tick_handle is not None:
            self._tick_handle.cancel()
            self._tick_handle = None

    async def shutdown(self) -> None:
        """Stop accepting, let requests in flight finish (up to ``graceful_timeout``), then stop."""
        self.stopping = True
        if self._listener is not None:
            self._listener.close()
        for conn in list(self.connections):
            conn.shutdown()
        deadline = self.loop.time() + self.limits.graceful_timeout
        while (self.connections or self.tasks) and self.loop.time() < deadline:
            await asyncio.sleep(0.02)
        for conn in list(self.connections):
            conn.close()
        if self.tasks:  # told of the disconnect; what still runs is cancelled before the app shuts down
            await asyncio.wait(set(self.tasks), timeout=0.1)
            for task in self.tasks:
                task.cancel()
            if self.tasks:
                await asyncio.wait(set(self.tasks), timeout=5.0)
        if self._listener is not None:
            await self._listener.wait_closed()
        self._stop_ticking()
        if self._lifespan is not None:
            await self._lifespan.shutdown()

    async def serve(self, stop: asyncio.Event, on_started: Callable[[Server], None] | None = None) -> None:
        """Start, serve until ``stop`` is set, shut down gracefully."""
        await self.start()
        try:
            if on_started is not None:
                on_started(self)
            await stop.wait()
        finally:
            await self.shutdown()


async def serve(
    app: Any,
    host: str,
    port: int,
    *,
    limits: Limits | None = None,
    on_started: Callable[[Server], None] | None = None,
    sock: socket.socket | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Serve ``app`` until SIGINT or SIGTERM, then shut down gracefully (on ``sock`` if given)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await Server(app, host, port, limits, sock, ssl_context).serve(stop, on_started)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def run(
    app: Any,
    host: str,
    port: int,
    *,
    limits: Limits | None = None,
    on_started: Callable[[Server], None] | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """:func:`serve` on a new event loop (uvloop when installed)."""
    main = serve(app, host, port, limits=limits, on_started=on_started, ssl_context=ssl_context)
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency; plain asyncio works too
        asyncio.run(main)
        return
    uvloop.run(main)
