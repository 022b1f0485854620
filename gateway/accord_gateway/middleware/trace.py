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
_POOL_BYTES = 4096
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
        self._pool = b""
        self._offset = 0

    def _random(self, size: int) -> bytes:
        """Random bytes for ids (§3.2.2.3: randomly generated), taken from a buffer filled by the
        OS generator 4 KiB at a time rather than with a system call per request."""
        offset = self._offset
        if offset + size > len(self._pool):
            self._pool = os.urandom(_POOL_BYTES)
            offset = 0
        self._offset = offset + size
        return self._pool[offset : offset + size]

    async def __call__(self, ex: Exchange) -> Response:
        incoming = ex.headers.get(b"traceparent")
        parsed = (
            parse_traceparent(incoming)
            if incoming is not None and ex.header_count(b"traceparent") == 1
            else None
        )
        if parsed is not None:
            ex.trace_id, flags = parsed
            ex.trace_flags = "01" if int(flags, 16) & 1 else "00"
            state = ex.headers.get(b"tracestate")
            ex.tracestate = state if state is not None and len(state) <= MAX_TRACESTATE else None
            ex.decisions["trace"] = "continued"
            ex.span_id = self._random(8).hex()
        else:
            ids = self._random(24).hex()
            ex.trace_id = ids[:32]
            ex.span_id = ids[32:]
            ex.trace_flags = "01"
            ex.tracestate = None
            ex.decisions["trace"] = "new" if incoming is None else "replaced"
        return await self.app(ex)
