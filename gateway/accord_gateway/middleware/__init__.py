"""The policy chain, one policy per module, outermost first:

errors -> trace -> routing -> auth -> rate limit -> validation -> idempotency -> lifecycle -> upstream

Each middleware is a callable ``(Exchange) -> Response`` wrapping the next one; its options are
checked once in ``__init__``. ``routing`` is not a policy: it matches the operation once, so every
policy after it reads ``exchange.policy`` instead of parsing anything again.
"""

from __future__ import annotations

from accord_gateway.middleware.auth import AuthMiddleware
from accord_gateway.middleware.errors import ErrorMiddleware
from accord_gateway.middleware.idempotency import IdempotencyMiddleware
from accord_gateway.middleware.lifecycle import LifecycleMiddleware
from accord_gateway.middleware.rate_limit import RateLimitMiddleware
from accord_gateway.middleware.routing import RoutingMiddleware
from accord_gateway.middleware.trace import TraceMiddleware
from accord_gateway.middleware.validation import ValidationMiddleware

__all__ = [
    "AuthMiddleware",
    "ErrorMiddleware",
    "IdempotencyMiddleware",
    "LifecycleMiddleware",
    "RateLimitMiddleware",
    "RoutingMiddleware",
    "TraceMiddleware",
    "ValidationMiddleware",
]
