"""An in-process upstream: an ASGI application called directly (tests, embedding)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from accord_gateway.exchange import Message, Response
from accord_gateway.upstream.base import UpstreamClient, UpstreamError, UpstreamRequest, strip_hop_by_hop


class AsgiClient(UpstreamClient):
    """Calls ``app`` as if it were the upstream at the request URL; the whole body is collected."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls = 0

    async def send(self, request: UpstreamRequest) -> Response:
        self.calls += 1
        parts = urlsplit(request.url)
        chunks: list[bytes] = []
        if isinstance(request.body, bytes):
            chunks.append(request.body)
        elif request.body is not None:
            chunks.extend([chunk async for chunk in _drain(request.body)])
        headers_in = list(request.headers)
        headers_in.append((b"host", (parts.netloc or "upstream").encode("latin-1")))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": parts.scheme,
            "path": parts.path,
            "raw_path": parts.path.encode("latin-1"),
            "query_string": parts.query.encode("latin-1"),
            "root_path": "",
            "headers": headers_in,
            "client": ("127.0.0.1", 40000),
            "server": (parts.hostname or "upstream", parts.port or 80),
        }
        body = b"".join(chunks)
        if body and not any(k == b"content-length" for k, _ in request.headers):
            headers_in.append((b"content-length", str(len(body)).encode()))
        sent = False
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        out: list[bytes] = []

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                out.append(message.get("body", b""))

        try:
            await self.app(scope, receive, send)
        except ConnectionError as exc:
            raise UpstreamError("connect", str(exc)) from None
        except TimeoutError as exc:
            raise UpstreamError("timeout", str(exc) or "timeout") from None
        if not status:
            raise UpstreamError("protocol", "the upstream application sent no response")
        return Response(status, strip_hop_by_hop([(k.lower(), v) for k, v in headers]), b"".join(out))


async def _drain(body: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    async for chunk in body:
        yield chunk
