"""A reliable event consumer: acknowledge after processing, retry with back-off, dead-letter, de-duplicate.

:class:`ReliableConsumer` wraps an event handler into a :data:`~accord.events.RawHandler`, so it
runs over any :class:`~accord.events.Transport`. The transports already give the two primitives
it needs: a handler that *returns* gets its message acknowledged, a handler that *raises* gets it
rejected without requeue, which RabbitMQ dead-letters (``AmqpTransport`` declares every named
queue ``q`` with a dead-letter exchange routing to ``q.dlq``; the in-memory broker records a
:class:`~accord.events.DeadLetter`). For each message the consumer:

1. decodes the CloudEvent and takes its (source, id); a body that is not a JSON object with both
   is an :class:`~accord.events.InvalidEvent` and is dead-lettered at once (never retried);
2. skips it (acknowledges) when the :class:`~accord.events.dedup.DedupStore` says it was
   processed, or when the handler raises :class:`~accord.events.dedup.AlreadyProcessed`;
3. runs the handler; on failure waits ``base_delay * multiplier ** (attempt - 1)`` (capped at
   ``max_delay``, optionally jittered) and tries again, up to ``attempts`` times in all;
4. on success marks the key processed and returns (the transport acknowledges); after the last
   failed attempt raises :class:`RetriesExhausted` (the transport dead-letters the message).

Why retry in process with the message unacknowledged, rather than through a retry queue with a
per-message TTL that dead-letters back: RabbitMQ expires per-message TTLs only at the head of a
queue, so one retry queue cannot hold different back-off delays (a 30 s message blocks a 1 s one
behind it); doing it right needs one queue per delay step and per consumer queue, all declared
with matching arguments. Keeping the message unacknowledged while retrying needs no topology,
and crash safety comes for free: if the process dies mid-retry the broker redelivers the
message to another consumer. The costs, accepted: a retrying message holds a prefetch slot, the
attempt count restarts after a crash (classic queues carry only a ``redelivered`` flag), and the
total back-off must stay below RabbitMQ's ``consumer_timeout`` (30 min by default).

Ordering: messages with the same CloudEvents ``subject`` are handled one at a time in arrival
order within a process (DOMAIN.md: consumers order by subject), and so are two deliveries of the
same event, which closes the in-process race between duplicates. Across processes, use
:meth:`~accord.events.dedup.RedisDedupStore.atomically` to make the effect and the mark one
transaction.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from accord.events.dedup import AlreadyProcessed, DedupStore, EventKey, event_key
from accord.events.transport import InvalidEvent, Subscription, Transport

logger = logging.getLogger(__name__)

__all__ = [
    "Delivery",
    "EventHandler",
    "ReliableConsumer",
    "RetriesExhausted",
    "RetryPolicy",
    "Stats",
]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential back-off: ``attempts`` tries in all, waiting ``delay(n)`` after the n-th failure.

    With ``jitter`` each wait is drawn uniformly from [d/2, d] ("equal jitter"), which spreads
    consumers that failed together without ever retrying immediately.
    """

    attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 30.0
    multiplier: float = 2.0
    jitter: bool = True

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("delays must not be negative")
        if self.multiplier < 1:
            raise ValueError("multiplier must be at least 1")

    def delay(self, failures: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after the ``failures``-th failed attempt (1-based)."""
        if self.base_delay == 0:
            return 0.0
        try:
            raw = self.base_delay * self.multiplier ** max(0, failures - 1)
        except OverflowError:  # a huge attempt count: the cap applies anyway
            raw = math.inf
        delay = min(self.max_delay, raw)
        if self.jitter and delay > 0:
            delay = rng.uniform(delay / 2, delay) if rng else random.uniform(delay / 2, delay)
        return delay


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempt at handling one event."""

    #: The decoded CloudEvent (a JSON object).
    event: dict[str, Any]
    #: Its (source, id).
    key: EventKey
    #: 1 for the first attempt in this process.
    attempt: int
    #: The message body as received (e.g. for :meth:`EventChannel.decode`).
    body: bytes

    @property
    def subject(self) -> str | None:
        subject = self.event.get("subject")
        return subject if isinstance(subject, str) else None


#: What a reliable consumer calls for each event; raising means "failed, retry".
EventHandler = Callable[[Delivery], Awaitable[None]]


class RetriesExhausted(Exception):
    """Every attempt failed: the message is dead-lettered (its last error is the ``__cause__``)."""

    def __init__(self, key: EventKey, attempts: int, last: BaseException) -> None:
        super().__init__(
            f"event {key[1]!r} from {key[0]!r} failed {attempts} time(s); last: {type(last).__name__}: {last}"
        )
        self.key = key
        self.attempts = attempts


@dataclass
class Stats:
    """Counters of what a consumer did (for logs, metrics and tests)."""

    processed: int = 0
    duplicates: int = 0
    retries: int = 0
    dead_lettered: int = 0
    invalid: int = 0
    mark_failures: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "processed": self.processed,
            "duplicates": self.duplicates,
            "retries": self.retries,
            "dead_lettered": self.dead_lettered,
            "invalid": self.invalid,
            "mark_failures": self.mark_failures,
        }


@dataclass(eq=False)
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class ReliableConsumer:
    """Wraps ``handler`` with de-duplication, retries and dead-lettering; call it with a message body.

    ``store`` is optional (no de-duplication without it). ``non_retryable`` exceptions skip the
    remaining attempts and dead-letter at once (:class:`~accord.events.InvalidEvent` by default).
    ``sleep`` and ``rng`` are injectable so tests need no real waiting.
    """

    def __init__(
        self,
        handler: EventHandler,
        *,
        store: DedupStore | None = None,
        retry: RetryPolicy | None = None,
        non_retryable: tuple[type[BaseException], ...] = (InvalidEvent,),
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.handler = handler
        self.store = store
        self.retry = retry or RetryPolicy()
        self.non_retryable = non_retryable
        self.stats = Stats()
        self._sleep = sleep
        self._rng = rng
        self._turns: dict[tuple[str, ...], _Turn] = {}

    async def subscribe(
        self, transport: Transport, pattern: str, *, queue: str | None = None
    ) -> Subscription:
        """Consume ``pattern`` from ``transport`` (name a ``queue`` to get a durable one with a ``.dlq``)."""
        return await transport.subscribe(pattern, self, queue=queue)

    async def __call__(self, body: bytes) -> None:
        event, key = self._decode(body)
        subject = event.get("subject")
        # Same subject: one at a time, in arrival order; no subject: at least the same event.
        turn_key = ("subject", subject) if isinstance(subject, str) and subject else ("event", *key)
        turn = self._turns.setdefault(turn_key, _Turn())
        turn.users += 1
        try:
            async with turn.lock:
                await self._process(event, key, body)
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._turns[turn_key]

    def _decode(self, body: bytes) -> tuple[dict[str, Any], EventKey]:
        try:
            event = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            self.stats.invalid += 1
            raise InvalidEvent(f"not JSON: {exc}") from exc
        key = event_key(event)
        if key is None:
            self.stats.invalid += 1
            raise InvalidEvent("not a CloudEvent: a JSON object with non-empty `source` and `id` is required")
        return event, key

    async def _process(self, event: dict[str, Any], key: EventKey, body: bytes) -> None:
        attempts = self.retry.attempts
        for attempt in range(1, attempts + 1):
            try:
                if self.store is not None and await self.store.is_processed(key):
                    self.stats.duplicates += 1
                    return
                await self.handler(Delivery(event, key, attempt, body))
            except AlreadyProcessed:
                self.stats.duplicates += 1
                return
            except self.non_retryable:
                self.stats.dead_lettered += 1
                raise
            except Exception as exc:
                if attempt == attempts:
                    self.stats.dead_lettered += 1
                    logger.warning("giving up on %s after %d attempt(s): %r", key, attempt, exc)
                    raise RetriesExhausted(key, attempt, exc) from exc
                delay = self.retry.delay(attempt, self._rng)
                self.stats.retries += 1
                logger.info("attempt %d for %s failed (%r); retrying in %.3fs", attempt, key, exc, delay)
                await self._sleep(delay)
            else:
                await self._mark(key)
                self.stats.processed += 1
                return

    async def _mark(self, key: EventKey) -> None:
        """Mark after success; failing that, retry, and in the end acknowledge anyway.

        The effect has happened: dead-lettering now would make a replay apply it twice. The
        price of a lost mark is that a later duplicate of this event is processed again.
        """
        if self.store is None:
            return
        for attempt in range(1, self.retry.attempts + 1):
            try:
                await self.store.mark_processed(key)
                return
            except Exception as exc:
                if attempt == self.retry.attempts:
                    self.stats.mark_failures += 1
                    logger.error("processed %s but could not mark it: %r", key, exc)
                    return
                await self._sleep(self.retry.delay(attempt, self._rng))
