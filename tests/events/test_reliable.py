"""ReliableConsumer on the in-memory broker: back-off, dead-lettering, de-duplication, ordering."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import orjson
import pytest

from accord.events import InMemoryBroker, InvalidEvent
from accord.events.dedup import AlreadyProcessed, InMemoryDedupStore
from accord.events.reliable import Delivery, ReliableConsumer, RetriesExhausted, RetryPolicy
from tests.events._support import ADDRESS, body, event


class FakeClock:
    """Records every requested sleep instead of sleeping."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


class Flaky:
    """A handler failing its first ``failures`` calls per event, recording every attempt."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.attempts: list[tuple[str, int]] = []
        self.effects: list[str] = []

    async def __call__(self, delivery: Delivery) -> None:
        self.attempts.append((delivery.key[1], delivery.attempt))
        if sum(1 for key, _ in self.attempts if key == delivery.key[1]) <= self.failures:
            raise ConnectionError(f"downstream unavailable for {delivery.key[1]}")
        self.effects.append(delivery.key[1])


def no_jitter(attempts: int = 4, base: float = 0.5, cap: float = 30.0) -> RetryPolicy:
    return RetryPolicy(attempts=attempts, base_delay=base, max_delay=cap, jitter=False)


async def consume(consumer: ReliableConsumer, *bodies: bytes) -> InMemoryBroker:
    broker = InMemoryBroker()
    await consumer.subscribe(broker, "orders.#", queue="orders-service")
    for raw in bodies:
        await broker.publish(ADDRESS, raw)
    return broker


# -- back-off -------------------------------------------------------------------------------------


def test_backoff_doubles_from_the_base_delay_and_is_capped() -> None:
    policy = no_jitter(attempts=10, base=0.5, cap=5.0)
    assert [policy.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    assert policy.delay(10_000) == 5.0  # no overflow on absurd attempt numbers


def test_jitter_stays_between_half_and_the_full_delay() -> None:
    policy = RetryPolicy(attempts=5, base_delay=1.0, max_delay=8.0, jitter=True)
    rng = random.Random(7)
    for failures, full in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0)):
        drawn = [policy.delay(failures, rng) for _ in range(200)]
        assert all(full / 2 <= d <= full for d in drawn)
        assert len(set(drawn)) > 100  # actually spread, not a constant


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"attempts": 0}, "attempts must be at least 1"),
        ({"base_delay": -1.0}, "delays must not be negative"),
        ({"multiplier": 0.5}, "multiplier must be at least 1"),
    ],
)
def test_retry_policy_refuses_nonsense(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RetryPolicy(**kwargs)


# -- retries and dead letters ---------------------------------------------------------------------


def test_a_failing_handler_is_retried_with_backoff_then_succeeds() -> None:
    clock, handler = FakeClock(), Flaky(failures=2)
    consumer = ReliableConsumer(handler, retry=no_jitter(attempts=4), sleep=clock.sleep)
    broker = asyncio.run(consume(consumer, body(1)))
    assert handler.attempts == [("evt-0001", 1), ("evt-0001", 2), ("evt-0001", 3)]
    assert handler.effects == ["evt-0001"]
    assert clock.sleeps == [0.5, 1.0]
    assert broker.dead_letters == []
    assert consumer.stats.as_dict() == {
        "processed": 1,
        "duplicates": 0,
        "retries": 2,
        "dead_lettered": 0,
        "invalid": 0,
        "mark_failures": 0,
    }


def test_after_n_failures_the_message_is_dead_lettered_with_the_last_error() -> None:
    clock, handler = FakeClock(), Flaky(failures=99)
    consumer = ReliableConsumer(handler, retry=no_jitter(attempts=3), sleep=clock.sleep)
    broker = asyncio.run(consume(consumer, body(1), body(2)))
    assert [a for a in handler.attempts if a[0] == "evt-0001"] == [
        ("evt-0001", 1),
        ("evt-0001", 2),
        ("evt-0001", 3),
    ]
    assert clock.sleeps == [0.5, 1.0, 0.5, 1.0]  # no sleep after the last attempt
    assert [(d.address, orjson.loads(d.body)["id"]) for d in broker.dead_letters] == [
        (ADDRESS, "evt-0001"),
        (ADDRESS, "evt-0002"),
    ]
    reason = broker.dead_letters[0].reason
    assert reason.startswith(
        "RetriesExhausted: event 'evt-0001' from '/distribution/orders' failed 3 time(s)"
    )
    assert reason.endswith("last: ConnectionError: downstream unavailable for evt-0001")
    assert consumer.stats.dead_lettered == 2 and consumer.stats.retries == 4 and handler.effects == []


def test_retries_exhausted_keeps_the_cause() -> None:
    async def broken(delivery: Delivery) -> None:
        raise KeyError("missing price list")

    consumer = ReliableConsumer(broken, retry=no_jitter(attempts=2), sleep=FakeClock().sleep)
    with pytest.raises(RetriesExhausted) as caught:
        asyncio.run(consumer(body(1)))
    assert caught.value.attempts == 2 and caught.value.key == ("/distribution/orders", "evt-0001")
    assert isinstance(caught.value.__cause__, KeyError)


def test_real_sleeps_follow_the_policy() -> None:
    handler = Flaky(failures=2)
    consumer = ReliableConsumer(handler, retry=no_jitter(attempts=3, base=0.02))

    async def timed() -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await consumer(body(1))
        return loop.time() - started

    elapsed = asyncio.run(timed())
    assert 0.06 <= elapsed < 1.0  # 0.02 + 0.04
    assert handler.effects == ["evt-0001"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a CloudEvent"),
        (orjson.dumps({"id": "e1", "type": "t"}), "not a CloudEvent"),
        (orjson.dumps({"id": "", "source": "/s"}), "not a CloudEvent"),
    ],
)
def test_bodies_that_are_not_cloudevents_dead_letter_at_once(raw: bytes, message: str) -> None:
    handler = Flaky(failures=0)
    consumer = ReliableConsumer(handler, retry=no_jitter(), sleep=FakeClock().sleep)
    broker = asyncio.run(consume(consumer, raw))
    assert handler.attempts == []
    assert len(broker.dead_letters) == 1 and broker.dead_letters[0].reason.startswith(
        f"InvalidEvent: {message}"
    )
    assert consumer.stats.invalid == 1


def test_non_retryable_errors_skip_the_remaining_attempts() -> None:
    clock = FakeClock()
    calls: list[int] = []

    async def validating(delivery: Delivery) -> None:
        calls.append(delivery.attempt)
        raise InvalidEvent("data.orderId: required")

    consumer = ReliableConsumer(validating, retry=no_jitter(attempts=5), sleep=clock.sleep)
    broker = asyncio.run(consume(consumer, body(1)))
    assert calls == [1] and clock.sleeps == []
    assert broker.dead_letters[0].reason == "InvalidEvent: data.orderId: required"


# -- de-duplication -------------------------------------------------------------------------------


def test_duplicates_by_source_and_id_are_processed_once() -> None:
    handler, store = Flaky(failures=0), InMemoryDedupStore()
    consumer = ReliableConsumer(handler, store=store, sleep=FakeClock().sleep)
    same_id_other_source = orjson.dumps({**event(1), "source": "/distribution/returns"})
    asyncio.run(consume(consumer, body(1), body(2), body(1), same_id_other_source, body(2)))
    assert handler.effects == ["evt-0001", "evt-0002", "evt-0001"]
    assert consumer.stats.processed == 3 and consumer.stats.duplicates == 2
    assert len(store) == 3


def test_a_dead_lettered_event_is_not_marked_and_is_processed_when_replayed() -> None:
    store = InMemoryDedupStore()
    handler = Flaky(failures=2)
    consumer = ReliableConsumer(handler, store=store, retry=no_jitter(attempts=2), sleep=FakeClock().sleep)

    async def scenario() -> InMemoryBroker:
        broker = await consume(consumer, body(1))
        for letter in list(broker.dead_letters):  # what `accord events replay` does over AMQP
            await broker.publish(letter.address, letter.body)
        return broker

    broker = asyncio.run(scenario())
    assert len(broker.dead_letters) == 1  # only the first failure
    assert handler.effects == ["evt-0001"]
    assert asyncio.run(store.is_processed(("/distribution/orders", "evt-0001")))


def test_handler_may_report_already_processed() -> None:
    async def idempotent(delivery: Delivery) -> None:
        raise AlreadyProcessed(delivery.key)

    consumer = ReliableConsumer(idempotent, store=InMemoryDedupStore(), sleep=FakeClock().sleep)
    broker = asyncio.run(consume(consumer, body(1)))
    assert broker.dead_letters == [] and consumer.stats.duplicates == 1 and consumer.stats.processed == 0


class BrokenStore(InMemoryDedupStore):
    def __init__(self, fail_checks: int = 0, fail_marks: int = 0) -> None:
        super().__init__()
        self.fail_checks, self.fail_marks = fail_checks, fail_marks

    async def is_processed(self, key: tuple[str, str]) -> bool:
        if self.fail_checks:
            self.fail_checks -= 1
            raise ConnectionError("redis down")
        return await super().is_processed(key)

    async def mark_processed(self, key: tuple[str, str]) -> bool:
        if self.fail_marks:
            self.fail_marks -= 1
            raise ConnectionError("redis down")
        return await super().mark_processed(key)


def test_a_failing_dedup_check_is_retried_like_the_handler() -> None:
    clock, handler = FakeClock(), Flaky(failures=0)
    consumer = ReliableConsumer(
        handler, store=BrokenStore(fail_checks=2), retry=no_jitter(), sleep=clock.sleep
    )
    broker = asyncio.run(consume(consumer, body(1)))
    assert handler.effects == ["evt-0001"] and clock.sleeps == [0.5, 1.0] and broker.dead_letters == []


def test_a_failing_mark_never_dead_letters_a_processed_event() -> None:
    clock, handler = FakeClock(), Flaky(failures=0)
    store = BrokenStore(fail_marks=99)
    consumer = ReliableConsumer(handler, store=store, retry=no_jitter(attempts=3), sleep=clock.sleep)
    broker = asyncio.run(consume(consumer, body(1)))
    assert handler.effects == ["evt-0001"] and broker.dead_letters == []
    assert consumer.stats.mark_failures == 1 and clock.sleeps == [0.5, 1.0]


def test_memory_store_expires_and_bounds_its_keys() -> None:
    now = [100.0]
    store = InMemoryDedupStore(ttl=10.0, max_entries=2, clock=lambda: now[0])

    async def scenario() -> list[bool]:
        results = [await store.mark_processed(("s", "a")), await store.mark_processed(("s", "a"))]
        now[0] += 10.0
        results.append(await store.is_processed(("s", "a")))  # expired exactly at ttl
        for name in "bcd":
            await store.mark_processed(("s", name))
        results += [await store.is_processed(("s", name)) for name in "bcd"]
        return results

    assert asyncio.run(scenario()) == [True, False, False, False, True, True]


# -- ordering -------------------------------------------------------------------------------------


def test_same_subject_is_handled_in_arrival_order_and_others_interleave() -> None:
    log: list[str] = []

    async def slow_first(delivery: Delivery) -> None:
        log.append(f"start {delivery.key[1]}")
        await asyncio.sleep(0.05 if delivery.key[1] == "evt-0001" else 0)
        log.append(f"end {delivery.key[1]}")

    consumer = ReliableConsumer(slow_first)

    async def concurrently() -> None:
        # As aio-pika does with prefetch > 1: one task per delivery.
        await asyncio.gather(
            consumer(body(1, subject="ord-1")),
            consumer(body(2, subject="ord-1")),
            consumer(body(3, subject="ord-2")),
        )

    asyncio.run(concurrently())
    assert log.index("end evt-0001") < log.index("start evt-0002")
    assert log.index("end evt-0003") < log.index("end evt-0001")  # another subject did not wait
    assert consumer._turns == {}  # no lock left behind


def test_concurrent_duplicates_in_one_process_run_the_handler_once() -> None:
    handler, store = Flaky(failures=0), InMemoryDedupStore()
    consumer = ReliableConsumer(handler, store=store)

    async def racing() -> None:
        duplicate = body(1, subject="")  # no subject: serialised on (source, id)
        await asyncio.gather(*(consumer(duplicate) for _ in range(5)))

    asyncio.run(racing())
    assert handler.effects == ["evt-0001"] and consumer.stats.duplicates == 4
