"""Demo and event benchmarks (issue 8).

* ``accord demo`` wall time on embedded defaults, start-up included (target: under 10 s).
* Event throughput through RabbitMQ with validation on both sides: a producer validates each
  CloudEvent against its AsyncAPI payload schema before publishing, a consumer validates it
  after receiving; messages/s and publish -> consume latency (p50/p99). Skipped without a broker.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks._common import ROOT, timed_command

MESSAGES = 3000


def _broker_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=1):
            return True
    except OSError:
        return False


async def _event_throughput(count: int, window: int) -> dict[str, Any]:
    import jsonschema_rs
    import orjson

    from accord.contracts import load_contract_set
    from accord.events import new_event_id
    from accord.events.amqp import AmqpTransport
    from accord.mock import event_mocks
    from accord.spec import iter_async_operations
    from accord.spec.schema_export import to_json_schema

    contract_set = load_contract_set([ROOT / "contracts"])
    doc = next(
        d for d in contract_set.documents if d.kind == "asyncapi" and contract_set.domain_of(d) == "orders"
    )
    op = next(o for o in iter_async_operations(doc) if o.id == "publishOrderSubmitted")
    validator = jsonschema_rs.validator_for(to_json_schema(op.messages[0].payload), validate_formats=True)
    mock = next(m for m in event_mocks([("orders", doc)]) if m.operation_id == "publishOrderSubmitted")
    template = next(iter(mock.examples.values()))
    exchange = f"bench.events.{uuid.uuid4().hex[:8]}"
    producer = AmqpTransport(exchange=exchange, prefetch=256)
    consumer = AmqpTransport(exchange=exchange, prefetch=256)
    latencies: list[float] = []
    done = asyncio.Event()
    invalid = 0

    async def handle(body: bytes) -> None:
        nonlocal invalid
        event = orjson.loads(body)
        if not validator.is_valid(event):
            invalid += 1
        latencies.append(time.perf_counter() - sent[event["id"]])
        if len(latencies) >= count:
            done.set()

    sent: dict[str, float] = {}
    subscription = await consumer.subscribe(mock.address, handle, queue=f"{exchange}.bench")
    await producer.connect()
    started = time.perf_counter()

    async def publish_one() -> None:
        event = dict(template)
        event["id"] = new_event_id()
        if not validator.is_valid(event):
            raise RuntimeError("template event does not match its schema")
        sent[event["id"]] = time.perf_counter()
        await producer.publish(mock.address, orjson.dumps(event), message_id=event["id"])

    # Publisher confirms are on: `window` messages in flight (1 = one confirm round trip each).
    for first in range(0, count, window):
        await asyncio.gather(*(publish_one() for _ in range(min(window, count - first))))
    await asyncio.wait_for(done.wait(), timeout=120)
    elapsed = time.perf_counter() - started
    await subscription.close()
    queue = getattr(subscription, "queue", None)
    if queue is not None:
        await queue.delete(if_unused=False, if_empty=False)
    await producer.close()
    await consumer.close()
    ordered = sorted(latencies)
    return {
        "window": window,
        "messages": count,
        "messages_per_s": round(count / elapsed),
        "latency_p50_ms": round(statistics.median(ordered) * 1000, 2),
        "latency_p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
        "invalid": invalid,
    }


def run(cache: Path | None = None) -> dict[str, Any]:
    results: dict[str, Any] = {
        "demo_embedded": timed_command(
            [
                sys.executable,
                "-m",
                "accord_cli.main",
                "demo",
                "--json",
                "--contracts",
                str(ROOT / "contracts"),
            ],
            repeat=3,
        )
    }
    results["demo_embedded"]["target_s"] = 10
    if _broker_up():
        results["events_rabbitmq_one_at_a_time"] = asyncio.run(_event_throughput(MESSAGES // 3, 1))
        results["events_rabbitmq_window_64"] = asyncio.run(_event_throughput(MESSAGES, 64))
    else:
        results["events_rabbitmq"] = {"skipped": "RabbitMQ not reachable at 127.0.0.1:5672"}
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
