"""GCRA rate limiting: an in-memory backend (one process) and a Redis backend (exact across replicas).

GCRA (generic cell rate algorithm, ITU-T I.371): each key keeps one number, its theoretical
arrival time (TAT). With emission interval ``T = window / limit`` and burst tolerance
``tau = window - T``, a request at ``now`` is admitted when ``max(TAT, now) + T - window <= now``;
admitting it moves TAT to ``max(TAT, now) + T``. So at most ``limit`` requests pass in any
``window``, evenly refilled, and the state is one key with an expiry.

The Redis backend runs the whole decision as ONE Lua script (EVALSHA), using Redis' own clock
(``TIME``), so replicas with drifting clocks still share one exact quota.
"""

from __future__ import annotations

import hashlib
import math
import time
from abc import ABC, abstractmethod
from typing import NamedTuple

from accord.policy import RateLimit
from accord_gateway.resp import RespClient, encode_command

_MICROS = 1_000_000

#: KEYS[1] bucket; ARGV[1] emission interval (µs); ARGV[2] window (µs).
#: Returns {admitted (1/0), µs until the quota is whole again, µs until the next admission}.
GCRA_SCRIPT = b"""
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - window
if now < allow_at then
  return {0, tat - now, allow_at - now}
end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return {1, new_tat - now, 0}
"""
GCRA_SHA = hashlib.sha1(GCRA_SCRIPT).hexdigest()
_EVALSHA_HEAD = encode_command(("EVALSHA", GCRA_SHA, 1, "key", 0, 0)).split(b"$3\r\nkey")[0]


class Decision(NamedTuple):
    """Outcome of one rate-limit decision, in the units of the IETF RateLimit header fields."""

    allowed: bool
    remaining: int  # r: quota units left
    reset: int  # t: seconds until the quota is whole again
    retry_after: int  # seconds until a rejected request may be retried (0 when allowed)


def interval_and_window(limit: RateLimit) -> tuple[int, int]:
    """T and the window in whole microseconds. T is rounded down so that ``limit * T <= window``:
    rounding up would make the last request of a full burst miss the window by a microsecond."""
    window = round(limit.window * _MICROS)
    return max(1, window // limit.limit), window


def decision(
    limit: RateLimit, admitted: bool, full_in_us: float, retry_in_us: float, interval: int, window: int
) -> Decision:
    if not admitted:
        return Decision(
            False, 0, max(0, math.ceil(full_in_us / _MICROS)), max(1, math.ceil(retry_in_us / _MICROS))
        )
    remaining = max(0, math.floor((window - full_in_us) / interval))
    return Decision(True, min(remaining, limit.limit), max(0, math.ceil(full_in_us / _MICROS)), 0)


class _Units:
    """``interval_and_window`` per limit, computed once (limits are frozen and live as long as their
    policies; the cache holds them, so an ``id`` is never reused while it is in here)."""

    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[int, tuple[RateLimit, int, int, bytes]] = {}

    def of(self, limit: RateLimit) -> tuple[RateLimit, int, int, bytes]:
        known = self._known.get(id(limit))
        if known is None or known[0] is not limit:
            if len(self._known) > 10_000:  # many reloads: start over
                self._known.clear()
            interval, window = interval_and_window(limit)
            args = encode_command((interval, window))[4:]  # the two arguments as RESP bulk strings
            known = self._known[id(limit)] = (limit, interval, window, args)
        return known


class Limiter(ABC):
    """Decides one request against one bucket."""

    name: str

    @abstractmethod
    async def decide(self, bucket: str, limit: RateLimit) -> Decision:
        """Admit or reject; raises :class:`~accord_gateway.resp.RedisUnavailable` when the store is down."""

    async def close(self) -> None:
        return None


class MemoryLimiter(Limiter):
    """GCRA in this process (the embedded default; exact for one replica only)."""

    name = "memory"

    def __init__(self, max_keys: int = 100_000) -> None:
        self._tat: dict[str, int] = {}
        self._max_keys = max_keys
        self._units = _Units()

    async def decide(self, bucket: str, limit: RateLimit) -> Decision:
        now = time.monotonic_ns() // 1000
        _, interval, window, _ = self._units.of(limit)
        tat = max(self._tat.get(bucket, now), now)
        new_tat = tat + interval
        allow_at = new_tat - window
        if now < allow_at:
            return decision(limit, False, tat - now, allow_at - now, interval, window)
        if len(self._tat) >= self._max_keys and bucket not in self._tat:
            self._sweep(now)
        self._tat[bucket] = new_tat
        return decision(limit, True, new_tat - now, 0, interval, window)

    def _sweep(self, now: int) -> None:
        """Drop buckets whose TAT is in the past (they are equivalent to absent ones)."""
        expired = [key for key, tat in self._tat.items() if tat <= now]
        for key in expired:
            del self._tat[key]
        if len(self._tat) >= self._max_keys:  # still full: forget the oldest half
            for key in sorted(self._tat, key=self._tat.__getitem__)[: self._max_keys // 2]:
                del self._tat[key]


class RedisLimiter(Limiter):
    """GCRA in Redis: one EVALSHA per decision, shared by every gateway replica."""

    name = "redis"

    def __init__(self, client: RespClient, prefix: str = "accord:") -> None:
        self.client = client
        self.prefix = prefix + "rl:"
        self._units = _Units()

    async def decide(self, bucket: str, limit: RateLimit) -> Decision:
        _, interval, window, args = self._units.of(limit)
        key = (self.prefix + bucket).encode()
        # EVALSHA sha 1 key interval window, encoded here rather than argument by argument.
        command = _EVALSHA_HEAD + b"$%d\r\n%b\r\n" % (len(key), key) + args
        reply = await self.client.evalsha_encoded(command, GCRA_SCRIPT)
        admitted, full_in, retry_in = reply
        return decision(limit, admitted == 1, float(full_in), float(retry_in), interval, window)

    async def close(self) -> None:
        await self.client.close()
