"""Run the gateway on :mod:`accord.serve` (httptools + uvloop) and reload it on SIGHUP."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Callable
from pathlib import Path

from accord.errors import AccordError
from accord.serve import Limits, Server
from accord.serve import serve as serve_app
from accord_gateway.app import Gateway, create_app

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
) -> None:
    """Start the gateway for ``config_path`` and serve until SIGINT/SIGTERM; ``announce`` gets the
    address once the gateway listens."""
    app = create_app(config_path)
    install_reload_handler(app)

    def started(server: Server) -> None:
        on_started(server)
        if announce is not None:
            announce(f"http://{server.host}:{server.port}")

    await serve_app(
        app,
        host or app.config.server.host,
        port if port is not None else app.config.server.port,
        limits=server_limits(app),
        on_started=started,
    )


def run(
    config_path: str | Path,
    host: str | None = None,
    port: int | None = None,
    announce: Callable[[str], None] | None = None,
) -> None:
    import uvloop

    uvloop.run(serve(config_path, host, port, announce))
