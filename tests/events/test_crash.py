"""Kill a consumer mid-stream (SIGKILL) and show that nothing is lost or processed twice.

200 events are queued; consumer A (a subprocess, prefetch 4) records each event's effect and its
dedup mark in one Redis transaction and lingers before acknowledging. A is killed once about a
quarter of the effects are in: its unacknowledged messages go back to the queue. Consumer B takes
over. Every event's effect must be recorded exactly once, the queue and its .dlq must end empty,
and more deliveries than events must have happened (the redeliveries that de-duplication absorbed).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis.asyncio import Redis

from accord.events.amqp import AmqpTransport
from tests.events._support import ADDRESS, BrokerNames, body, depth

pytestmark = [pytest.mark.rabbitmq, pytest.mark.redis]
ROOT = Path(__file__).resolve().parents[2]
EVENTS = 200
KILL_AFTER = 50


@dataclass
class Outcome:
    at_kill: int
    effects: dict[str, int]
    deliveries: int
    second_stats: dict[str, int]
    return_codes: tuple[int | None, int | None]
    left: tuple[int, int]


async def start_consumer(
    amqp_url: str, redis_url: str, names: BrokerNames, prefix: str
) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.events._consumer",
        "--amqp",
        amqp_url,
        "--redis",
        redis_url,
        "--exchange",
        names.exchange,
        "--queue",
        names.queue,
        "--prefix",
        prefix,
        "--prefetch",
        "4",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    ready = await asyncio.wait_for(process.stdout.readline(), 20)
    assert ready == b"ready\n"
    return process


async def until(check: Callable[[], Awaitable[bool]], *, within: float) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s")
        await asyncio.sleep(0.01)


def test_killed_consumer_loses_nothing_and_processes_nothing_twice(
    amqp_url: str, redis_url: str, names: BrokerNames, redis_prefix: str
) -> None:
    async def scenario() -> Outcome:
        redis = Redis.from_url(redis_url)
        effects_key = f"{redis_prefix}effects"
        producer = AmqpTransport(amqp_url, exchange=names.exchange)
        processes: list[asyncio.subprocess.Process] = []
        try:

            async def no_consumer(_: bytes) -> None:
                raise AssertionError("the queue is only declared here")

            declared = await producer.subscribe("orders.#", no_consumer, queue=names.queue)
            await declared.close()
            for number in range(EVENTS):  # publisher confirms: every one is in the queue
                await producer.publish(ADDRESS, body(number), message_id=f"evt-{number:04d}")
            assert await depth(amqp_url, names.queue) == EVENTS

            first = await start_consumer(amqp_url, redis_url, names, redis_prefix)
            processes.append(first)

            async def some_done() -> bool:
                return int(await redis.hlen(effects_key)) >= KILL_AFTER

            await until(some_done, within=20)
            first.send_signal(signal.SIGKILL)
            await first.wait()
            at_kill = int(await redis.hlen(effects_key))

            second = await start_consumer(amqp_url, redis_url, names, redis_prefix)
            processes.append(second)

            async def all_done() -> bool:
                return (
                    int(await redis.hlen(effects_key)) == EVENTS and await depth(amqp_url, names.queue) == 0
                )

            await until(all_done, within=30)
            second.send_signal(signal.SIGTERM)
            assert second.stdout is not None
            out, _ = await asyncio.wait_for(second.communicate(), 10)
            effects = {k.decode(): int(v) for k, v in (await redis.hgetall(effects_key)).items()}
            return Outcome(
                at_kill=at_kill,
                effects=effects,
                deliveries=int(await redis.get(f"{redis_prefix}deliveries") or 0),
                second_stats=json.loads(out.decode().strip().splitlines()[-1]),
                return_codes=(first.returncode, second.returncode),
                left=(await depth(amqp_url, names.queue), await depth(amqp_url, names.dlq)),
            )
        finally:
            for process in processes:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
            await producer.close()
            await redis.aclose()

    started = time.monotonic()
    result = asyncio.run(scenario())
    elapsed = time.monotonic() - started

    assert result.return_codes == (-signal.SIGKILL, 0)
    assert KILL_AFTER <= result.at_kill < EVENTS  # the kill really was mid-stream
    assert result.effects == {f"evt-{n:04d}": 1 for n in range(EVENTS)}  # none lost, none twice
    assert result.left == (0, 0)  # queue and .dlq
    # The first consumer held unacknowledged messages when it died: they were delivered again.
    assert result.deliveries > EVENTS, result
    assert result.second_stats["dead_lettered"] == 0 and result.second_stats["invalid"] == 0
    assert elapsed < 45, f"crash test took {elapsed:.1f}s"
