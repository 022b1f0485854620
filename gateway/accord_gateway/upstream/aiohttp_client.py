"""Pooled upstream client on ``aiohttp`` (``upstream.client: aiohttp``; the default is
:class:`~accord_gateway.upstream.Http1Client`, see docs/gateway.md#upstream-client).

One ``ClientSession`` per upstream with keep-alive connections. The session is tuned for a proxy:
no cookie jar, no automatic ``Accept``/``Accept-Encoding``/``User-Agent`` headers, no
decompression (bodies pass through byte for byte, ``Content-Length`` stays true), no redirects.
Small bodies with a known length are read in one go; anything else streams through.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp

from accord_gateway.exchange import Response
from accord_gateway.upstream.base import UpstreamClient, UpstreamError, UpstreamRequest, strip_hop_by_hop

#: Bodies up to this size (with a Content-Length) are read whole: one ASGI send instead of a stream.
READ_WHOLE_BYTES = 256 * 1024
_CHUNK = 64 * 1024


class AiohttpClient(UpstreamClient):
    def __init__(
        self, *, timeout: float = 10.0, connect_timeout: float = 2.0, max_connections: int = 256
    ) -> None:
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect_timeout, sock_read=timeout)
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._max_connections, keepalive_timeout=30, ttl_dns_cache=300, enable_cleanup_closed=False
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type"),
            raise_for_status=False,
            max_field_size=16384,
        )
        return self._session

    async def send(self, request: UpstreamRequest) -> Response:
        session = self._session or self._open()
        try:
            fields = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers]
            upstream = await session.request(
                request.method, request.url, headers=fields, data=request.body, allow_redirects=False
            )
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise UpstreamError("timeout", f"no answer from {request.url}: {exc or 'timeout'}") from None
        except aiohttp.ClientConnectorError as exc:
            raise UpstreamError("connect", f"cannot connect to {request.url}: {exc.os_error}") from None
        except aiohttp.ClientError as exc:
            raise UpstreamError("protocol", f"{request.url}: {exc or type(exc).__name__}") from None
        # ``Date`` is dropped: the gateway's server stamps its own (and a second one would be a duplicate).
        headers = strip_hop_by_hop([(k.lower(), v) for k, v in upstream.raw_headers if k.lower() != b"date"])
        length = upstream.content_length
        if (
            request.method == "HEAD"
            or upstream.status in (204, 304)
            or (length is not None and length <= READ_WHOLE_BYTES)
        ):
            try:
                body = await upstream.read()
            except (TimeoutError, aiohttp.ServerTimeoutError):
                upstream.close()
                raise UpstreamError("timeout", f"{request.url}: the body did not arrive in time") from None
            except aiohttp.ClientError as exc:
                upstream.close()
                raise UpstreamError("protocol", f"{request.url}: {exc or type(exc).__name__}") from None
            finally:
                upstream.release()
            return Response(upstream.status, headers, body)
        return Response(upstream.status, headers, stream=_stream(upstream), release=upstream.close)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _stream(upstream: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.content.iter_chunked(_CHUNK):
            yield chunk
    except (TimeoutError, asyncio.CancelledError, aiohttp.ClientError):
        upstream.close()
        raise
    finally:
        upstream.release()
