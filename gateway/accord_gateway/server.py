"""Run the gateway under uvicorn (uvloop + httptools) and reload it on SIGHUP."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

import uvicorn

from accord.errors import AccordError
from accord_gateway.app import Gateway, create_app

log = logging.getLogger("accord.gateway")


def uvicorn_config(app: Gateway, host: str, port: int, *, log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,  # the gateway writes its own JSON access log
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
    except Exception:
        log.exception("reload failed, keeping the running configuration")


async def serve(config_path: str | Path, host: str | None = None, port: int | None = None) -> None:
    """Start the gateway for ``config_path`` and serve until SIGINT/SIGTERM."""
    app = create_app(config_path)
    server = uvicorn.Server(
        uvicorn_config(
            app, host or app.config.server.host, port if port is not None else app.config.server.port
        )
    )
    install_reload_handler(app)
    await server.serve()


def run(config_path: str | Path, host: str | None = None, port: int | None = None) -> None:
    import uvloop

    uvloop.run(serve(config_path, host, port))
