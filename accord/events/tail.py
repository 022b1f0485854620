"""Watch live events: bind a private queue to the exchange with a topic pattern and yield what arrives.

The queue is exclusive and auto-deleted, so tailing never takes messages away from real
consumers and leaves nothing behind. Messages are consumed without acknowledgement (they are
copies made by the exchange for this queue only).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aio_pika
import aiormq.exceptions
import orjson
from aio_pika.abc import AbstractIncomingMessage

from accord.errors import UsageError
from accord.events._broker import BrokerUnavailable, open_connection
from accord.events.envelope import EXCHANGE
from accord.model import Location


@dataclass(frozen=True, slots=True)
class TailedMessage:
    """One message seen on the exchange."""

    routing_key: str
    body: bytes
    message_id: str | None

    def event(self) -> Any:
        """The decoded JSON body, or ``None`` when it is not JSON."""
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            return None

    def json_line(self) -> str:
        """The event as one compact JSON line; a body that is not a JSON object is wrapped."""
        event = self.event()
        if isinstance(event, dict):
            return orjson.dumps(event).decode()
        wrapped = {"routingKey": self.routing_key, "body": self.body.decode("utf-8", "replace")}
        return orjson.dumps(wrapped).decode()


async def tail_events(
    url: str,
    pattern: str,
    *,
    exchange: str = EXCHANGE,
    count: int | None = None,
    timeout: float | None = None,
    on_ready: Callable[[], None] | None = None,
    connect_timeout: float = 10.0,
) -> AsyncIterator[TailedMessage]:
    """Yield messages whose routing key matches ``pattern`` until ``count`` arrived or ``timeout`` s passed.

    ``on_ready`` is called once the queue is bound: events published after it are seen. The
    exchange is declared (a durable topic exchange, as ``AmqpTransport`` declares it) so tailing
    can start before any producer.
    """
    if count is not None and count < 1:
        raise UsageError("the count must be at least 1", Location("--count"))
    deadline = None if timeout is None else time.monotonic() + timeout
    connection = await open_connection(url, timeout=connect_timeout)
    async with connection:
        channel = await connection.channel(publisher_confirms=False)
        try:
            bound = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        except aiormq.exceptions.ChannelPreconditionFailed as exc:
            raise UsageError(
                f"exchange {exchange!r} exists but is not a durable topic exchange", Location("--exchange")
            ) from exc
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(bound, routing_key=pattern)
        # None is put when the connection closes under us, so a wait without timeout ends too.
        arrived: asyncio.Queue[TailedMessage | None] = asyncio.Queue()

        async def receive(message: AbstractIncomingMessage) -> None:
            await arrived.put(TailedMessage(message.routing_key or "", message.body, message.message_id))

        def lost(*_: Any) -> None:
            arrived.put_nowait(None)

        connection.close_callbacks.add(lost)
        await queue.consume(receive, no_ack=True)
        if on_ready is not None:
            on_ready()
        seen = 0
        while count is None or seen < count:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return
            try:
                message = await asyncio.wait_for(arrived.get(), remaining)
            except TimeoutError:
                return
            if message is None:
                raise BrokerUnavailable("the broker closed the connection", Location("--broker"))
            seen += 1
            yield message
