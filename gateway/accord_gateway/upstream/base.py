"""The interface every upstream client implements, and the hop-by-hop header rule they share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from accord_gateway.exchange import RawHeaders, Response

#: RFC 9110 §7.6.1: connection-specific fields a proxy must not forward (plus the non-standard
#: ``keep-alive`` and ``proxy-connection`` that clients still send).
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)


def strip_hop_by_hop(headers: RawHeaders) -> RawHeaders:
    """``headers`` without hop-by-hop fields, including those the ``Connection`` field names."""
    named: set[bytes] = set()
    for key, value in headers:
        if key.lower() == b"connection":
            named.update(token.strip().lower() for token in value.split(b","))
    if not named:
        return [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
    return [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP and k.lower() not in named]


@dataclass(slots=True)
class UpstreamRequest:
    """What the proxy sends: ``url`` is absolute (the upstream's base URL + the raw path and query);
    ``headers`` are raw ASGI-style pairs with lower-case names, without ``Host`` (the client sets the
    upstream's) and without ``Content-Length`` unless ``body`` streams with a known length."""

    method: str
    url: str
    headers: RawHeaders
    body: bytes | AsyncIterator[bytes] | None = None


class UpstreamError(Exception):
    """The upstream could not be reached (``connect``), did not answer in time (``timeout``) or
    broke the protocol (``protocol``)."""

    def __init__(self, kind: Literal["connect", "timeout", "protocol"], message: str) -> None:
        super().__init__(message)
        self.kind = kind


class UpstreamClient(ABC):
    """Sends one request to an upstream; the response body may stream (``Response.stream``)."""

    @abstractmethod
    async def send(self, request: UpstreamRequest) -> Response:
        """The upstream's response (hop-by-hop headers removed) or :class:`UpstreamError`."""

    async def close(self) -> None:
        return None
