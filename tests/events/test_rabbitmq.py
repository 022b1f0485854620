"""The reliable consumer through a real RabbitMQ: ack after processing, retry, dead letter, replay, dedup."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from accord_cli.main import cli
from click.testing import CliRunner, Result

from accord.events.amqp import AmqpTransport
from accord.events.dedup import InMemoryDedupStore, RedisDedupStore
from accord.events.reliable import Delivery, ReliableConsumer, RetryPolicy
from tests.events._support import ADDRESS, BrokerNames, body, depth

pytestmark = pytest.mark.rabbitmq
FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, jitter=False)


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = 10.0) -> None:
    """Wait until ``check()`` holds (the broker delivers asynchronously)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def declare(transport: AmqpTransport, names: BrokerNames) -> None:
    """Declare the queue (and its .dlq) without consuming, so publishes before a consumer are kept."""

    async def unused(_: bytes) -> None:
        raise AssertionError("nothing is published yet")

    subscription = await transport.subscribe("orders.#", unused, queue=names.queue)
    await subscription.close()


def replay_cli(*args: str) -> Result:
    return CliRunner().invoke(cli, ["events", "replay", *args])


def test_ack_only_after_the_handler_finished(amqp_url: str, names: BrokerNames) -> None:
    async def scenario() -> tuple[int, int, list[str]]:
        started, handled = asyncio.Event(), []
        blocked = asyncio.Event()  # never set: the first consumer "hangs" mid-processing

        async def hangs(delivery: Delivery) -> None:
            started.set()
            await blocked.wait()

        first = AmqpTransport(amqp_url, exchange=names.exchange, prefetch=1)
        await ReliableConsumer(hangs).subscribe(first, "orders.#", queue=names.queue)
        await first.publish(ADDRESS, body(1))
        await asyncio.wait_for(started.wait(), 10)
        assert await depth(amqp_url, names.queue) == 0  # delivered, not yet acknowledged
        await first.close()  # the consumer goes away while processing
        await eventually(lambda: _equals(depth(amqp_url, names.queue), 1))
        requeued = await depth(amqp_url, names.queue)

        async def works(delivery: Delivery) -> None:
            handled.append(delivery.key[1])

        second = AmqpTransport(amqp_url, exchange=names.exchange, prefetch=1)
        try:
            await ReliableConsumer(works).subscribe(second, "orders.#", queue=names.queue)
            await eventually(lambda: _true(handled == ["evt-0001"]))
        finally:
            await second.close()
        return requeued, await depth(amqp_url, names.queue), handled

    requeued, left, handled = asyncio.run(scenario())
    assert requeued == 1 and left == 0 and handled == ["evt-0001"]


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def _true(value: bool) -> bool:
    return value


def test_retry_then_success(amqp_url: str, names: BrokerNames) -> None:
    async def scenario() -> tuple[list[int], dict[str, int], int, int]:
        attempts: list[int] = []

        async def flaky(delivery: Delivery) -> None:
            attempts.append(delivery.attempt)
            if delivery.attempt < 3:
                raise ConnectionError("inventory service unavailable")

        consumer = ReliableConsumer(flaky, retry=FAST)
        transport = AmqpTransport(amqp_url, exchange=names.exchange, prefetch=4)
        try:
            await consumer.subscribe(transport, "orders.#", queue=names.queue)
            await transport.publish(ADDRESS, body(1), message_id="evt-0001")
            await eventually(lambda: _true(consumer.stats.processed == 1))
            await asyncio.sleep(0.1)  # a redelivery, if any, would show by now
        finally:
            await transport.close()
        return (
            attempts,
            consumer.stats.as_dict(),
            await depth(amqp_url, names.queue),
            await depth(amqp_url, names.dlq),
        )

    attempts, stats, left, dead = asyncio.run(scenario())
    assert attempts == [1, 2, 3]
    assert stats["retries"] == 2 and stats["dead_lettered"] == 0
    assert (left, dead) == (0, 0)


def test_dead_letter_after_n_failures_then_replay_processes_it(amqp_url: str, names: BrokerNames) -> None:
    async def scenario() -> tuple[list[tuple[str, int]], list[str], Result, int, int]:
        attempts: list[tuple[str, int]] = []
        effects: list[str] = []
        fixed = False

        async def until_fixed(delivery: Delivery) -> None:
            attempts.append((delivery.key[1], delivery.attempt))
            if not fixed:
                raise LookupError("unknown customer")
            effects.append(delivery.key[1])

        consumer = ReliableConsumer(until_fixed, store=InMemoryDedupStore(), retry=FAST)
        transport = AmqpTransport(amqp_url, exchange=names.exchange, prefetch=4)
        try:
            await consumer.subscribe(transport, "orders.#", queue=names.queue)
            await transport.publish(ADDRESS, body(1), message_id="evt-0001")
            await eventually(lambda: _equals(depth(amqp_url, names.dlq), 1))
            dead = list(attempts)
            fixed = True  # the bug is fixed; operators replay the dead letter
            result = await asyncio.to_thread(replay_cli, "--from-dlq", names.queue, "--broker", amqp_url)
            await eventually(lambda: _true(effects == ["evt-0001"]))
        finally:
            await transport.close()
        return dead, effects, result, await depth(amqp_url, names.dlq), await depth(amqp_url, names.queue)

    dead, effects, result, dlq_left, queue_left = asyncio.run(scenario())
    assert dead == [("evt-0001", 1), ("evt-0001", 2), ("evt-0001", 3)]
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.splitlines()[0])
    assert line == {
        "action": "replayed",
        "messageId": "evt-0001",
        "eventId": "evt-0001",
        "type": "com.acme.distribution.orders.order.submitted.v1",
        "exchange": names.exchange,
        "routingKey": ADDRESS,
        "queue": names.queue,
        "reason": "rejected",
        "deaths": 1,
        "replays": 0,
    }
    assert f"{names.dlq}: replayed 1, failed 0, 0 left in the queue" in result.stderr
    assert effects == ["evt-0001"] and (dlq_left, queue_left) == (0, 0)


def test_same_source_and_id_published_twice_is_processed_once(
    amqp_url: str, redis_url: str, names: BrokerNames, redis_prefix: str
) -> None:
    from redis.asyncio import Redis

    async def scenario() -> tuple[list[str], dict[str, int]]:
        effects: list[str] = []

        async def record(delivery: Delivery) -> None:
            effects.append(delivery.key[1])

        client = Redis.from_url(redis_url)
        store = RedisDedupStore(client, prefix=redis_prefix)
        consumer = ReliableConsumer(record, store=store, retry=FAST)
        transport = AmqpTransport(amqp_url, exchange=names.exchange, prefetch=4)
        try:
            await consumer.subscribe(transport, "orders.#", queue=names.queue)
            for raw in (body(1), body(2), body(1), body(1)):  # a producer retrying its publish
                await transport.publish(ADDRESS, raw)
            await eventually(lambda: _true(consumer.stats.processed + consumer.stats.duplicates == 4))
        finally:
            await transport.close()
            await client.aclose()
        return effects, consumer.stats.as_dict()

    effects, stats = asyncio.run(scenario())
    assert sorted(effects) == ["evt-0001", "evt-0002"]
    assert stats["processed"] == 2 and stats["duplicates"] == 2


# -- replay edge cases ------------------------------------------------------------------------------


async def _dead_letters(amqp_url: str, names: BrokerNames, count: int) -> None:
    """Put ``count`` events into the queue's .dlq (a consumer that rejects everything)."""

    async def rejects(_: bytes) -> None:
        raise ValueError("rejected for the test")

    transport = AmqpTransport(amqp_url, exchange=names.exchange)
    try:
        subscription = await transport.subscribe("orders.#", rejects, queue=names.queue)
        for number in range(1, count + 1):
            await transport.publish(ADDRESS, body(number), message_id=f"evt-{number:04d}")
        await eventually(lambda: _equals(depth(amqp_url, names.dlq), count))
        await subscription.close()
    finally:
        await transport.close()


def _lines(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_dry_run_lists_and_leaves_every_dead_letter(amqp_url: str, names: BrokerNames) -> None:
    asyncio.run(_dead_letters(amqp_url, names, 3))
    result = replay_cli("--from-dlq", names.dlq, "--broker", amqp_url, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = _lines(result)
    assert [(x["action"], x["eventId"], x["routingKey"]) for x in lines] == [
        ("would-replay", f"evt-{n:04d}", ADDRESS) for n in (1, 2, 3)
    ]
    assert f"{names.dlq}: would replay 3, failed 0, 3 left in the queue" in result.stderr
    assert asyncio.run(depth(amqp_url, names.dlq)) == 3


def test_limit_bounds_the_replay_and_the_copies_arrive(amqp_url: str, names: BrokerNames) -> None:
    asyncio.run(_dead_letters(amqp_url, names, 3))
    result = replay_cli("--from-dlq", names.queue, "--broker", amqp_url, "--limit", "2")
    assert result.exit_code == 0, result.output
    assert [x["eventId"] for x in _lines(result)] == ["evt-0001", "evt-0002"]
    assert asyncio.run(depth(amqp_url, names.dlq)) == 1
    assert asyncio.run(depth(amqp_url, names.queue)) == 2  # re-published, nobody consuming now

    async def copies() -> list[tuple[str, Any, Any]]:
        import aio_pika

        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(names.queue, passive=True)
            seen = []
            for _ in range(2):
                message = await queue.get(no_ack=True)
                seen.append((message.routing_key, message.headers["x-accord-replays"], message.message_id))
            return seen

    assert asyncio.run(copies()) == [(ADDRESS, 1, "evt-0001"), (ADDRESS, 1, "evt-0002")]


def test_unroutable_copies_stay_in_the_dead_letter_queue(amqp_url: str, names: BrokerNames) -> None:
    asyncio.run(_dead_letters(amqp_url, names, 1))

    async def unbind() -> None:
        import aio_pika

        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(names.queue, passive=True)
            await queue.unbind(names.exchange, "orders.#")

    asyncio.run(unbind())
    result = replay_cli("--from-dlq", names.queue, "--broker", amqp_url)
    assert result.exit_code == 1
    [line] = _lines(result)
    assert line["action"] == "failed" and line["eventId"] == "evt-0001"
    assert line["error"] == f"unroutable: no queue is bound to {names.exchange!r} for {ADDRESS!r}"
    assert asyncio.run(depth(amqp_url, names.dlq)) == 1


def test_dead_letters_without_x_death_or_exchange_are_kept(amqp_url: str, names: BrokerNames) -> None:
    asyncio.run(_dead_letters(amqp_url, names, 1))

    async def stray() -> None:
        import aio_pika

        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            await channel.default_exchange.publish(aio_pika.Message(b"{}"), routing_key=names.dlq)

    asyncio.run(stray())
    result = replay_cli("--from-dlq", names.queue, "--broker", amqp_url, "--exchange", "no.such.exchange")
    assert result.exit_code == 1
    errors = sorted(x["error"] for x in _lines(result))
    assert errors == [
        "exchange 'no.such.exchange' does not exist",
        "no x-death header with an exchange and routing key: its origin is unknown",
    ]
    assert asyncio.run(depth(amqp_url, names.dlq)) == 2


def test_replay_of_a_missing_queue_is_a_usage_error(amqp_url: str, names: BrokerNames) -> None:
    result = replay_cli("--from-dlq", names.queue, "--broker", amqp_url)
    assert result.exit_code == 2
    assert result.stderr == f"error: --from-dlq: no dead-letter queue '{names.dlq}' on the broker\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_body_of_a_replayed_message_is_unchanged(amqp_url: str, names: BrokerNames) -> None:
    asyncio.run(_dead_letters(amqp_url, names, 1))
    assert replay_cli("--from-dlq", names.queue, "--broker", amqp_url).exit_code == 0

    async def fetch() -> bytes:
        import aio_pika

        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(names.queue, passive=True)
            message = await queue.get(no_ack=True)
            return message.body

    assert asyncio.run(fetch()) == body(1)  # byte for byte


def test_a_replayed_letter_that_fails_again_returns_to_the_dlq_with_its_count(
    amqp_url: str, names: BrokerNames
) -> None:
    asyncio.run(_dead_letters(amqp_url, names, 1))

    async def fails_again() -> None:
        async def rejects(_: bytes) -> None:
            raise ValueError("still broken")

        transport = AmqpTransport(amqp_url, exchange=names.exchange)
        try:
            await transport.subscribe("orders.#", rejects, queue=names.queue)
            result = await asyncio.to_thread(replay_cli, "--from-dlq", names.queue, "--broker", amqp_url)
            assert result.exit_code == 0, result.output
            await eventually(lambda: _equals(depth(amqp_url, names.dlq), 1))
        finally:
            await transport.close()

    asyncio.run(fails_again())
    [line] = _lines(replay_cli("--from-dlq", names.queue, "--broker", amqp_url, "--dry-run"))
    assert (line["eventId"], line["routingKey"], line["replays"]) == ("evt-0001", ADDRESS, 1)
    assert line["deaths"] >= 1
