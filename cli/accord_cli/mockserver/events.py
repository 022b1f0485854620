"""Publishes the contracts' example events: on demand and, optionally, on a schedule."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

import orjson

from accord.events import Transport, new_event_id
from accord.mock import EventMock, fresh

logger = logging.getLogger(__name__)


class UnknownEvent(LookupError):
    """No such send operation, or no such example of it."""


class EventPublisher:
    """Sends example events of ``mocks`` through ``transport`` (with a new id and time each time)."""

    def __init__(self, mocks: list[EventMock], transport: Transport, clock: Callable[[], str]) -> None:
        self.mocks = {m.operation_id: m for m in mocks}
        self.transport = transport
        self.clock = clock
        self.recent: deque[dict[str, Any]] = deque(maxlen=100)
        self._task: asyncio.Task[None] | None = None

    async def publish(self, operation_id: str, example: str | None = None) -> dict[str, Any]:
        """Publish one example of ``operation_id``; returns what was sent."""
        mock = self.mocks.get(operation_id)
        if mock is None:
            raise UnknownEvent(f"no send operation {operation_id!r}")
        if example is None:
            name, payload = next(iter(mock.examples.items()), (None, None))
        else:
            name, payload = example, mock.examples.get(example)
        if name is None or payload is None:
            raise UnknownEvent(f"{operation_id} has no example {example!r}")
        event = fresh(payload, event_id=new_event_id(), time=self.clock())
        message_id = event.get("id") if isinstance(event, dict) else None
        await self.transport.publish(mock.address, orjson.dumps(event), message_id=message_id)
        sent = {"operationId": operation_id, "address": mock.address, "example": name, "event": event}
        self.recent.append(sent)
        return sent

    async def open(self) -> None:
        """Connect the transport now (an AMQP broker that is down fails the start-up, not a request)."""
        connect = getattr(self.transport, "connect", None)
        if connect is not None:
            await connect()

    def start(self, interval: float) -> None:
        """Publish every example of every operation in turn, one every ``interval`` seconds."""
        self._task = asyncio.get_running_loop().create_task(self._loop(interval))

    async def _loop(self, interval: float) -> None:
        schedule = [(m.operation_id, name) for m in self.mocks.values() for name in m.examples]
        if not schedule:
            return
        for operation_id, name in itertools.cycle(schedule):
            await asyncio.sleep(interval)
            try:
                await self.publish(operation_id, name)
            except Exception as exc:  # a broker hiccup must not end the schedule
                logger.warning("could not publish %s example %s: %s", operation_id, name, exc)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        close = getattr(self.transport, "close", None)
        if close is not None:
            await close()
