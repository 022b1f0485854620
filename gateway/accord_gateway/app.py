"""The gateway ASGI application: admin endpoints, the policy chain, metrics and access log, reload."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from pathlib import Path

import orjson

from accord.contracts import ContractSet
from accord_gateway.access_log import AccessLog, Sink
from accord_gateway.config import GatewayConfig, load_gateway_config
from accord_gateway.exchange import Exchange, Message, RawHeaders, Receive, Response, Scope, Send
from accord_gateway.metrics import Metrics
from accord_gateway.resp import RespClient
from accord_gateway.state import ADMIN_PATHS, State, build_state, close_when_drained
from accord_gateway.upstream import UpstreamClient

log = logging.getLogger("accord.gateway")

_JSON = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]


class Gateway:
    """An ASGI application enforcing the contracts' policies in front of their upstreams.

    ``upstream_clients`` replaces the pooled HTTP client per domain (``"*"`` for every domain),
    e.g. with :class:`~accord_gateway.upstream.AsgiClient` in tests. ``access_log`` receives one
    JSON line per request (default: the configured file or stdout).
    """

    def __init__(
        self,
        config: GatewayConfig,
        *,
        contract_set: ContractSet | None = None,
        upstream_clients: Mapping[str, UpstreamClient] | None = None,
        access_log: Sink | None = None,
    ) -> None:
        self.metrics = Metrics()
        self._clients = upstream_clients
        self.state: State = build_state(
            config, self.metrics, contract_set=contract_set, clients=upstream_clients
        )
        self.access_log = AccessLog(
            access_log,
            path=str(config.resolve_path(config.access_log.path)) if config.access_log.path != "-" else "-",
            enabled=config.access_log.enabled,
        )
        self.reloads = 0
        self._drains: set[asyncio.Task[None]] = set()
        self._retiring: set[asyncio.Task[None]] = set()

    @property
    def config(self) -> GatewayConfig:
        return self.state.config

    # -- ASGI ------------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self._lifespan(receive, send)
            return  # websocket: not part of any contract; returning without accepting closes it (403).
        # The request path, kept in this one coroutine: every await level costs on every request.
        state = self.state
        path = scope["path"]
        if path in ADMIN_PATHS:
            await self._admin(path, state, send)
            return
        ex = Exchange(scope, receive)
        ex.problem_base = state.config.problem_type_base
        state.inflight += 1
        status = 500
        try:
            response = await state.handler(ex)
            status = response.status
            if response.stream is None:
                headers = _with_length(response)
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": response.body})
            else:
                await _send(send, response)
        finally:
            state.inflight -= 1
            seconds = time.perf_counter() - ex.started
            self.metrics.observe(ex.route, ex.method, status, seconds)
            self.access_log.write(ex, status, seconds)

    async def _admin(self, path: str, state: State, send: Send) -> None:
        if path == "/metrics":
            headers = [(b"content-type", b"text/plain; version=0.0.4; charset=utf-8")]
            await _send(send, Response(200, headers, self.metrics.exposition()))
        elif path == "/healthz":
            await _send(send, Response(200, list(_JSON), b'{"status":"ok"}'))
        else:
            status, body = await self.readiness(state)
            await _send(send, Response(status, list(_JSON), orjson.dumps(body)))

    async def readiness(self, state: State | None = None) -> tuple[int, dict[str, object]]:
        """503 when a backend that must not fail open (Redis for idempotency or a fail-closed limiter)
        is unreachable; 200 otherwise (``degraded`` when a fail-open backend is down)."""
        state = state or self.state
        checks: dict[str, str] = {"policies": f"{len(state.policies)} operations"}
        ready = True
        degraded = False
        if state.redis is not None:
            up = await _ping(state.redis)
            checks["redis"] = "ok" if up else "unreachable"
            if not up:
                config = state.config
                needed = (config.idempotency.enabled and config.idempotency.backend == "redis") or (
                    config.rate_limit.backend == "redis" and config.rate_limit.on_backend_error == "closed"
                )
                ready = ready and not needed
                degraded = True
        status = "ready" if ready and not degraded else ("degraded" if ready else "unavailable")
        return (200 if ready else 503), {"status": status, "checks": checks, "reloads": self.reloads}

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message: Message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- reload and shutdown ----------------------------------------------------------------------
    async def reload(self, config: GatewayConfig | Path | str | None = None) -> None:
        """Load the configuration and contracts again and swap them in atomically.

        Requests already in flight finish on the generation they started with; it is closed once
        they are done. A configuration or contract that does not compile leaves the running one in
        place and raises :class:`~accord.errors.ConfigError`.
        """
        if config is None:
            if self.config.file is None:
                new_config = self.config
            else:
                new_config = await asyncio.to_thread(load_gateway_config, self.config.file)
        elif isinstance(config, GatewayConfig):
            new_config = config
        else:
            new_config = await asyncio.to_thread(load_gateway_config, config)
        old = self.state
        new = await asyncio.to_thread(
            build_state, new_config, self.metrics, clients=self._clients, previous=old
        )
        self.state = new
        self.reloads += 1
        old.retired = True
        task = asyncio.get_running_loop().create_task(close_when_drained(old))
        self._drains.add(task)
        self._retiring.add(task)
        task.add_done_callback(self._drains.discard)
        task.add_done_callback(self._retiring.discard)
        log.info("reloaded: %d operations (generation %d)", len(new.policies), self.reloads)

    async def retired(self) -> None:
        """Until every generation replaced by :meth:`reload` has drained and closed."""
        while self._retiring:
            await asyncio.gather(*self._retiring, return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._drains):
            await task
        await self.state.close()
        self.access_log.close()


async def _ping(client: RespClient) -> bool:
    try:
        async with asyncio.timeout(client.timeout * 2):
            return await client.ping()
    except TimeoutError:
        return False


def _with_length(response: Response) -> RawHeaders:
    """The headers of a response sent whole, with its ``Content-Length``."""
    headers = response.headers
    for key, _ in headers:
        if key == b"content-length":
            return headers
    headers.append((b"content-length", str(len(response.body)).encode()))
    return headers


async def _send(send: Send, response: Response) -> None:
    headers = response.headers
    if response.stream is None:
        headers = _with_length(response)
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})
        return
    try:
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        async for chunk in response.stream:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        if response.release is not None:
            response.release()


def create_app(
    config: GatewayConfig | str | Path,
    *,
    contract_set: ContractSet | None = None,
    upstream_clients: Mapping[str, UpstreamClient] | None = None,
    access_log: Sink | None = None,
) -> Gateway:
    """The gateway ASGI app for a configuration (object or path to ``gateway.yaml``).

    Raises :class:`~accord.errors.ConfigError` (located) when the configuration or a contract is
    invalid: the gateway never starts half-configured.
    """
    if not isinstance(config, GatewayConfig):
        config = load_gateway_config(config)
    return Gateway(
        config, contract_set=contract_set, upstream_clients=upstream_clients, access_log=access_log
    )
