"""Outermost policy: whatever goes wrong inside becomes an RFC 9457 problem, never a traceback."""

from __future__ import annotations

import logging

from accord_gateway.exchange import (
    BadRequest,
    BodyTimeout,
    BodyTooLarge,
    ClientDisconnected,
    Exchange,
    Handler,
    Response,
)
from accord_gateway.metrics import Metrics
from accord_gateway.problem import problem

log = logging.getLogger("accord.gateway")


class ErrorMiddleware:
    def __init__(self, app: Handler, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, ex: Exchange) -> Response:
        try:
            return await self.app(ex)
        except BodyTooLarge:
            self.metrics.rejected("validation", "body_too_large")
            ex.decisions["validation"] = "body_too_large"
            return problem(ex, 413, "payload-too-large", "The request body exceeds the size limit.")
        except BodyTimeout:
            self.metrics.rejected("validation", "body_timeout")
            ex.decisions["validation"] = "body_timeout"
            return problem(ex, 408, "request-timeout", "The request body did not arrive in time.")
        except BadRequest as exc:
            self.metrics.rejected("request", "bad_request")
            ex.decisions["request"] = "bad_request"
            return problem(ex, 400, "bad-request", f"The request is malformed: {exc}.")
        except ClientDisconnected:
            ex.decisions["client"] = "disconnected"
            return problem(ex, 400, "client-disconnected", "The client closed the connection.")
        except Exception:
            log.exception("unhandled error (trace %s)", ex.trace_id or "-")
            ex.decisions["error"] = "internal"
            return problem(ex, 500, "internal-error", "The gateway failed to handle the request.")
