"""Remembering which events were processed, keyed by CloudEvents (source, id).

CloudEvents 1.0 §3.1.1 makes ``source`` + ``id`` unique per distinct event, and "consumers MAY
assume that events with identical source and id are duplicates". A :class:`DedupStore` records the
keys of processed events; the reliable consumer (:mod:`accord.events.reliable`) consults it before
running a handler and marks the key after the handler succeeded.

Check-then-mark is at-least-once: a crash between a handler's effect and the mark re-runs the
handler on redelivery. For exactly-once *effects*, write the effect and the mark in one
transaction: :meth:`RedisDedupStore.atomically` yields a Redis MULTI pipeline, WATCHes the key,
and EXECs the caller's commands together with the mark (or raises :class:`AlreadyProcessed`
when another consumer got there first, in which case nothing of the caller's is applied).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol

import orjson

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.asyncio.client import Pipeline

#: (source, id) of a CloudEvent.
EventKey = tuple[str, str]

#: How long a processed key is remembered by default: longer than any redelivery or replay
#: horizon we expect (a duplicate published after the TTL is processed again).
DEFAULT_TTL = 7 * 24 * 3600.0


class AlreadyProcessed(Exception):
    """The event was processed before (or concurrently, by another consumer): nothing was applied.

    A handler may let it propagate; the reliable consumer then acknowledges the message as a
    duplicate.
    """

    def __init__(self, key: EventKey) -> None:
        super().__init__(f"event {key[1]!r} from {key[0]!r} was already processed")
        self.key = key


class DedupStore(Protocol):
    """Where processed (source, id) keys are remembered."""

    async def is_processed(self, key: EventKey) -> bool:
        """Whether ``key`` was marked processed (and has not expired)."""

    async def mark_processed(self, key: EventKey) -> bool:
        """Mark ``key`` processed; true when this call marked it, false when it already was."""


class InMemoryDedupStore:
    """A process-local store: a bounded mapping of key to expiry (``ttl`` seconds, ``None``: never).

    Good for tests and single-process consumers; it forgets everything on restart, so a
    redelivery after a crash is processed again. When more than ``max_entries`` keys are held the
    oldest marks are dropped first.
    """

    def __init__(
        self,
        ttl: float | None = None,
        *,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._expiry: OrderedDict[EventKey, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._expiry)

    async def is_processed(self, key: EventKey) -> bool:
        expires = self._expiry.get(key)
        if expires is None:
            return False
        if expires <= self._clock():
            del self._expiry[key]
            return False
        return True

    async def mark_processed(self, key: EventKey) -> bool:
        if await self.is_processed(key):
            return False
        self._expiry[key] = self._clock() + self.ttl if self.ttl is not None else float("inf")
        while len(self._expiry) > self.max_entries:
            self._expiry.popitem(last=False)
        return True


class RedisDedupStore:
    """Keys in Redis (``SET key 1 NX EX ttl``), shared by every consumer of a queue.

    Key names are ``prefix`` + the JSON array ``["<source>","<id>"]`` (unambiguous whatever the
    source and id contain).
    """

    def __init__(self, client: Redis, *, prefix: str = "accord:processed:", ttl: float = DEFAULT_TTL) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self.client = client
        self.prefix = prefix
        self.ttl = ttl

    def key_name(self, key: EventKey) -> str:
        """The Redis key that marks ``key`` processed."""
        return self.prefix + orjson.dumps([key[0], key[1]]).decode()

    @property
    def _ttl_ms(self) -> int:
        return max(1, round(self.ttl * 1000))

    async def is_processed(self, key: EventKey) -> bool:
        return bool(await self.client.exists(self.key_name(key)))

    async def mark_processed(self, key: EventKey) -> bool:
        return bool(await self.client.set(self.key_name(key), b"1", nx=True, px=self._ttl_ms))

    @asynccontextmanager
    async def atomically(self, key: EventKey) -> AsyncIterator[Pipeline]:
        """A MULTI pipeline whose queued commands are applied together with the mark of ``key``.

        ``async with store.atomically(delivery.key) as tx: tx.hincrby(...)`` — the block only
        *queues* commands (do not await them); on leaving the block they and ``SET key`` run in
        one MULTI/EXEC. The key is WATCHed first: when it is already marked, or gets marked by
        someone else before EXEC, :class:`AlreadyProcessed` is raised and none of the queued
        commands is applied. When the block raises, nothing is applied either.
        """
        from redis.exceptions import WatchError

        name = self.key_name(key)
        async with self.client.pipeline(transaction=True) as pipe:
            await pipe.watch(name)
            if await pipe.exists(name):
                raise AlreadyProcessed(key)
            pipe.multi()  # type: ignore[no-untyped-call]  # redis-py leaves multi() unannotated
            yield pipe
            pipe.set(name, b"1", px=self._ttl_ms)
            try:
                await pipe.execute()
            except WatchError as exc:
                raise AlreadyProcessed(key) from exc


def event_key(event: Any) -> EventKey | None:
    """The (source, id) of a decoded CloudEvent, or ``None`` when either is missing or empty."""
    if not isinstance(event, dict):
        return None
    source, event_id = event.get("source"), event.get("id")
    if not isinstance(source, str) or not isinstance(event_id, str) or not source or not event_id:
        return None
    return source, event_id
