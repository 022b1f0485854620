"""Where idempotent responses live: in memory (one replica) or in Redis (shared), with a TTL.

A key is first *locked* (value ``P<fingerprint>``, short TTL) by the request that will call the
upstream, then *completed* (value ``D<meta json>\\n<body>``, long TTL) with the response to replay.
``SET ... NX GET`` makes "lock it, or tell me what is there" one atomic Redis command.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

import orjson

from accord_gateway.resp import RespClient


@dataclass(frozen=True, slots=True)
class Stored:
    """A completed response."""

    fingerprint: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def encode(self) -> bytes:
        meta = {
            "f": self.fingerprint,
            "s": self.status,
            "h": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in self.headers],
        }
        return b"D" + orjson.dumps(meta) + b"\n" + self.body

    @classmethod
    def decode(cls, raw: bytes) -> Stored:
        meta_raw, _, body = raw[1:].partition(b"\n")
        meta = orjson.loads(meta_raw)
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in meta["h"]]
        return cls(meta["f"], int(meta["s"]), headers, body)


@dataclass(frozen=True, slots=True)
class Pending:
    """Another request holds the key and is still waiting for its upstream."""

    fingerprint: str


State = Stored | Pending | None


def _parse(raw: bytes | None) -> State:
    if raw is None:
        return None
    if raw[:1] == b"P":
        return Pending(raw[1:].decode("ascii", "replace"))
    return Stored.decode(raw)


class IdempotencyStore(ABC):
    name: str

    @abstractmethod
    async def begin(self, key: str, fingerprint: str, lock_ttl: float) -> State:
        """Lock ``key`` for this request (returns None), or return what already holds it."""

    @abstractmethod
    async def get(self, key: str) -> State: ...

    @abstractmethod
    async def complete(self, key: str, stored: Stored, ttl: float) -> None: ...

    @abstractmethod
    async def abandon(self, key: str) -> None:
        """Release a lock without a response (the upstream failed: a retry may try again)."""

    async def wait(self, key: str, timeout: float) -> State:
        """What holds ``key`` once it is no longer pending, or the pending state after ``timeout``."""
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            state = await self.get(key)
            if not isinstance(state, Pending) or time.monotonic() >= deadline:
                return state
            await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 0.05)

    async def close(self) -> None:
        return None


class MemoryIdempotencyStore(IdempotencyStore):
    name = "memory"

    def __init__(self, max_keys: int = 100_000) -> None:
        self._items: dict[str, tuple[float, bytes]] = {}
        self._events: dict[str, asyncio.Event] = {}
        self._max_keys = max_keys

    def _live(self, key: str) -> bytes | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[0] <= time.monotonic():
            del self._items[key]
            return None
        return item[1]

    def _put(self, key: str, raw: bytes, ttl: float) -> None:
        if len(self._items) >= self._max_keys and key not in self._items:
            now = time.monotonic()
            for old in [k for k, (expires, _) in self._items.items() if expires <= now]:
                del self._items[old]
            while len(self._items) >= self._max_keys:
                del self._items[next(iter(self._items))]
        self._items[key] = (time.monotonic() + ttl, raw)

    async def begin(self, key: str, fingerprint: str, lock_ttl: float) -> State:
        current = self._live(key)
        if current is not None:
            return _parse(current)
        self._put(key, b"P" + fingerprint.encode("ascii"), lock_ttl)
        self._events[key] = asyncio.Event()
        return None

    async def get(self, key: str) -> State:
        return _parse(self._live(key))

    async def complete(self, key: str, stored: Stored, ttl: float) -> None:
        self._put(key, stored.encode(), ttl)
        self._wake(key)

    async def abandon(self, key: str) -> None:
        self._items.pop(key, None)
        self._wake(key)

    def _wake(self, key: str) -> None:
        event = self._events.pop(key, None)
        if event is not None:
            event.set()

    async def wait(self, key: str, timeout: float) -> State:
        event = self._events.get(key)
        if event is not None:
            try:
                async with asyncio.timeout(timeout):
                    await event.wait()
            except TimeoutError:
                pass
        return await self.get(key)


class RedisIdempotencyStore(IdempotencyStore):
    name = "redis"

    def __init__(self, client: RespClient, prefix: str = "accord:") -> None:
        self.client = client
        self.prefix = prefix + "idem:"

    async def begin(self, key: str, fingerprint: str, lock_ttl: float) -> State:
        # SET NX GET (Redis >= 7.0): sets only if absent and returns the previous value either way.
        previous = await self.client.call(
            "SET", self.prefix + key, b"P" + fingerprint.encode("ascii"), "NX", "GET", "PX", _ms(lock_ttl)
        )
        return _parse(previous)

    async def get(self, key: str) -> State:
        return _parse(await self.client.call("GET", self.prefix + key))

    async def complete(self, key: str, stored: Stored, ttl: float) -> None:
        await self.client.call("SET", self.prefix + key, stored.encode(), "PX", _ms(ttl))

    async def abandon(self, key: str) -> None:
        await self.client.call("DEL", self.prefix + key)

    async def close(self) -> None:
        await self.client.close()


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
