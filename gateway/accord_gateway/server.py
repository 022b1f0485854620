"""Run the gateway on :mod:`accord.serve` (httptools + uvloop) and reload it on SIGHUP."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import socket
import ssl
import sys
from collections.abc import Callable
from pathlib import Path

from accord.errors import AccordError, ConfigError, ServeError, UsageError
from accord.policy import Policy
from accord.serve import Limits, Server, server_context
from accord.serve import serve as serve_app
from accord.serve.workers import Supervisor, bind
from accord_gateway.app import Gateway, create_app
from accord_gateway.config import GatewayConfig, load_gateway_config
from accord_gateway.metrics import Metrics
from accord_gateway.state import build_state, unusable_credentials

log = logging.getLogger("accord.gateway")


def server_limits(app: Gateway) -> Limits:
    """The server's hard limits. The gateway answers oversized headers itself (431 problem with a
    trace id, ``limits.maxHeaderBytes``); the server's cap only stops a head that never ends."""
    return Limits(max_head_bytes=max(64 * 1024, 4 * app.config.limits.max_header_bytes))


def install_reload_handler(app: Gateway) -> None:
    """SIGHUP reloads configuration and contracts; a failed reload keeps the running generation."""
    loop = asyncio.get_running_loop()

    def on_hangup() -> None:
        task = loop.create_task(_reload(app))
        app._drains.add(task)
        task.add_done_callback(app._drains.discard)

    loop.add_signal_handler(signal.SIGHUP, on_hangup)


async def _reload(app: Gateway) -> None:
    try:
        await app.reload()
    except AccordError as exc:
        log.error("reload refused, keeping the running configuration: %s", exc)
        return
    except Exception:
        log.exception("reload failed, keeping the running configuration")
        return
    # Once the retired generation is closed, its objects (frozen with the rest at start-up) must
    # become collectable again: a frozen reference cycle would never be freed.
    await app.retired()
    freeze_heap()


def freeze_heap() -> None:
    """Move everything alive now out of the garbage collector's reach (``gc.freeze``).

    The compiled contracts, schemas and libraries are tens of thousands of objects that live as
    long as the process; without this, every full collection walks all of them (tens of
    milliseconds on the project machine, straight into the p99 latency) and the younger
    collections promote request objects among them.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def on_started(_: Server) -> None:
    """Once listening: freeze the heap (the compiled contracts live as long as the process)."""
    freeze_heap()


async def serve(
    config_path: str | Path,
    host: str | None = None,
    port: int | None = None,
    announce: Callable[[str], None] | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Start the gateway for ``config_path`` and serve until SIGINT/SIGTERM; ``announce`` gets the
    address once the gateway listens. ``sock``: a listening socket shared with other workers (whose
    parent has already warned about the configuration)."""
    app = create_app(config_path)
    install_reload_handler(app)
    context = tls_context(app.config)
    if sock is None:
        _warn(app.state.policies, app.config)

    def started(server: Server) -> None:
        on_started(server)
        if announce is not None:
            announce(f"{'https' if context else 'http'}://{server.host}:{server.port}")

    await serve_app(
        app,
        host or app.config.server.host,
        port if port is not None else app.config.server.port,
        limits=server_limits(app),
        on_started=started,
        sock=sock,
        ssl_context=context,
    )


def tls_context(config: GatewayConfig) -> ssl.SSLContext | None:
    """The TLS context of ``server.tls`` (None without it); bad files raise a located ConfigError."""
    tls = config.server.tls
    if tls is None:
        return None
    try:
        return server_context(
            config.resolve_path(tls.cert_file),
            config.resolve_path(tls.key_file),
            client_ca_file=config.resolve_path(tls.client_ca_file) if tls.client_ca_file else None,
            client_certs=tls.client_certs,
        )
    except ServeError as exc:
        raise ConfigError(exc.message, config.where("server", "tls")) from None


def run(
    config_path: str | Path,
    host: str | None = None,
    port: int | None = None,
    announce: Callable[[str], None] | None = None,
    workers: int = 1,
) -> None:
    """Serve in this process, or in ``workers`` pre-forked processes sharing one socket."""
    import uvloop

    if workers <= 1:
        uvloop.run(serve(config_path, host, port, announce))
        return
    config = load_gateway_config(config_path)
    unshared = unshared_state(config)
    if unshared:
        raise UsageError(
            f"--workers {workers} needs state the workers share, but {' and '.join(unshared)}: each "
            "worker would count on its own. Use the redis backend, or one worker per replica."
        )
    state = build_state(config, Metrics())  # compile once, before forking: a bad contract is reported once
    _warn(state.policies, config)
    scheme = "https" if tls_context(config) else "http"  # and the TLS files once
    host = host or config.server.host
    sock = bind(host, port if port is not None else config.server.port)
    if announce is not None:
        announce(f"{scheme}://{host}:{sock.getsockname()[1]} ({workers} workers)")

    def worker(shared: socket.socket) -> int:
        try:
            uvloop.run(serve(config_path, sock=shared))
        except AccordError as exc:  # e.g. the configuration changed under the parent and broke
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0

    if Supervisor(sock, workers, worker).run() != 0:
        raise ServeError("the gateway's workers failed to start (see their errors above)")


def _warn(policies: list[Policy], config: GatewayConfig) -> None:
    for warning in unusable_credentials(policies, config):
        log.warning("%s", warning)


def unshared_state(config: GatewayConfig) -> list[str]:
    """The configured state that lives in one process's memory (not shared between workers)."""
    found = []
    if config.rate_limit.enabled and config.rate_limit.backend == "memory":
        found.append("rateLimit.backend is memory")
    if config.idempotency.enabled and config.idempotency.backend == "memory":
        found.append("idempotency.backend is memory")
    return found
