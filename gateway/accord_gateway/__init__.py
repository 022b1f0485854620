"""Accord's policy gateway: an ASGI reverse proxy that enforces the contracts' policies.

``create_app(config)`` returns the ASGI application; ``accord gateway serve`` runs it on :mod:`accord.serve`.
"""

from __future__ import annotations

from accord_gateway.app import Gateway, create_app
from accord_gateway.config import GatewayConfig, config_from_dict, load_gateway_config
from accord_gateway.upstream import AiohttpClient, AsgiClient, Http1Client, UpstreamClient

__all__ = [
    "AiohttpClient",
    "AsgiClient",
    "Gateway",
    "GatewayConfig",
    "Http1Client",
    "UpstreamClient",
    "config_from_dict",
    "create_app",
    "load_gateway_config",
]
