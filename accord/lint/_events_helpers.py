"""AsyncAPI helpers for the ``events`` rule family (2.6 and 3.0 through :mod:`accord.spec`).

Everything here is ``None``-safe over partly invalid documents and never follows a schema cycle.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from accord.lint._schema_helpers import flatten, is_unresolved, property_owners
from accord.loader import Document
from accord.loader._pointer import child
from accord.model import Location
from accord.spec import Channel, Message, iter_async_operations, iter_channels

#: ``schemaFormat`` values whose schema is JSON Schema (AsyncAPI 3.0 §Multi Format Schema Object).
JSON_SCHEMA_FORMATS = (
    "application/vnd.aai.asyncapi",
    "application/schema+json",
    "application/schema+yaml",
    "application/vnd.oai.openapi",
)
AMQP_PROTOCOLS = frozenset({"amqp", "amqps"})
DEFAULT_PREFIX = "com.acme.distribution"
#: A kebab-case name segment: `order`, `credit-hold-placed`.
SEGMENT = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
VERSION = r"v[1-9][0-9]*"


def is_v2(doc: Document) -> bool:
    return doc.version.startswith("2.")


def payload_schema(message: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON Schema of a message payload, or ``None`` (missing, unresolved, Avro/Protobuf ...).

    AsyncAPI 3.0 wraps non-default formats in a Multi Format Schema Object (``schemaFormat`` +
    ``schema``); 2.x puts ``schemaFormat`` on the message itself.
    """
    payload = message.get("payload")
    schema_format = message.get("schemaFormat")
    if isinstance(payload, dict) and isinstance(payload.get("schemaFormat"), str) and "schema" in payload:
        schema_format, payload = payload["schemaFormat"], payload["schema"]
    if isinstance(schema_format, str) and not schema_format.startswith(JSON_SCHEMA_FORMATS):
        return None
    if not isinstance(payload, dict) or is_unresolved(payload):
        return None
    return payload


def message_field(message: dict[str, Any], key: str) -> Any:
    """``key`` of a message, or of the first of its traits declaring it (traits apply when absent)."""
    if key in message:
        return message[key]
    traits = message.get("traits")
    if isinstance(traits, list):
        for trait in traits:
            if isinstance(trait, dict) and key in trait:
                return trait[key]
    return None


def operation_field(operation: dict[str, Any], key: str) -> Any:
    """``key`` of an operation, or of one of its traits."""
    return message_field(operation, key)


@dataclass(frozen=True, slots=True)
class EventType:
    """One value the payload's ``type`` may take: a ``const`` or an ``enum`` member."""

    value: str
    node: dict[str, Any]  # the schema declaring it
    key: str  # "const" or "enum"


def event_types(payload: dict[str, Any]) -> list[EventType]:
    """The pinned values of the payload's CloudEvents ``type`` attribute, after ``allOf`` merging."""
    found: list[EventType] = []
    seen: set[int] = set()
    for _, prop in property_owners(payload, "type"):
        for part in flatten(prop):
            if id(part) in seen:
                continue
            seen.add(id(part))
            const = part.get("const")
            if isinstance(const, str):
                found.append(EventType(const, part, "const"))
            enum = part.get("enum")
            if isinstance(enum, list):
                found.extend(EventType(v, part, "enum") for v in enum if isinstance(v, str))
    return found


def type_location(doc: Document, event_type: EventType) -> Location:
    return doc.where(event_type.node, event_type.key)


def event_type_pattern(prefix: str) -> re.Pattern[str]:
    """``<prefix>.<domain>.<entity>.<verb>.v<N>``."""
    return re.compile(rf"^{re.escape(prefix)}\.({SEGMENT})\.({SEGMENT})\.({SEGMENT})\.({VERSION})$")


CHANNEL_ADDRESS = re.compile(rf"^({SEGMENT})\.({SEGMENT})\.({SEGMENT})\.({VERSION})$")


def prefix_option(options: dict[str, Any]) -> str:
    value = options.get("prefix")
    return value.strip(".") if isinstance(value, str) and value.strip(".") else DEFAULT_PREFIX


def channel_messages(doc: Document) -> Iterator[tuple[Channel, Message]]:
    """Every (channel, message) pair, each once: a 3.0 channel's ``messages``, a 2.x channel's operations'."""
    seen: set[tuple[int, int]] = set()
    if is_v2(doc):
        pairs = ((op.channel, message) for op in iter_async_operations(doc) for message in op.messages)
        for channel, message in pairs:
            if channel is not None and (id(channel.node), id(message.node)) not in seen:
                seen.add((id(channel.node), id(message.node)))
                yield channel, message
        return
    for channel in iter_channels(doc):
        messages = channel.node.get("messages")
        if not isinstance(messages, dict):
            continue
        for name, node in messages.items():
            if isinstance(node, dict) and (id(channel.node), id(node)) not in seen:
                seen.add((id(channel.node), id(node)))
                label = node.get("name") if isinstance(node.get("name"), str) else str(name)
                pointer = child(child(channel.pointer, "messages"), str(name))
                yield channel, Message(str(label), node, pointer)


def channel_address_location(doc: Document, channel: Channel) -> Location:
    """The written address: the ``address`` member in 3.0, the channel key (its item) in 2.x."""
    if not is_v2(doc) and "address" in channel.node:
        return doc.where(channel.node, "address")
    return doc.where(channel.node)


def speaks_amqp(doc: Document) -> bool:
    """Whether AMQP bindings are expected: unless the document declares servers and none is AMQP."""
    servers = doc.data.get("servers") if isinstance(doc.data, dict) else None
    if not isinstance(servers, dict) or not servers:
        return True
    protocols = {
        str(server.get("protocol")).lower() for server in servers.values() if isinstance(server, dict)
    }
    return bool(protocols & AMQP_PROTOCOLS) or protocols <= {"none"}


def amqp_binding(node: dict[str, Any]) -> Any:
    """``bindings.amqp`` of a channel or operation (``None`` when absent)."""
    bindings = node.get("bindings")
    return bindings.get("amqp") if isinstance(bindings, dict) else None
