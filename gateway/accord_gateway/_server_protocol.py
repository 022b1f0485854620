"""uvicorn's httptools protocol with one change: a response head goes out together with its body.

uvicorn writes the status line and headers of a response as soon as the application sends
``http.response.start`` and the body with the next message: two ``send`` calls and two TCP
segments for every response, and the client typically wakes up twice to read them. The gateway
always sends both messages back to back, so the head is held until the body arrives and both go in
one write; a head whose body does not follow in the same event-loop iteration (a streamed
response waiting for its upstream, an interim ``100 Continue``) is written at the end of the
iteration. Nothing else about uvicorn's protocol changes: parsing, limits, keep-alive, flow
control and shutdown are uvicorn's own.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: Bodies up to this size are copied behind the held head; larger ones go out with ``writelines``.
_JOIN_BYTES = 64 * 1024


class _HeadHoldingTransport:
    """The connection's transport as uvicorn sees it; every other attribute is the real transport's."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        held = self._held
        if held is not None:
            self._held = None
            if len(data) <= _JOIN_BYTES:
                self._transport.write(held + data)
            else:
                self._transport.writelines((held, data))
        elif data[-4:] == b"\r\n\r\n" and data[:5] == b"HTTP/":  # a response head: its body follows
            self._held = data
            self._loop.call_soon(self.flush)
        else:
            self._transport.write(data)

    def flush(self) -> None:
        held = self._held
        if held is not None:
            self._held = None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HeadHoldingHttpToolsProtocol(HttpToolsProtocol):
    """``uvicorn.Config(http=...)``: uvicorn's httptools protocol writing head and body together."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_HeadHoldingTransport(transport, self.loop))  # type: ignore[arg-type]
