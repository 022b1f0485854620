"""One request and its response as the policy chain sees them (raw ASGI underneath, no framework)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from accord.policy import Policy

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
RawHeaders = list[tuple[bytes, bytes]]
MAX_QUERY_FIELDS = 256
_NO_PARAMS: dict[str, str] = {}  # shared and never mutated: routing replaces it
_NO_SCOPES: frozenset[str] = frozenset()


class BodyTooLarge(Exception):
    """The request body passed the configured limit (answered 413)."""


class BodyTimeout(Exception):
    """The client did not send its body in time (answered 408)."""


class BadRequest(Exception):
    """The request cannot be understood at all (answered 400 with this message)."""


class ClientDisconnected(Exception):
    """The client went away while its body was being read."""


@dataclass(slots=True)
class Response:
    """A response produced by a policy or the upstream. ``stream`` (if set) replaces ``body``."""

    status: int
    headers: RawHeaders = field(default_factory=list)
    body: bytes = b""
    stream: AsyncIterator[bytes] | None = None
    #: called once the response is fully sent or abandoned (releases pooled upstream connections).
    release: Callable[[], None] | None = None

    def header(self, name: bytes) -> bytes | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    async def read(self, limit: int) -> bytes | None:
        """The whole body (draining ``stream``), or None when it exceeds ``limit`` bytes."""
        if self.stream is None:
            return self.body if len(self.body) <= limit else None
        chunks: list[bytes] = []
        size = 0
        async for chunk in self.stream:
            size += len(chunk)
            chunks.append(chunk)
            if size > limit:
                # Keep what was read so it can still be sent on, then stop buffering.
                self.stream = _prepend(chunks, self.stream)
                return None
        self.stream = None
        self.body = b"".join(chunks)
        return self.body


async def _prepend(chunks: list[bytes], rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk
    async for chunk in rest:
        yield chunk


class Exchange:
    """Per-request state shared by the policies: parsed once, read by each."""

    __slots__ = (
        "_cookies",
        "_query",
        "body",
        "body_consumed",
        "client_id",
        "client_ip",
        "decisions",
        "headers",
        "method",
        "path",
        "path_params",
        "policy",
        "problem_base",
        "query_string",
        "raw_headers",
        "raw_path",
        "receive",
        "route",
        "scheme",
        "scope",
        "scopes",
        "span_id",
        "started",
        "trace_flags",
        "trace_id",
        "tracestate",
    )

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.scope = scope
        self.receive = receive
        self.started = time.perf_counter()
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        raw_path = scope.get("raw_path")
        self.raw_path: bytes = raw_path if raw_path else self.path.encode("utf-8")
        self.query_string: bytes = scope.get("query_string", b"")
        self.scheme: str = scope.get("scheme", "http")
        raw: RawHeaders = scope["headers"]
        self.raw_headers = raw
        headers = dict(raw)
        if len(headers) != len(raw):  # a repeated field: its lines are joined (RFC 9110 §5.3)
            headers = {}
            for key, value in raw:
                headers[key] = headers[key] + b", " + value if key in headers else value
        self.headers: dict[bytes, bytes] = headers
        client = scope.get("client")
        self.client_ip: str = client[0] if client else "unknown"
        self.trace_id = ""
        self.span_id = ""
        self.trace_flags = "00"
        self.tracestate: bytes | None = None
        self.policy: Policy | None = None
        self.problem_base = "/problems/"
        self.route = "unmatched"
        self.path_params: dict[str, str] = _NO_PARAMS
        self.client_id: str | None = None
        self.scopes: frozenset[str] = _NO_SCOPES
        self.body: bytes | None = None
        self.body_consumed = False
        #: what each policy decided, for the access log: {"auth": "jwt", "rate_limit": "allow", ...}
        self.decisions: dict[str, str] = {}
        self._query: dict[str, list[str]] | None = None
        self._cookies: dict[str, str] | None = None

    @property
    def query(self) -> dict[str, list[str]]:
        """Query parameters (every occurrence, percent-decoded), parsed on first use."""
        if self._query is None:
            self._query = {}
            if self.query_string:
                text = self.query_string.decode("latin-1")
                try:
                    pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_QUERY_FIELDS)
                except ValueError:
                    raise BadRequest(f"the query string has more than {MAX_QUERY_FIELDS} fields") from None
                for name, value in pairs:
                    self._query.setdefault(name, []).append(value)
        return self._query

    @property
    def cookies(self) -> dict[str, str]:
        if self._cookies is None:
            self._cookies = {}
            raw = self.headers.get(b"cookie")
            if raw:
                for pair in raw.decode("latin-1").split(";"):
                    name, sep, value = pair.strip().partition("=")
                    if sep and name not in self._cookies:
                        self._cookies[name] = value.strip().strip('"')
        return self._cookies

    def header(self, name: bytes) -> str | None:
        value = self.headers.get(name)
        return value.decode("latin-1") if value is not None else None

    def header_count(self, name: bytes) -> int:
        return sum(1 for key, _ in self.raw_headers if key == name)

    async def read_body(self, limit: int, timeout: float) -> bytes:
        """The whole request body, at most ``limit`` bytes, within ``timeout`` seconds."""
        if self.body is not None:
            return self.body
        chunks: list[bytes] = []
        size = 0
        deadline = Deadline(timeout)
        try:
            while True:
                message = await self.receive()
                if message["type"] == "http.disconnect":
                    raise ClientDisconnected()
                chunk = message.get("body", b"")
                if chunk:
                    size += len(chunk)
                    if size > limit:
                        raise BodyTooLarge()
                    chunks.append(chunk)
                if not message.get("more_body", False):
                    break
        except asyncio.CancelledError:
            if deadline.caused_cancellation():
                raise BodyTimeout() from None
            raise
        finally:
            deadline.disarm()
        self.body_consumed = True
        self.body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return self.body

    async def stream_body(self, limit: int, timeout: float) -> AsyncIterator[bytes]:
        """The request body chunk by chunk (for bodies the gateway does not need to look at)."""
        self.body_consumed = True
        size = 0
        while True:
            deadline = Deadline(timeout)
            try:
                message = await self.receive()
            except asyncio.CancelledError:
                if deadline.caused_cancellation():
                    raise BodyTimeout() from None
                raise
            finally:
                deadline.disarm()
            if message["type"] == "http.disconnect":
                raise ClientDisconnected()
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge()
                yield chunk
            if not message.get("more_body", False):
                return


class Deadline:
    """Cancels the current task ``timeout`` seconds from now unless disarmed first.

    What ``asyncio.timeout`` does for one block, without its state machine: a third of its cost,
    and every request body goes through one. Use::

        deadline = Deadline(5.0)
        try:
            ...  # awaits
        except asyncio.CancelledError:
            if deadline.caused_cancellation():
                raise TimeoutError from None
            raise  # someone else cancelled the task
        finally:
            deadline.disarm()
    """

    __slots__ = ("_expired", "_handle", "_task")

    def __init__(self, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task(loop)
        if task is None:
            raise RuntimeError("Deadline must be used inside a task")
        self._task = task
        self._expired = False
        self._handle = loop.call_at(loop.time() + timeout, self._expire)

    def _expire(self) -> None:
        self._expired = True
        self._task.cancel()

    def caused_cancellation(self) -> bool:
        """True when the deadline passed and no other cancellation of the task is pending."""
        return self._expired and self._task.uncancel() == 0

    def disarm(self) -> None:
        self._handle.cancel()


Handler = Callable[[Exchange], Awaitable[Response]]
