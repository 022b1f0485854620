"""``accord events``: operate event consumers — replay dead letters, tail live events.

Exit codes: 0 ok; 1 when some dead letters could not be replayed, or ``tail --count N`` saw fewer
than N events before its timeout; 2 for usage errors and an unreachable broker.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
import orjson

from accord.errors import AccordError
from accord.events._broker import BrokerUnavailable, redact
from accord.events.amqp import DEFAULT_URL
from accord.events.envelope import EXCHANGE
from accord.model import Location
from accord_cli._errors import Failed, report_errors
from accord_cli._output import console

T = TypeVar("T")

broker_option = click.option(
    "--broker",
    default=DEFAULT_URL,
    envvar="ACCORD_BROKER_URL",
    show_default=True,
    metavar="URL",
    help="AMQP URL of the RabbitMQ broker.",
)


def _run(make: Callable[[], Awaitable[T]], broker: str) -> T:
    """Run a broker coroutine; broker-level failures become a one-line error (exit 2)."""
    import aiormq.exceptions

    # aiormq logs connection failures itself; the error message below says it once, cleanly.
    for name in ("aiormq", "aio_pika"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())

    async def main() -> T:
        return await make()

    try:
        return asyncio.run(main())
    except AccordError:
        raise
    except (aiormq.exceptions.AMQPError, ConnectionError) as exc:
        raise BrokerUnavailable(f"broker error at {redact(broker)}: {exc!r}", Location("--broker")) from exc


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


@click.group("events")
def command() -> None:
    """Operate event consumers: replay dead letters, watch live events."""


@command.command("replay")
@click.option(
    "--from-dlq",
    "queue",
    required=True,
    metavar="QUEUE",
    help="Consumer queue whose dead letters (QUEUE.dlq) to replay; a name ending in .dlq or "
    ".dead-letters is taken as the dead-letter queue itself.",
)
@broker_option
@click.option(
    "--limit", type=click.IntRange(min=0), default=None, metavar="N", help="Replay at most N dead letters."
)
@click.option(
    "--dry-run", is_flag=True, help="List what would be replayed; leave every dead letter in place."
)
@click.option(
    "--exchange",
    default=None,
    metavar="NAME",
    help="Re-publish to this exchange instead of the one recorded in the x-death header.",
)
@report_errors
def replay(queue: str, broker: str, limit: int | None, dry_run: bool, exchange: str | None) -> None:
    """Re-publish dead letters to where they were first published.

    The exchange and routing key come from the x-death header RabbitMQ adds when it dead-letters.

    Prints one JSON line per dead letter (`action` is `replayed`, `would-replay` or `failed`). A
    dead letter is acknowledged only after the broker confirmed its copy.
    """
    from accord.events.replay import replay_dead_letters

    report = _run(
        lambda: replay_dead_letters(broker, queue, limit=limit, dry_run=dry_run, exchange=exchange),
        broker,
    )
    out = console()
    action = "would-replay" if dry_run else "replayed"
    for info in report.replayed:
        out.out(_json({"action": action, **info.as_dict()}))
    for info, problem in report.failed:
        out.out(_json({"action": "failed", **info.as_dict(), "error": problem}))
    verb = "would replay" if dry_run else "replayed"
    out.info(
        f"{report.dead_letter_queue}: {verb} {len(report.replayed)}, failed {len(report.failed)}, "
        f"{report.remaining} left in the queue"
    )
    if report.failed:
        raise Failed()


@command.command("tail")
@click.argument("pattern")
@broker_option
@click.option(
    "--exchange", default=EXCHANGE, show_default=True, metavar="NAME", help="Topic exchange to watch."
)
@click.option("--count", type=click.IntRange(min=1), default=None, metavar="N", help="Stop after N events.")
@click.option(
    "--timeout", type=click.FloatRange(min=0), default=None, metavar="S", help="Stop after S seconds."
)
@report_errors
def tail(pattern: str, broker: str, exchange: str, count: int | None, timeout: float | None) -> None:
    """Print events matching PATTERN as JSON lines.

    PATTERN is an AMQP topic pattern over routing keys (channel addresses): `*` matches one word,
    `#` any number. Watches through a private, auto-deleted queue, so real consumers lose nothing.
    """
    from accord.events.tail import tail_events

    out = console()

    async def watch() -> int:
        seen = 0

        def ready() -> None:
            out.info(f"tailing {pattern!r} on exchange {exchange!r} at {redact(broker)}")

        events = tail_events(broker, pattern, exchange=exchange, count=count, timeout=timeout, on_ready=ready)
        async for message in events:
            out.out(message.json_line())
            seen += 1
        return seen

    try:
        seen = _run(watch, broker)
    except KeyboardInterrupt:
        return
    if count is not None and seen < count:
        out.error(f"saw {seen} of {count} event(s) before the {timeout}s timeout")
        raise Failed()
