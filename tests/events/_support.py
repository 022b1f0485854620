"""Helpers shared by the event tests: unique broker names, events, clean-up."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from accord.events import envelope

SOURCE = "/distribution/orders"
ORDER_SUBMITTED = "com.acme.distribution.orders.order.submitted.v1"
ADDRESS = "orders.order.submitted.v1"
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def event(number: int, *, event_id: str | None = None, subject: str | None = None) -> dict[str, Any]:
    """An ``order.submitted`` CloudEvent numbered ``number``."""
    return envelope(
        event_type=ORDER_SUBMITTED,
        source=SOURCE,
        subject=subject if subject is not None else f"ord-{number:04d}",
        event_id=event_id or f"evt-{number:04d}",
        data={"orderId": f"ord-{number:04d}", "number": number},
        time=EPOCH + timedelta(seconds=number),
        traceparent=f"00-{number + 1:032x}-{number + 1:016x}-01",
    )


def body(number: int, **kwargs: Any) -> bytes:
    return orjson.dumps(event(number, **kwargs))


@dataclass(frozen=True)
class BrokerNames:
    """Per-test exchange and queue names (the exchange's dead-letter topology derives from them)."""

    exchange: str
    queue: str

    @classmethod
    def fresh(cls) -> BrokerNames:
        exchange = f"accord.test.{uuid.uuid4().hex[:12]}"
        return cls(exchange, f"{exchange}.orders")

    @property
    def dlq(self) -> str:
        return f"{self.queue}.dlq"

    @property
    def queues(self) -> tuple[str, ...]:
        return (self.queue, self.dlq, f"{self.exchange}.dead-letters")

    @property
    def exchanges(self) -> tuple[str, ...]:
        return (self.exchange, f"{self.exchange}.dlx")


async def depth(url: str, queue: str) -> int:
    """Ready messages in ``queue`` (unacknowledged ones are not counted)."""
    import aio_pika

    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.message_count or 0)


async def delete_topology(url: str, names: BrokerNames) -> None:
    import aio_pika

    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for queue in names.queues:
            await channel.queue_delete(queue)
        for exchange in names.exchanges:
            await channel.exchange_delete(exchange)
