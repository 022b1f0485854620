"""Upstream calls: a small client interface, its pooled aiohttp implementation, an in-process ASGI
one (tests), and a circuit breaker per upstream."""

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

__all__ = [
    "HOP_BY_HOP",
    "AiohttpClient",
    "AsgiClient",
    "CircuitBreaker",
    "UpstreamClient",
    "UpstreamError",
    "UpstreamRequest",
    "strip_hop_by_hop",
]
