"""The scenario's domain events: contract examples re-stamped with a fresh id, the time and the trace.

Each event is validated against its message payload schema before it is published (a contract-
conformant producer), and a collector subscribed to every address records what consumers receive.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import orjson

from accord.events import Transport, new_event_id, rfc3339
from accord.loader import Document
from accord.mock import event_mocks
from accord.spec import iter_async_operations
from accord.spec.schema_export import to_json_schema


@dataclass
class ReceivedEvent:
    type: str
    subject: str | None
    source: str
    id: str
    traceparent: str | None
    address: str


@dataclass
class EventDesk:
    """Publishes example events by operation id and records every event the bus delivers."""

    transport: Transport
    examples: dict[str, tuple[str, dict[str, Any]]]  # operation id -> (address, {name: payload})
    validators: dict[str, Any]
    received: list[ReceivedEvent] = field(default_factory=list)
    subscription: Any = None

    async def start(self) -> None:
        async def collect(body: bytes) -> None:
            event = orjson.loads(body)
            self.received.append(
                ReceivedEvent(
                    type=str(event.get("type")),
                    subject=event.get("subject"),
                    source=str(event.get("source")),
                    id=str(event.get("id")),
                    traceparent=event.get("traceparent"),
                    address=str(event.get("type", "")).removeprefix("com.acme.distribution."),
                )
            )

        self.subscription = await self.transport.subscribe("#", collect)

    async def emit(self, operation_id: str, traceparent: str, now: Any, example: str | None = None) -> str:
        """Publish the (named or first) example of ``operation_id``; returns the event type."""
        address, examples = self.examples[operation_id]
        payload = copy.deepcopy(examples[example] if example else next(iter(examples.values())))
        payload["id"] = new_event_id()
        payload["time"] = rfc3339(now)
        payload["traceparent"] = traceparent
        validator = self.validators.get(operation_id)
        if validator is not None:
            errors = [
                f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(payload)
            ]
            if errors:
                raise ValueError(f"{operation_id}: event does not match its contract: {errors[0]}")
        await self.transport.publish(address, orjson.dumps(payload), message_id=payload["id"])
        return str(payload.get("type"))


def event_desk(transport: Transport, docs: list[tuple[str, Document]]) -> EventDesk:
    examples = {m.operation_id: (m.address, m.examples) for m in event_mocks(docs)}
    validators: dict[str, Any] = {}
    for _, doc in docs:
        for op in iter_async_operations(doc):
            if op.action == "send" and op.messages and isinstance(op.messages[0].payload, dict):
                schema = to_json_schema(op.messages[0].payload)
                validators[op.id] = jsonschema_rs.validator_for(schema, validate_formats=True)
    return EventDesk(transport, examples, validators)
