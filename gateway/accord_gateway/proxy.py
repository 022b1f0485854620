"""The last step of the chain: forward the request to the operation's upstream.

Forwarding rules (RFC 9110 §7.6, RFC 7239): hop-by-hop fields are dropped, ``Host`` becomes the
upstream's, ``Forwarded`` and ``X-Forwarded-For`` are appended to, ``X-Forwarded-Host``/``-Proto``
are set, ``traceparent`` carries the trace with the gateway's span as parent, and ``X-Accord-*``
fields from the client are replaced by the gateway's own (``X-Accord-Client``: the authenticated
client). Timeouts answer 504, unreachable upstreams 502; idempotent methods are retried; a circuit
breaker per upstream answers 503 with ``Retry-After`` while the upstream is failing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from accord.policy import IDEMPOTENT_METHODS
from accord_gateway.exchange import Exchange, RawHeaders, Response
from accord_gateway.metrics import Metrics
from accord_gateway.problem import problem
from accord_gateway.upstream import HOP_BY_HOP, CircuitBreaker, UpstreamClient, UpstreamError, UpstreamRequest

log = logging.getLogger("accord.gateway.upstream")

_REPLACED = HOP_BY_HOP | {
    b"host",
    b"content-length",
    b"traceparent",
    b"tracestate",
    b"x-forwarded-host",
    b"x-forwarded-proto",
    b"forwarded",
    b"x-forwarded-for",
}
_RETRY_STATUSES = (502, 503, 504)
_NONE: frozenset[bytes] = frozenset()


@dataclass(slots=True)
class Upstream:
    """One domain's upstream: base URL, client, breaker and retry settings."""

    domain: str
    base_url: str
    client: UpstreamClient
    breaker: CircuitBreaker | None
    retries: int = 1
    retry_backoff: float = 0.05


def _forwarded_for(ip: str) -> bytes:
    # RFC 7239 §6: IPv6 addresses are bracketed and the value quoted.
    return f'"[{ip}]"'.encode() if ":" in ip else ip.encode()


class Proxy:
    def __init__(
        self, upstreams: dict[str, Upstream], metrics: Metrics, *, max_body_bytes: int, body_timeout: float
    ) -> None:
        self.upstreams = upstreams
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout

    def _headers(self, ex: Exchange) -> RawHeaders:
        fields = ex.headers
        connection = fields.get(b"connection")
        named = {t.strip().lower() for t in connection.split(b",")} if connection else _NONE
        headers: RawHeaders = [
            pair
            for pair in ex.raw_headers
            if not (pair[0] in _REPLACED or pair[0] in named or pair[0].startswith(b"x-accord-"))
        ]
        host = fields.get(b"host")
        proto = ex.scheme.encode()
        ip = ex.client_ip
        forwarded = b"for=" + _forwarded_for(ip) + b";proto=" + proto
        if host:
            forwarded += b';host="' + host + b'"'
        prior = fields.get(b"forwarded")
        headers.append((b"forwarded", prior + b", " + forwarded if prior else forwarded))
        prior = fields.get(b"x-forwarded-for")
        headers.append((b"x-forwarded-for", prior + b", " + ip.encode() if prior else ip.encode()))
        if host:
            headers.append((b"x-forwarded-host", host))
        headers.append((b"x-forwarded-proto", proto))
        headers.append((b"traceparent", f"00-{ex.trace_id}-{ex.span_id}-{ex.trace_flags}".encode()))
        if ex.tracestate is not None:
            headers.append((b"tracestate", ex.tracestate))
        if ex.client_id:
            headers.append((b"x-accord-client", ex.client_id.encode()))
        length = fields.get(b"content-length")
        if ex.body is None and length is not None and length != b"0":
            headers.append((b"content-length", length))
        return headers

    async def __call__(self, ex: Exchange) -> Response:
        policy = ex.policy
        assert policy is not None
        upstream = self.upstreams[policy.domain]
        breaker = upstream.breaker
        url = upstream.base_url + ex.raw_path.decode("latin-1")
        if ex.query_string:
            url += "?" + ex.query_string.decode("latin-1")
        headers = self._headers(ex)
        streaming = ex.body is None and not ex.body_consumed and _has_body(ex)
        attempts = 1 + (upstream.retries if policy.method in IDEMPOTENT_METHODS and not streaming else 0)
        for attempt in range(attempts):
            if breaker is not None:
                wait = breaker.allow()
                if wait:
                    self.metrics.upstream_error(upstream.domain, "circuit_open")
                    self.metrics.circuit_open.labels(upstream.domain).set(1)
                    ex.decisions["upstream"] = "circuit_open"
                    return problem(
                        ex,
                        503,
                        "upstream-unavailable",
                        f"The {upstream.domain} service is failing; the gateway stopped calling it for now.",
                        headers=[(b"retry-after", str(breaker.retry_after(wait)).encode())],
                    )
            body_failure: list[BaseException] = []
            body = (
                _guarded(ex.stream_body(self.max_body_bytes, self.body_timeout), body_failure)
                if streaming
                else ex.body
            )
            try:
                response = await upstream.client.send(UpstreamRequest(policy.method, url, headers, body))
            except UpstreamError as exc:
                if body_failure:  # the client's body broke the call (too large, too slow), not the upstream
                    raise body_failure[0] from None
                self._failed(upstream, exc.kind)
                if attempt + 1 < attempts:
                    await asyncio.sleep(upstream.retry_backoff * (2**attempt))
                    continue
                log.warning("upstream %s failed (trace %s): %s", upstream.domain, ex.trace_id, exc)
                ex.decisions["upstream"] = exc.kind
                if exc.kind == "timeout":
                    return problem(
                        ex, 504, "upstream-timeout", f"The {upstream.domain} service did not answer in time."
                    )
                return problem(
                    ex, 502, "upstream-unreachable", f"The {upstream.domain} service could not be reached."
                )
            except BaseException:
                if breaker is not None:  # never leave a half-open probe unresolved
                    if body_failure:
                        breaker.abort()
                    else:
                        breaker.failure()
                raise
            if response.status in _RETRY_STATUSES:
                self._failed(upstream, f"status_{response.status}")
                if attempt + 1 < attempts:
                    if response.release is not None:
                        response.release()
                    await asyncio.sleep(upstream.retry_backoff * (2**attempt))
                    continue
            elif breaker is not None:
                if breaker.state != CircuitBreaker.CLOSED:
                    self.metrics.circuit_open.labels(upstream.domain).set(0)
                breaker.success()
            ex.decisions["upstream"] = str(response.status)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _failed(self, upstream: Upstream, kind: str) -> None:
        self.metrics.upstream_error(upstream.domain, kind)
        if upstream.breaker is not None:
            upstream.breaker.failure()
            if upstream.breaker.state == CircuitBreaker.OPEN:
                self.metrics.circuit_open.labels(upstream.domain).set(1)


async def _guarded(stream: AsyncIterator[bytes], failure: list[BaseException]) -> AsyncIterator[bytes]:
    try:
        async for chunk in stream:
            yield chunk
    except Exception as exc:
        failure.append(exc)
        raise


def _has_body(ex: Exchange) -> bool:
    length = ex.headers.get(b"content-length")
    return b"transfer-encoding" in ex.headers or (length is not None and length != b"0")
