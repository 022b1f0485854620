"""AMQP 0-9-1 transport (RabbitMQ) over aio-pika: one topic exchange, routing key = channel address.

Importing this module needs no broker; :meth:`AmqpTransport.connect` (or the first publish or
subscribe) opens the connection. Every subscription's queue dead-letters (RabbitMQ DLX) what its
handler rejects: a named queue ``q`` into ``q.dlq``, an anonymous one into the shared
``<exchange>.dead-letters`` queue. Messages are published persistent with the CloudEvents id as
AMQP ``message_id`` and ``content_type`` ``application/cloudevents+json``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)

from accord.events.envelope import CONTENT_TYPE, EXCHANGE
from accord.events.transport import RawHandler

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/"
logger = logging.getLogger(__name__)


class AmqpSubscription:
    """A consumer on one queue; :meth:`close` cancels it (the queue itself stays if it is named)."""

    def __init__(self, queue: AbstractQueue, tag: str) -> None:
        self.queue = queue
        self._tag = tag

    @property
    def queue_name(self) -> str:
        return str(self.queue.name)

    async def close(self) -> None:
        await self.queue.cancel(self._tag)


class AmqpTransport:
    """Publishes to and consumes from the ``distribution.events`` topic exchange."""

    def __init__(self, url: str = DEFAULT_URL, *, exchange: str = EXCHANGE, prefetch: int = 32) -> None:
        self.url = url
        self.exchange_name = exchange
        self.dead_letter_exchange = f"{exchange}.dlx"
        self.shared_dead_letters = f"{exchange}.dead-letters"
        self.prefetch = prefetch
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._dlx: AbstractExchange | None = None

    async def connect(self) -> None:
        """Open the connection and declare the exchanges (idempotent)."""
        if self._exchange is not None:
            return
        self._connection = await aio_pika.connect_robust(self.url)
        self._channel = await self._connection.channel()
        await self._channel.set_qos(prefetch_count=self.prefetch)
        self._exchange = await self._channel.declare_exchange(
            self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        self._dlx = await self._channel.declare_exchange(
            self.dead_letter_exchange, aio_pika.ExchangeType.DIRECT, durable=True
        )
        shared = await self._channel.declare_queue(self.shared_dead_letters, durable=True)
        await shared.bind(self._dlx, routing_key=self.shared_dead_letters)

    async def publish(
        self,
        address: str,
        body: bytes,
        *,
        message_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        await self.connect()
        assert self._exchange is not None
        message = aio_pika.Message(
            body,
            content_type=CONTENT_TYPE,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message_id,
            headers=dict(headers or {}),
        )
        await self._exchange.publish(message, routing_key=address)

    async def subscribe(
        self, pattern: str, handler: RawHandler, *, queue: str | None = None
    ) -> AmqpSubscription:
        await self.connect()
        assert self._channel is not None and self._exchange is not None and self._dlx is not None
        arguments: dict[str, Any] = {"x-dead-letter-exchange": self.dead_letter_exchange}
        if queue:
            dead_letters = await self._channel.declare_queue(f"{queue}.dlq", durable=True)
            await dead_letters.bind(self._dlx, routing_key=f"{queue}.dlq")
            arguments["x-dead-letter-routing-key"] = f"{queue}.dlq"
            bound = await self._channel.declare_queue(queue, durable=True, arguments=arguments)
        else:
            arguments["x-dead-letter-routing-key"] = self.shared_dead_letters
            name = f"accord.{uuid.uuid4().hex}"
            bound = await self._channel.declare_queue(
                name, exclusive=True, auto_delete=True, arguments=arguments
            )
        await bound.bind(self._exchange, routing_key=pattern)

        async def on_message(message: AbstractIncomingMessage) -> None:
            try:
                await handler(message.body)
            except Exception as exc:  # the handler's failure dead-letters this message only
                logger.warning("dead-lettering message %s from %s: %s", message.message_id, bound.name, exc)
                await message.reject(requeue=False)
            else:
                await message.ack()

        tag = await bound.consume(on_message)
        return AmqpSubscription(bound, tag)

    async def close(self) -> None:
        """Close the connection."""
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._channel = self._exchange = self._dlx = None
