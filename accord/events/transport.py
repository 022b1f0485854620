"""What an event transport offers: publish bytes to an address, subscribe a handler to a pattern.

Addresses are AMQP topic routing keys (``items.item.created.v1``); patterns may use ``*`` (exactly
one word) and ``#`` (zero or more words) as in AMQP 0-9-1 topic exchanges.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

#: A raw message handler: gets the message body; raising dead-letters the message.
RawHandler = Callable[[bytes], Awaitable[None]]


class InvalidEvent(Exception):
    """A received message is not a valid event of its channel (it is dead-lettered, never retried)."""


class Subscription(Protocol):
    """A live subscription."""

    async def close(self) -> None:
        """Stop receiving."""


class Transport(Protocol):
    """A broker connection: in memory (:class:`~accord.events.InMemoryBroker`) or AMQP."""

    async def publish(
        self,
        address: str,
        body: bytes,
        *,
        message_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Send ``body`` to every subscription whose pattern matches ``address``."""

    async def subscribe(self, pattern: str, handler: RawHandler, *, queue: str | None = None) -> Subscription:
        """Deliver every message whose address matches ``pattern`` to ``handler``.

        ``queue`` names a durable queue shared by competing consumers; without it the
        subscription gets its own exclusive queue.
        """


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A message a handler could not process."""

    address: str
    body: bytes
    reason: str


def topic_matches(pattern: str, address: str) -> bool:
    """AMQP 0-9-1 topic matching: ``*`` is exactly one word, ``#`` zero or more words."""
    return _match(pattern.split("."), address.split("."))


def _match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head == "*" or head == words[0]) and _match(rest, words[1:])
