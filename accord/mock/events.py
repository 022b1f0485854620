"""Example events of each ``send`` operation, for ``accord mock --events``."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from accord.loader import Document
from accord.mock.fake import Faker
from accord.spec import iter_async_operations


@dataclass(frozen=True, slots=True)
class EventMock:
    """What a domain publishes on one operation, with its named example payloads."""

    domain: str
    operation_id: str
    address: str
    examples: dict[str, Any]


def event_mocks(docs: list[tuple[str, Document]], *, seed: int = 0) -> list[EventMock]:
    """One :class:`EventMock` per (send operation, message) of the AsyncAPI ``docs``."""
    faker = Faker(seed)
    found: list[EventMock] = []
    for domain, doc in docs:
        if doc.kind != "asyncapi":
            continue
        for op in iter_async_operations(doc):
            if op.action != "send" or op.channel is None or not op.channel.address:
                continue
            examples: dict[str, Any] = {}
            for message in op.messages:
                listed = message.node.get("examples")
                if isinstance(listed, list):
                    for index, example in enumerate(listed):
                        if isinstance(example, dict) and "payload" in example:
                            name = str(example.get("name") or f"{message.id}{index + 1}")
                            examples[name] = example["payload"]
                if not examples and isinstance(message.payload, dict):
                    examples[message.id] = faker.value(message.payload)
            found.append(EventMock(domain, op.id, op.channel.address, examples))
    return found


def fresh(payload: Any, *, event_id: str, time: str) -> Any:
    """A copy of an example event with a new CloudEvents ``id`` and ``time`` (so consumers do not drop it)."""
    event = copy.deepcopy(payload)
    if isinstance(event, dict):
        if "id" in event:
            event["id"] = event_id
        if "time" in event:
            event["time"] = time
    return event
