"""An in-process broker with AMQP topic semantics, for tests, local runs and the mock server."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

from accord.events.transport import DeadLetter, RawHandler, topic_matches


@dataclass(eq=False)
class _Queue:
    name: str
    patterns: list[str]
    consumers: list[RawHandler] = field(default_factory=list)
    turn: itertools.count[int] = field(default_factory=itertools.count)


class _MemorySubscription:
    def __init__(self, broker: InMemoryBroker, queue: _Queue, handler: RawHandler) -> None:
        self._broker = broker
        self._queue = queue
        self._handler = handler

    async def close(self) -> None:
        if self._handler in self._queue.consumers:
            self._queue.consumers.remove(self._handler)
        if not self._queue.consumers and self._queue.name.startswith("amq.gen-"):
            self._broker._queues.pop(self._queue.name, None)


class InMemoryBroker:
    """Delivers each published message, in publish order, to one consumer of every matching queue.

    Delivery happens inside :meth:`publish` (awaited), so tests see effects without sleeping. A
    handler that raises dead-letters the message into :attr:`dead_letters`; it is not redelivered.
    :attr:`published` keeps every (address, body) for inspection.
    """

    def __init__(self) -> None:
        self._queues: dict[str, _Queue] = {}
        self._anonymous = itertools.count(1)
        self.dead_letters: list[DeadLetter] = []
        self.published: list[tuple[str, bytes]] = []

    async def publish(
        self,
        address: str,
        body: bytes,
        *,
        message_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.published.append((address, body))
        for queue in list(self._queues.values()):
            if not queue.consumers or not any(topic_matches(p, address) for p in queue.patterns):
                continue
            handler = queue.consumers[next(queue.turn) % len(queue.consumers)]
            try:
                await handler(body)
            except Exception as exc:  # a consumer's failure must not stop delivery to the others
                self.dead_letters.append(DeadLetter(address, body, f"{type(exc).__name__}: {exc}"))

    async def subscribe(
        self, pattern: str, handler: RawHandler, *, queue: str | None = None
    ) -> _MemorySubscription:
        name = queue or f"amq.gen-{next(self._anonymous)}"
        bound = self._queues.setdefault(name, _Queue(name, []))
        if pattern not in bound.patterns:
            bound.patterns.append(pattern)
        bound.consumers.append(handler)
        return _MemorySubscription(self, bound, handler)

    async def close(self) -> None:
        self._queues.clear()
