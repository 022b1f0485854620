"""Upstream calls: a small client interface, its default keep-alive HTTP/1.1 implementation, a
pooled aiohttp one, an in-process ASGI one (tests), and a circuit breaker per upstream."""

from __future__ import annotations

from accord_gateway.upstream.aiohttp_client import AiohttpClient
from accord_gateway.upstream.asgi_client import AsgiClient
from accord_gateway.upstream.base import (
    HOP_BY_HOP,
    UpstreamClient,
    UpstreamError,
    UpstreamRequest,
    strip_hop_by_hop,
)
from accord_gateway.upstream.breaker import CircuitBreaker
from accord_gateway.upstream.http1_client import Http1Client

__all__ = [
    "HOP_BY_HOP",
    "AiohttpClient",
    "AsgiClient",
    "CircuitBreaker",
    "Http1Client",
    "UpstreamClient",
    "UpstreamError",
    "UpstreamRequest",
    "strip_hop_by_hop",
]
