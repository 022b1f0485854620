"""A lean HTTP/1.1 server for ASGI applications: the gateway and the mock server run on it.

Parsing is httptools (llhttp, the parser uvicorn and Node.js use); the event loop is uvloop. It
exists because the server's own cost per request decides how fast a Python gateway or mock can go:
on the project machine, uvicorn spent 34 µs of CPU per request on a raw ASGI app, granian 79 µs,
and a bare httptools protocol 13 µs (``benchmarks/bench_gateway.py`` measures the server in place).
It does what these two applications need and no more: HTTP/1.1 and 1.0, keep-alive, pipelining,
``Expect: 100-continue``, chunked and streamed bodies with flow control, limits and timeouts
(:class:`Limits`), TLS with optional client certificates (:func:`server_context`; the ASGI TLS
extension carries the client certificate), the ASGI lifespan, and a graceful shutdown. Not
supported: HTTP/2, WebSocket.

Like :mod:`accord.events`, this is runtime code with I/O inside the engine package (see
docs/architecture.md): the CLI's mock server and the gateway share it, and neither may import the other.
"""

from accord.serve.lifespan import LifespanFailed
from accord.serve.server import Limits, Server, run, serve
from accord.serve.tls import server_context

__all__ = ["LifespanFailed", "Limits", "Server", "run", "serve", "server_context"]
