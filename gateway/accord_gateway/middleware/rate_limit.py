"""Throttling from ``x-accord-rate-limit`` with GCRA, and the IETF RateLimit header fields.

Header syntax follows draft-ietf-httpapi-ratelimit-headers (structured fields, RFC 9651):
``RateLimit-Policy: "default";q=600;w=60`` (quota and window of the policy) and
``RateLimit: "default";r=42;t=18`` (remaining units, seconds until the quota is whole again) on
every response of a limited operation, plus ``Retry-After`` (RFC 9110 §10.2.3) on 429.

When the shared store (Redis) cannot be reached the decision is configurable: ``open`` admits the
request (and counts it), ``closed`` answers 503. Either way the next request tries Redis again.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from accord.policy import RateLimit
from accord_gateway.exchange import Exchange, Handler, Response
from accord_gateway.limiter import Limiter
from accord_gateway.metrics import Metrics
from accord_gateway.problem import problem
from accord_gateway.resp import RedisReplyError, RedisUnavailable

MAX_KEY_CHARS = 128


def policy_header(limit: RateLimit) -> bytes:
    window = int(limit.window) if float(limit.window).is_integer() else limit.window
    return f'"{limit.name}";q={limit.limit};w={window}'.encode()


class RateLimitMiddleware:
    def __init__(
        self,
        app: Handler,
        metrics: Metrics,
        *,
        limiter: Limiter,
        on_backend_error: Literal["open", "closed"] = "open",
        trust_forwarded_for: bool = False,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.limiter = limiter
        self.fail_open = on_backend_error == "open"
        self.trust_forwarded_for = trust_forwarded_for
        self._policy_headers: dict[int, bytes] = {}

    def _ip(self, ex: Exchange) -> str:
        if self.trust_forwarded_for:
            forwarded = ex.headers.get(b"x-forwarded-for")
            if forwarded:
                # The right-most entry is the one our own proxy appended; the rest is client-supplied.
                return forwarded.rsplit(b",", 1)[-1].strip().decode("latin-1")
        return ex.client_ip

    def _bucket(self, ex: Exchange, limit: RateLimit) -> str:
        if limit.key == "client":
            key = f"c:{ex.client_id}" if ex.client_id else f"ip:{self._ip(ex)}"
        elif limit.key == "ip":
            key = f"ip:{self._ip(ex)}"
        else:
            value = ex.headers.get((limit.header or "").encode("latin-1"))
            key = "h:" + (value.decode("latin-1") if value is not None else "-")
        if len(key) > MAX_KEY_CHARS:
            key = "sha:" + hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()
        return f"{limit.scope}:{key}"

    async def __call__(self, ex: Exchange) -> Response:
        policy = ex.policy
        assert policy is not None
        limit = policy.rate_limit
        if limit is None:
            return await self.app(ex)
        header = self._policy_headers.get(id(limit))
        if header is None:
            header = self._policy_headers[id(limit)] = policy_header(limit)
        try:
            decision = await self.limiter.decide(self._bucket(ex, limit), limit)
        except (RedisUnavailable, RedisReplyError):
            mode = "open" if self.fail_open else "closed"
            self.metrics.backend_error("rate_limit", mode)
            ex.decisions["rate_limit"] = f"backend_down_{mode}"
            if not self.fail_open:
                self.metrics.rejected("rate_limit", "backend_unavailable")
                return problem(
                    ex,
                    503,
                    "rate-limit-unavailable",
                    "The rate limiter is unavailable; retry shortly.",
                    headers=[(b"retry-after", b"1")],
                )
            response = await self.app(ex)
            response.headers.append((b"ratelimit-policy", header))
            return response
        quota = f'"{limit.name}";r={decision.remaining};t={decision.reset}'.encode()
        if not decision.allowed:
            self.metrics.rejected("rate_limit", "exceeded")
            ex.decisions["rate_limit"] = "rejected"
            return problem(
                ex,
                429,
                "rate-limited",
                f"Rate limit of {limit.limit} requests per {policy_header(limit).split(b'w=')[1].decode()} seconds "
                "exceeded.",
                headers=[
                    (b"retry-after", str(decision.retry_after).encode()),
                    (b"ratelimit-policy", header),
                    (b"ratelimit", quota),
                ],
            )
        ex.decisions["rate_limit"] = "allowed"
        response = await self.app(ex)
        response.headers.append((b"ratelimit-policy", header))
        response.headers.append((b"ratelimit", quota))
        return response
