"""Re-publish dead letters: drain ``<queue>.dlq`` back to the exchange and routing key they came from.

RabbitMQ stamps every dead-lettered message with an ``x-death`` header (RabbitMQ docs, "Dead
Letter Exchanges", section "Dead-Lettered Messages"): one entry per (queue, reason), most recent
first, each with the ``exchange`` the message had been published to and its ``routing-keys``
(the first is the routing key, the rest CC keys). :func:`replay_dead_letters` reads the entry of
the queue the message died in (or the most recent one), and publishes a copy — same body,
properties and headers, plus ``x-accord-replays`` counting replays — to that exchange with that
routing key.

Nothing is lost on the way: each dead letter is fetched unacknowledged (``basic.get``), the copy
is published with ``mandatory`` on a channel in publisher-confirm mode, and the dead letter is
acknowledged only after the broker confirmed the copy (an unroutable or nacked copy raises, and
the dead letter stays). Dead letters that are not replayed (dry run, unknown route, failed
publish) are held unacknowledged until the end and then requeued, so a bounded run never sees the
same message twice. The run is bounded by the queue's depth when it starts (and by ``limit``), so
letters that die again while we replay are left for the next run instead of looping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import aiormq.exceptions
import orjson
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange, AbstractIncomingMessage

from accord.errors import UsageError
from accord.events._broker import open_connection
from accord.model import Location

#: Header counting how many times a message was replayed from a dead-letter queue.
REPLAYS_HEADER = "x-accord-replays"
_DLQ_SUFFIXES = (".dlq", ".dead-letters")


def dead_letter_queue_name(queue: str) -> str:
    """The dead-letter queue of ``queue``: ``<queue>.dlq``, or ``queue`` itself when it is one.

    ``AmqpTransport`` dead-letters a named queue ``q`` into ``q.dlq`` and anonymous queues into
    ``<exchange>.dead-letters``; both names are accepted as they are.
    """
    return queue if queue.endswith(_DLQ_SUFFIXES) else f"{queue}.dlq"


@dataclass(frozen=True, slots=True)
class DeadLetterInfo:
    """What the ``x-death`` header and the body say about one dead letter."""

    message_id: str | None
    event_id: str | None
    event_type: str | None
    #: Exchange the message was originally published to ("" is the default exchange).
    exchange: str | None
    #: Its original routing key; ``None`` when the message carries no usable ``x-death``.
    routing_key: str | None
    #: Queue it was dead-lettered from, and why (``rejected``, ``expired``, ``maxlen``, ...).
    queue: str | None
    reason: str | None
    #: How many times it died in that queue.
    deaths: int
    replays: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "messageId": self.message_id,
            "eventId": self.event_id,
            "type": self.event_type,
            "exchange": self.exchange,
            "routingKey": self.routing_key,
            "queue": self.queue,
            "reason": self.reason,
            "deaths": self.deaths,
            "replays": self.replays,
        }


@dataclass
class ReplayReport:
    """The outcome of one replay run."""

    dead_letter_queue: str
    dry_run: bool
    #: Re-published and acknowledged (in a dry run: would have been).
    replayed: list[DeadLetterInfo] = field(default_factory=list)
    #: Left in the dead-letter queue, with the reason.
    failed: list[tuple[DeadLetterInfo, str]] = field(default_factory=list)
    #: Messages in the dead-letter queue after the run.
    remaining: int = 0


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def describe(
    headers: Mapping[str, Any], body: bytes, message_id: str | None, source_queue: str | None
) -> DeadLetterInfo:
    """Read a dead letter's origin from its ``x-death`` header (preferring ``source_queue``'s entry)."""
    deaths = [d for d in headers.get("x-death") or () if isinstance(d, Mapping)]
    entry = next((d for d in deaths if _text(d.get("queue")) == source_queue), deaths[0] if deaths else None)
    exchange = routing_key = queue = reason = None
    count = 0
    if entry is not None:
        exchange = _text(entry.get("exchange"))
        keys = [k for k in (_text(k) for k in entry.get("routing-keys") or ()) if k is not None]
        routing_key = keys[0] if keys else None
        queue, reason = _text(entry.get("queue")), _text(entry.get("reason"))
        raw_count = entry.get("count")
        count = raw_count if isinstance(raw_count, int) else 1
    try:
        event = orjson.loads(body)
    except orjson.JSONDecodeError:
        event = None
    event = event if isinstance(event, dict) else {}
    replays = headers.get(REPLAYS_HEADER)
    return DeadLetterInfo(
        message_id=message_id,
        event_id=_text(event.get("id")),
        event_type=_text(event.get("type")),
        exchange=exchange,
        routing_key=routing_key,
        queue=queue,
        reason=reason,
        deaths=count,
        replays=replays if isinstance(replays, int) else 0,
    )


def _copy(message: AbstractIncomingMessage, replays: int) -> aio_pika.Message:
    headers = dict(message.headers or {})
    headers[REPLAYS_HEADER] = replays + 1
    # The expiration was dropped by dead-lettering (RabbitMQ keeps it as x-death original-expiration).
    return aio_pika.Message(
        message.body,
        headers=headers,
        content_type=message.content_type,
        content_encoding=message.content_encoding,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        priority=message.priority,
        correlation_id=message.correlation_id,
        message_id=message.message_id,
        timestamp=message.timestamp,
        type=message.type,
        app_id=message.app_id,
    )


class _Exchanges:
    """Exchanges by name, each checked once on a throwaway channel (a failed check closes it)."""

    def __init__(self, connection: AbstractConnection, channel: AbstractChannel) -> None:
        self._connection = connection
        self._channel = channel
        self._known: dict[str, AbstractExchange | None] = {}

    async def get(self, name: str) -> AbstractExchange | None:
        if name == "":
            return self._channel.default_exchange
        if name not in self._known:
            probe = await self._connection.channel(publisher_confirms=False)
            try:
                await probe.get_exchange(name, ensure=True)
                self._known[name] = await self._channel.get_exchange(name, ensure=False)
            except aiormq.exceptions.ChannelNotFoundEntity:
                self._known[name] = None
            finally:
                if not probe.is_closed:
                    await probe.close()
        return self._known[name]


async def replay_dead_letters(
    url: str,
    queue: str,
    *,
    limit: int | None = None,
    dry_run: bool = False,
    exchange: str | None = None,
    timeout: float = 10.0,
) -> ReplayReport:
    """Re-publish up to ``limit`` dead letters of ``queue`` (see the module docstring).

    ``exchange`` overrides the exchange recorded in ``x-death``. Raises
    :class:`~accord.events._broker.BrokerUnavailable` when the broker cannot be reached and
    :class:`~accord.errors.UsageError` when the dead-letter queue does not exist.
    """
    if limit is not None and limit < 0:
        raise UsageError("the limit must not be negative", Location("--limit"))
    dlq_name = dead_letter_queue_name(queue)
    source_queue = dlq_name.removesuffix(".dlq") if dlq_name.endswith(".dlq") else None
    report = ReplayReport(dlq_name, dry_run)
    connection = await open_connection(url, timeout=timeout)
    async with connection:
        try:
            depth = await _count(connection, dlq_name)
        except aiormq.exceptions.ChannelNotFoundEntity:
            raise UsageError(
                f"no dead-letter queue {dlq_name!r} on the broker", Location("--from-dlq")
            ) from None
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        dlq = await channel.get_queue(dlq_name, ensure=False)
        budget = depth if limit is None else min(limit, depth)
        exchanges = _Exchanges(connection, channel)
        held: list[AbstractIncomingMessage] = []
        try:
            for _ in range(budget):
                message = await dlq.get(no_ack=False, fail=False, timeout=timeout)
                if message is None:
                    break
                info = describe(message.headers or {}, message.body, message.message_id, source_queue)
                problem = await _replay_one(message, info, exchanges, exchange, dry_run, timeout)
                if problem is None:
                    report.replayed.append(info)
                    if dry_run:
                        held.append(message)
                else:
                    report.failed.append((info, problem))
                    held.append(message)
        finally:
            # On a closed channel the broker has already requeued everything we held.
            if not channel.is_closed:
                for message in held:
                    await message.reject(requeue=True)
        report.remaining = await _count(connection, dlq_name)
    return report


async def _replay_one(
    message: AbstractIncomingMessage,
    info: DeadLetterInfo,
    exchanges: _Exchanges,
    override: str | None,
    dry_run: bool,
    timeout: float,
) -> str | None:
    """``None`` when ``message`` was re-published (and acknowledged), else why not."""
    target = override if override is not None else info.exchange
    if info.routing_key is None or target is None:
        return "no x-death header with an exchange and routing key: its origin is unknown"
    destination = await exchanges.get(target)
    if destination is None:
        return f"exchange {target!r} does not exist"
    if dry_run:
        return None
    try:
        await destination.publish(
            _copy(message, info.replays), routing_key=info.routing_key, mandatory=True, timeout=timeout
        )
    except TimeoutError:
        # The copy may have arrived; keeping the letter risks a duplicate, which consumers absorb.
        return f"no publisher confirm within {timeout}s"
    except aio_pika.exceptions.PublishError:
        return f"unroutable: no queue is bound to {target!r} for {info.routing_key!r}"
    except aio_pika.exceptions.DeliveryError as exc:
        return f"the broker did not confirm the copy: {exc}"
    await message.ack()
    return None


async def _count(connection: AbstractConnection, name: str) -> int:
    """Ready messages in queue ``name`` (a passive declare on its own channel: a missing queue closes it)."""
    channel = await connection.channel(publisher_confirms=False)
    try:
        queue = await channel.declare_queue(name, passive=True)
        count = getattr(queue.declaration_result, "message_count", None)
        return count if isinstance(count, int) else 0
    finally:
        if not channel.is_closed:
            await channel.close()
