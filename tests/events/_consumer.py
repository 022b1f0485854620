"""A consumer process for the crash test (``python -m tests.events._consumer ...``).

Its handler records the event's effect (``HINCRBY <prefix>effects <id> 1``) and the dedup mark in
one Redis MULTI/EXEC, then lingers a little, as if doing more work before the acknowledgement.
Every delivery (before de-duplication) is counted in ``<prefix>deliveries``. Prints ``ready`` once
consuming; on SIGTERM stops and prints its stats as one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal

from redis.asyncio import Redis

from accord.events.amqp import AmqpTransport
from accord.events.dedup import RedisDedupStore
from accord.events.reliable import Delivery, ReliableConsumer, RetryPolicy


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--amqp", required=True)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--exchange", required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--prefetch", type=int, default=4)
    parser.add_argument("--before", type=float, default=0.002, help="seconds of work before the effect")
    parser.add_argument("--after", type=float, default=0.03, help="seconds of work after it, before the ack")
    return parser.parse_args()


async def main(args: argparse.Namespace) -> None:
    client = Redis.from_url(args.redis)
    store = RedisDedupStore(client, prefix=f"{args.prefix}processed:")

    async def handle(delivery: Delivery) -> None:
        await asyncio.sleep(args.before)
        async with store.atomically(delivery.key) as tx:
            tx.hincrby(f"{args.prefix}effects", delivery.key[1], 1)
        await asyncio.sleep(args.after)

    consumer = ReliableConsumer(
        handle, store=store, retry=RetryPolicy(attempts=3, base_delay=0.01, jitter=False)
    )

    async def counted(body: bytes) -> None:
        await client.incr(f"{args.prefix}deliveries")
        await consumer(body)

    transport = AmqpTransport(args.amqp, exchange=args.exchange, prefetch=args.prefetch)
    subscription = await transport.subscribe("orders.#", counted, queue=args.queue)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()
    await subscription.close()
    await asyncio.sleep(args.before + args.after + 0.05)  # let in-flight handlers finish and ack
    await transport.close()
    await client.aclose()
    print(json.dumps(consumer.stats.as_dict()), flush=True)


if __name__ == "__main__":
    asyncio.run(main(parse()))
