"""Generated event code: typed publish/subscribe, validation both ways, de-duplication, dead letters.

In memory always; through a real RabbitMQ (topic exchange ``distribution.events``) when one runs
at 127.0.0.1:5672 (in CI it must).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from accord.events import EXCHANGE, Deduplicator, InMemoryBroker, InvalidEvent, topic_matches
from accord.events.amqp import AmqpTransport
from accord.spec import iter_messages
from tests.codegen.conftest import ROOT, load


def _item(package: str) -> Any:
    from accord.contracts import load_contract_set

    doc = next(c.asyncapi for c in load_contract_set([ROOT / "contracts"]).contracts() if c.domain == "items")
    assert doc is not None
    message = next(m for m in iter_messages(doc) if m.id == "itemCreated")
    data = message.node["examples"][0]["payload"]["data"]
    return load(package, "items.models").Item.model_validate(data)


@pytest.mark.parametrize(
    ("pattern", "address", "matches"),
    [
        ("items.item.created.v1", "items.item.created.v1", True),
        ("items.*.created.v1", "items.item.created.v1", True),
        ("items.#", "items.item.created.v1", True),
        ("#", "a", True),
        ("items.*", "items.item.created.v1", False),
        ("orders.#", "items.item.created.v1", False),
        ("items.#.v1", "items.v1", True),
    ],
)
def test_topic_matching_follows_amqp(pattern: str, address: str, matches: bool) -> None:
    assert topic_matches(pattern, address) is matches


def test_deduplicator_forgets_the_oldest_keys() -> None:
    seen = Deduplicator(size=2)
    assert [seen.seen(k) for k in (("s", "1"), ("s", "1"), ("s", "2"), ("s", "3"), ("s", "1"))] == [
        False,
        True,
        False,
        False,
        False,
    ]


def test_publish_and_subscribe_in_memory(generated_package: str) -> None:
    events = load(generated_package, "items.events")
    broker = InMemoryBroker()
    received: list[Any] = []

    async def handler(event: Any) -> None:
        received.append(event)

    async def scenario() -> Any:
        await events.subscribe_item_created(broker, handler)
        item = _item(generated_package)
        sent = await events.publish_item_created(broker, item, subject=item.itemId)
        await broker.publish(events.ITEM_CREATED.address, events.ITEM_CREATED.encode(sent))  # a duplicate
        await broker.publish(events.ITEM_CREATED.address, b'{"specversion": "1.0"}')  # invalid
        return sent

    sent = asyncio.run(scenario())
    item_id = _item(generated_package).itemId
    assert [e.id for e in received] == [sent.id]
    assert received[0].type == "com.acme.distribution.items.item.created.v1"
    assert received[0].source == "/erp/items" and received[0].subject == item_id
    assert received[0].data.itemId == item_id
    assert [a for a, _ in broker.published] == ["items.item.created.v1"] * 3
    assert len(broker.dead_letters) == 1 and "InvalidEvent" in broker.dead_letters[0].reason


def test_publisher_validates_before_sending(generated_package: str) -> None:
    events = load(generated_package, "items.events")
    broker = InMemoryBroker()
    with pytest.raises(ValidationError):
        asyncio.run(events.publish_item_created(broker, _item(generated_package), subject="not-an-item-id"))
    assert broker.published == []


def test_decode_rejects_bodies_that_are_not_the_channel_model(generated_package: str) -> None:
    events = load(generated_package, "items.events")
    with pytest.raises(InvalidEvent, match="ItemCreatedEvent"):
        events.ITEM_CREATED.decode(orjson.dumps({"specversion": "1.0", "id": "x"}))


@pytest.mark.rabbitmq
def test_publish_and_subscribe_through_rabbitmq(generated_package: str, amqp_url: str) -> None:
    events = load(generated_package, "items.events")
    queue = f"accord-test-{uuid.uuid4().hex[:12]}"
    received: list[Any] = []

    async def handler(event: Any) -> None:
        received.append(event)

    async def scenario() -> tuple[Any, list[bytes]]:
        import aio_pika

        transport = AmqpTransport(amqp_url)
        subscription = await events.subscribe_item_created(transport, handler, queue=queue)
        try:
            item = _item(generated_package)
            sent = await events.publish_item_created(transport, item, subject=item.itemId)
            await transport.publish(
                events.ITEM_CREATED.address, events.ITEM_CREATED.encode(sent)
            )  # duplicate
            await transport.publish(events.ITEM_CREATED.address, b"not json at all")  # dead-lettered
            dead: list[bytes] = []
            connection = await aio_pika.connect(amqp_url)
            async with connection:
                channel = await connection.channel()
                dlq = await channel.declare_queue(f"{queue}.dlq", durable=True)
                for _ in range(100):
                    message = await dlq.get(fail=False)
                    if message is not None:
                        await message.ack()
                        dead.append(message.body)
                    if dead and len(received) >= 1:
                        break
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.2)  # let the duplicate arrive (and be dropped)
                exchange = await channel.get_exchange(EXCHANGE)
                assert exchange.name == EXCHANGE
                await subscription.close()
                await channel.queue_delete(queue)
                await channel.queue_delete(f"{queue}.dlq")
            return sent, dead
        finally:
            await transport.close()

    sent, dead = asyncio.run(scenario())
    assert [e.id for e in received] == [sent.id]
    assert received[0].data.itemId == sent.data.itemId
    assert dead == [b"not json at all"]
