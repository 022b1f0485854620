"""Run the gateway under uvicorn (uvloop + httptools, see :mod:`._server_protocol`) and reload it on
SIGHUP."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from pathlib import Path

import uvicorn

from accord.errors import AccordError
from accord_gateway._server_protocol import HeadHoldingHttpToolsProtocol
from accord_gateway.app import Gateway, create_app

log = logging.getLogger("accord.gateway")


def uvicorn_config(app: Gateway, host: str, port: int, *, log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http=HeadHoldingHttpToolsProtocol,  # uvicorn's httptools protocol, head and body in one write
        lifespan="on",
        access_log=False,  # the gateway writes its own JSON access log
        # The gateway decides itself whom to believe about the client address
        # (rateLimit.trustForwardedFor); uvicorn's middleware would trust 127.0.0.1 implicitly.
        proxy_headers=False,
        log_level=log_level,
        server_header=False,
        date_header=True,
        timeout_keep_alive=15,
        timeout_graceful_shutdown=30,
    )


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


async def _freeze_when_started(server: uvicorn.Server) -> None:
    while not server.started:
        if server.should_exit:
            return
        await asyncio.sleep(0.02)
    freeze_heap()


async def serve(config_path: str | Path, host: str | None = None, port: int | None = None) -> None:
    """Start the gateway for ``config_path`` and serve until SIGINT/SIGTERM."""
    app = create_app(config_path)
    server = uvicorn.Server(
        uvicorn_config(
            app, host or app.config.server.host, port if port is not None else app.config.server.port
        )
    )
    install_reload_handler(app)
    freezer = asyncio.get_running_loop().create_task(_freeze_when_started(server))
    try:
        await server.serve()
    finally:
        freezer.cancel()


def run(config_path: str | Path, host: str | None = None, port: int | None = None) -> None:
    import uvloop

    uvloop.run(serve(config_path, host, port))
