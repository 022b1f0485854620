"""Request hygiene and the one route lookup per request (404 unknown path, 405 with ``Allow``).

Before routing, requests that no upstream should ever see are refused: header sections over the
size limit (431, RFC 6585 §5), header values with CR/LF/NUL (injection), more than one
``Host``/``Content-Length``/``Authorization``/``Transfer-Encoding`` (smuggling and confusion),
``Content-Length`` that is not a number, and paths with traversal or encoded slashes.
"""

from __future__ import annotations

from itertools import chain

from accord_gateway.exchange import Exchange, Handler, Response
from accord_gateway.metrics import Metrics
from accord_gateway.problem import problem
from accord_gateway.routing import BadPath, Router

_SINGLE = (
    b"host",
    b"content-length",
    b"authorization",
    b"transfer-encoding",
    b"idempotency-key",
    b"x-api-key",
)


class RoutingMiddleware:
    def __init__(self, app: Handler, router: Router, metrics: Metrics, *, max_header_bytes: int) -> None:
        self.app = app
        self.router = router
        self.metrics = metrics
        self.max_header_bytes = max_header_bytes

    def _hygiene(self, ex: Exchange) -> Response | None:
        raw = ex.raw_headers
        # Names and values in one string, scanned once instead of three times per field (a name
        # cannot hold these bytes: the HTTP parser only accepts tokens).
        fields = b"".join(chain.from_iterable(raw))
        if b"\r" in fields or b"\n" in fields or b"\x00" in fields:
            return self._reject(ex, 400, "bad-header", "A header value contains a control character.")
        size = len(fields) + 4 * len(raw)
        if size > self.max_header_bytes:
            return self._reject(
                ex, 431, "headers-too-large", f"The request headers exceed {self.max_header_bytes} bytes."
            )
        if len(ex.headers) != len(ex.raw_headers):
            for name in _SINGLE:
                if ex.header_count(name) > 1:
                    return self._reject(
                        ex, 400, "bad-header", f"The {name.decode()} header must appear once."
                    )
        length = ex.headers.get(b"content-length")
        if length is not None and (not length.isdigit() or len(length) > 15):
            return self._reject(ex, 400, "bad-header", "Content-Length must be a non-negative integer.")
        if b"\\" in ex.raw_path or b"\x00" in ex.raw_path:
            return self._reject(ex, 400, "bad-path", "The path contains a backslash or NUL byte.")
        return None

    def _reject(self, ex: Exchange, status: int, slug: str, detail: str) -> Response:
        self.metrics.rejected("request", slug)
        ex.decisions["request"] = slug
        return problem(ex, status, slug, detail)

    async def __call__(self, ex: Exchange) -> Response:
        refused = self._hygiene(ex)
        if refused is not None:
            return refused
        try:
            found = self.router.match(ex.method, ex.raw_path)
        except BadPath as exc:
            return self._reject(ex, 400, "bad-path", f"The request path is not allowed: {exc.reason}.")
        if found is None:
            ex.decisions["route"] = "not_found"
            return problem(ex, 404, "not-found", "No operation of any contract matches this path.")
        ex.route = found.template
        if found.policy is None:
            ex.decisions["route"] = "method_not_allowed"
            allow = ", ".join(found.allowed).encode()
            return problem(
                ex,
                405,
                "method-not-allowed",
                f"{ex.method} is not an operation of {found.template}.",
                headers=[(b"allow", allow)],
            )
        ex.policy = found.policy
        ex.path_params = found.params
        return await self.app(ex)
