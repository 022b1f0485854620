"""Event runtime used by generated code and the mock server: CloudEvents envelopes, typed channels,
an in-memory broker and an AMQP (RabbitMQ) transport. Importable without a broker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord.events.envelope import (
    CONTENT_TYPE,
    EXCHANGE,
    SPEC_VERSION,
    dedup_key,
    envelope,
    new_event_id,
    new_traceparent,
    rfc3339,
)
from accord.events.memory import InMemoryBroker
from accord.events.transport import (
    DeadLetter,
    InvalidEvent,
    RawHandler,
    Subscription,
    Transport,
    topic_matches,
)
from accord.events.typed import Deduplicator, EventChannel

if TYPE_CHECKING:
    from accord.events.amqp import AmqpTransport

__all__ = [
    "CONTENT_TYPE",
    "EXCHANGE",
    "SPEC_VERSION",
    "AmqpTransport",
    "DeadLetter",
    "Deduplicator",
    "EventChannel",
    "InMemoryBroker",
    "InvalidEvent",
    "RawHandler",
    "Subscription",
    "Transport",
    "dedup_key",
    "envelope",
    "new_event_id",
    "new_traceparent",
    "rfc3339",
    "topic_matches",
]


def __getattr__(name: str) -> Any:
    # aio-pika is imported only by those who use AMQP.
    if name == "AmqpTransport":
        from accord.events.amqp import AmqpTransport

        return AmqpTransport
    raise AttributeError(name)
