"""Deprecation and sunset of operations, announced on every response that reaches this policy.

* ``Deprecation: @<unix seconds>`` (RFC 9745 §2) on operations marked ``deprecated: true``; the
  date is ``x-deprecated-at`` when the contract records it, else ``@0`` ("already in effect"), so
  every replica sends the same value.
* ``Sunset: <HTTP-date>`` (RFC 8594 §3) from ``x-sunset``.
* ``Link: <...>; rel="deprecation"`` (RFC 9745 §3) to ``x-deprecation-link``, the operation's
  ``externalDocs.url``, or the configured template (``{operationId}`` is substituted).
* Optionally 410 Gone once the sunset date has passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import format_datetime

from accord.policy import Policy
from accord_gateway.exchange import Exchange, Handler, RawHeaders, Response
from accord_gateway.metrics import Metrics
from accord_gateway.problem import problem


class LifecycleMiddleware:
    def __init__(
        self,
        app: Handler,
        metrics: Metrics,
        *,
        gone_after_sunset: bool = False,
        deprecation_link: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.gone_after_sunset = gone_after_sunset
        self.deprecation_link = deprecation_link
        self.clock = clock
        self._headers: dict[int, RawHeaders] = {}

    def headers_for(self, policy: Policy) -> RawHeaders:
        cached = self._headers.get(id(policy))
        if cached is not None:
            return cached
        lifecycle = policy.lifecycle
        headers: RawHeaders = []
        if lifecycle.deprecated:
            since = int(lifecycle.deprecated_at.timestamp()) if lifecycle.deprecated_at else 0
            headers.append((b"deprecation", f"@{since}".encode()))
        if lifecycle.sunset is not None:
            headers.append((b"sunset", format_datetime(lifecycle.sunset, usegmt=True).encode()))
        link = lifecycle.link
        if link is None and self.deprecation_link and lifecycle.deprecated:
            link = self.deprecation_link.replace("{operationId}", policy.operation_id)
        if link and lifecycle.deprecated:
            headers.append(
                (b"link", f'<{link}>; rel="deprecation"; type="text/html"'.encode("latin-1", "replace"))
            )
        self._headers[id(policy)] = headers
        return headers

    async def __call__(self, ex: Exchange) -> Response:
        policy = ex.policy
        assert policy is not None
        lifecycle = policy.lifecycle
        if not lifecycle.deprecated and lifecycle.sunset is None:
            return await self.app(ex)
        headers = self.headers_for(policy)
        ex.decisions["lifecycle"] = "deprecated" if lifecycle.deprecated else "sunset_scheduled"
        if (
            self.gone_after_sunset
            and lifecycle.sunset is not None
            and self.clock() >= lifecycle.sunset.timestamp()
        ):
            self.metrics.rejected("lifecycle", "sunset")
            ex.decisions["lifecycle"] = "gone"
            return problem(
                ex,
                410,
                "operation-sunset",
                f"{policy.key} was retired on {format_datetime(lifecycle.sunset, usegmt=True)}.",
                headers=list(headers),
            )
        response = await self.app(ex)
        response.headers.extend(headers)
        return response
