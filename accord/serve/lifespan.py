"""The ASGI lifespan protocol from the server's side: start-up before listening, shutdown after."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from accord.errors import ServeError

log = logging.getLogger("accord.serve")

Message = dict[str, Any]


class LifespanFailed(ServeError):
    """The application reported ``lifespan.startup.failed`` (or ``shutdown.failed``)."""


class Lifespan:
    """Runs the application's lifespan task. An application that raises on the lifespan scope
    before start-up completes is taken not to support it (as ASGI servers do in "auto" mode)."""

    def __init__(self, app: Any, state: dict[str, Any] | None = None) -> None:
        self.app = app
        self.state = {} if state is None else state
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.started = asyncio.Event()
        self.stopped = asyncio.Event()
        self.failure: str | None = None
        self.supported = True
        self.task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._main())
        await self.inbox.put({"type": "lifespan.startup"})
        await self._until(self.started)
        if self.failure is not None:
            raise LifespanFailed(f"the application failed to start: {self.failure}")

    async def shutdown(self) -> None:
        if self.task is None or self.task.done():
            return
        await self.inbox.put({"type": "lifespan.shutdown"})
        await self._until(self.stopped)
        if self.failure is not None:
            log.error("the application failed to shut down: %s", self.failure)

    async def _until(self, event: asyncio.Event) -> None:
        assert self.task is not None
        waiter = asyncio.ensure_future(event.wait())
        await asyncio.wait({waiter, self.task}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()

    async def _main(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": self.state}
        try:
            await self.app(scope, self.inbox.get, self._send)
        except Exception as exc:
            if self.started.is_set():
                log.error("the application's lifespan task failed", exc_info=exc)
            else:
                self.supported = False
                log.debug("the application does not support lifespan: %s", exc)
        finally:
            self.started.set()
            self.stopped.set()

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if kind in ("lifespan.startup.failed", "lifespan.shutdown.failed"):
            self.failure = str(message.get("message") or "no reason given")
        if kind.startswith("lifespan.startup."):
            self.started.set()
        elif kind.startswith("lifespan.shutdown."):
            self.stopped.set()
