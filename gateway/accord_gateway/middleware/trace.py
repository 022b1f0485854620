"""W3C Trace Context (https://www.w3.org/TR/trace-context/): continue a valid ``traceparent``,
start a new trace otherwise (and then drop ``tracestate``, §3.3: it belongs to the broken parent).

The gateway is a span of its own: the upstream receives the same trace id with a new parent id.
"""

from __future__ import annotations

import os
import re

from accord_gateway.exchange import Exchange, Handler, Response

# §3.2.2: version-traceid-parentid-flags, lower-case hex. Future versions may append "-..." fields.
_TRACEPARENT = re.compile(rb"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?")
_ZERO_TRACE = "0" * 32
_ZERO_SPAN = "0" * 16
MAX_TRACESTATE = 512  # §3.3.1.5: a vendor may drop tracestate it cannot carry whole


def parse_traceparent(value: bytes | None) -> tuple[str, str] | None:
    """(trace id, flags) of a valid ``traceparent``, else None."""
    if value is None or len(value) < 55:
        return None
    found = _TRACEPARENT.fullmatch(value)
    if found is None:
        return None
    version, trace_id, parent_id, flags, rest = found.groups()
    if version == b"ff" or (version == b"00" and (rest or len(value) != 55)):
        return None
    trace = trace_id.decode()
    if trace == _ZERO_TRACE or parent_id.decode() == _ZERO_SPAN:
        return None
    return trace, flags.decode()


class TraceMiddleware:
    def __init__(self, app: Handler) -> None:
        self.app = app

    async def __call__(self, ex: Exchange) -> Response:
        incoming = ex.headers.get(b"traceparent")
        parsed = parse_traceparent(incoming) if ex.header_count(b"traceparent") <= 1 else None
        if parsed is not None:
            ex.trace_id, flags = parsed
            ex.trace_flags = "01" if int(flags, 16) & 1 else "00"
            state = ex.headers.get(b"tracestate")
            ex.tracestate = state if state is not None and len(state) <= MAX_TRACESTATE else None
            ex.decisions["trace"] = "continued"
        else:
            ex.trace_id = os.urandom(16).hex()
            ex.trace_flags = "01"
            ex.tracestate = None
            ex.decisions["trace"] = "new" if incoming is None else "replaced"
        ex.span_id = os.urandom(8).hex()
        return await self.app(ex)
