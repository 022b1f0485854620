"""Idempotency keys (draft-ietf-httpapi-idempotency-key-header) for operations that declare the
``Idempotency-Key`` header.

The first request with a key locks it, goes to the upstream, and its response (status below 500)
is stored for ``ttl`` seconds under (client, key) with a fingerprint of the request (method, path,
query, body). Then, for the same client and key:

* same fingerprint, response stored -> the stored response is replayed (``Idempotent-Replayed``);
* same fingerprint, first request still in flight -> wait up to ``wait`` seconds for its response
  and replay it; still in flight after that -> 409 Conflict;
* different fingerprint -> 422 (the key was reused for another request).

A 5xx or an unreachable upstream releases the key, so the client's retry can go through. When the
store is unreachable the request is refused (503): admitting it could execute a write twice.
"""

from __future__ import annotations

import hashlib
import logging

from accord_gateway.exchange import Exchange, Handler, Response
from accord_gateway.idempotency_store import IdempotencyStore, Pending, Stored
from accord_gateway.metrics import Metrics
from accord_gateway.problem import problem
from accord_gateway.resp import RedisReplyError, RedisUnavailable

log = logging.getLogger("accord.gateway.idempotency")
_STORE_ERRORS = (RedisUnavailable, RedisReplyError)


def fingerprint(ex: Exchange, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (ex.method.encode(), ex.raw_path, ex.query_string, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(
        self,
        app: Handler,
        metrics: Metrics,
        *,
        store: IdempotencyStore,
        ttl: float = 86_400.0,
        lock_ttl: float = 60.0,
        wait: float = 10.0,
        max_stored_bytes: int = 1_048_576,
        max_body_bytes: int = 1_048_576,
        body_timeout: float = 30.0,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.store = store
        self.ttl = ttl
        self.lock_ttl = lock_ttl
        self.wait = wait
        self.max_stored_bytes = max_stored_bytes
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout

    async def __call__(self, ex: Exchange) -> Response:
        policy = ex.policy
        assert policy is not None
        header = policy.idempotency_header
        key = ex.headers.get(header.lower().encode("latin-1")) if header else None
        if key is None:
            return await self.app(ex)
        body = await ex.read_body(self.max_body_bytes, self.body_timeout)
        owner = ex.client_id or "anonymous"
        store_key = hashlib.sha256(owner.encode("utf-8", "surrogateescape") + b"\x00" + key).hexdigest()
        print_ = fingerprint(ex, body)
        try:
            state = await self.store.begin(store_key, print_, self.lock_ttl)
            if isinstance(state, Pending) and state.fingerprint == print_:
                ex.decisions["idempotency"] = "waited"
                state = await self.store.wait(store_key, self.wait)
                if state is None:  # the first request failed and released the key: this one may go
                    state = await self.store.begin(store_key, print_, self.lock_ttl)
        except _STORE_ERRORS:
            return self._store_down(ex)
        if state is None:
            return await self._first(ex, store_key, print_)
        if state.fingerprint != print_:
            self.metrics.rejected("idempotency", "key_reused")
            ex.decisions["idempotency"] = "key_reused"
            return problem(
                ex,
                422,
                "idempotency-key-reused",
                "This Idempotency-Key was already used for a different request.",
                title="Idempotency key reused",
            )
        if isinstance(state, Pending):
            self.metrics.rejected("idempotency", "in_flight")
            ex.decisions["idempotency"] = "conflict"
            return problem(
                ex,
                409,
                "idempotency-key-in-flight",
                "A request with this Idempotency-Key is still being processed; retry later.",
                title="Request in progress",
                headers=[(b"retry-after", b"1")],
            )
        ex.decisions["idempotency"] = "replayed"
        return Response(state.status, [*state.headers, (b"idempotent-replayed", b"true")], state.body)

    async def _first(self, ex: Exchange, store_key: str, print_: str) -> Response:
        ex.decisions["idempotency"] = "first"
        try:
            response = await self.app(ex)
        except BaseException:
            await self._abandon(store_key)
            raise
        if response.status >= 500:
            await self._abandon(store_key)
            return response
        body = await response.read(self.max_stored_bytes)
        if body is None:
            log.warning("response too large to store for replay (trace %s); key released", ex.trace_id)
            await self._abandon(store_key)
            return response
        try:
            await self.store.complete(
                store_key, Stored(print_, response.status, list(response.headers), body), self.ttl
            )
        except _STORE_ERRORS:
            log.warning("could not store the response for replay (trace %s)", ex.trace_id)
        return response

    async def _abandon(self, store_key: str) -> None:
        try:
            await self.store.abandon(store_key)
        except _STORE_ERRORS:
            log.warning("could not release an idempotency key; it expires with its lock")

    def _store_down(self, ex: Exchange) -> Response:
        self.metrics.backend_error("idempotency", "closed")
        self.metrics.rejected("idempotency", "store_unavailable")
        ex.decisions["idempotency"] = "store_unavailable"
        return problem(
            ex,
            503,
            "idempotency-unavailable",
            "The idempotency store is unavailable; retry shortly.",
            headers=[(b"retry-after", b"1")],
        )
