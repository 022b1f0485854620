"""AsyncAPI document -> :class:`~accord.codegen.ir.EventsDef` (one event per operation and message).

A message payload is a CloudEvents envelope combined (``allOf``) with the event's ``type`` const,
``subject`` and ``data``. Generated as an ``allOf`` class hierarchy it would redeclare ``data``
(an object in the envelope, a model in the event), which type checkers rightly refuse; so the
payload is flattened here into one object schema: members merge left to right, a later property
replaces an earlier one unless it only annotates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accord.codegen._names import constant, pascal, snake
from accord.codegen._schemas import SchemaRegistry
from accord.codegen.ir import EventDef, EventsDef, TypeRef
from accord.errors import InputError
from accord.loader import Document
from accord.loader._pointer import child, resolve
from accord.spec import iter_async_operations, iter_messages
from accord.spec.asyncapi import Message

_ANNOTATIONS = frozenset({"description", "title", "summary", "examples", "example", "deprecated", "$comment"})
_PREFIX = "#/components/schemas/"


@dataclass(frozen=True, slots=True)
class Payload:
    """The generated model of a message payload."""

    model: TypeRef
    data_model: TypeRef | None
    event_type: str | None


class EventsBuilder:
    """Builds the events of each AsyncAPI document; payload models are shared across documents."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.registry = registry
        self._payloads: dict[tuple[str, str], Payload] = {}

    def register_component_schemas(self, doc: Document) -> None:
        components = doc.source.data.get("components") if isinstance(doc.source.data, dict) else None
        schemas = components.get("schemas") if isinstance(components, dict) else None
        if isinstance(schemas, dict):
            for name in schemas:
                self.registry.ref_for(doc.source, child("/components/schemas", name), name)

    def payload(self, doc: Document, message: Message) -> Payload:
        """The payload model of ``message`` (registered in the package of the file it is written in)."""
        written = doc.written_at(message.node)
        if written is None:
            raise InputError(f"cannot locate message {message.id}", doc.where(message.node))
        file, pointer = written
        key = (str(file.path.resolve()), pointer)
        known = self._payloads.get(key)
        if known is not None:
            return known
        raw = resolve(file.data, pointer)
        payload_node = raw.get("payload") if isinstance(raw, dict) else None
        if not isinstance(payload_node, dict):
            raise InputError(f"message {message.id} has no payload schema", file.location(pointer))
        name = pascal(str(raw.get("name") or message.id))
        model = self.registry.ref_for(file, child(pointer, "payload"), f"{name} event")
        schema = self.registry.model(model).schema
        properties: dict[str, Any] = (
            schema["properties"] if isinstance(schema.get("properties"), dict) else {}
        )
        data = properties.get("data")
        data_model = _ref_of(data) if isinstance(data, dict) else None
        type_schema = properties.get("type")
        event_type = type_schema.get("const") if isinstance(type_schema, dict) else None
        result = Payload(model, data_model, event_type if isinstance(event_type, str) else None)
        self._payloads[key] = result
        return result

    def build(self, doc: Document, domain_package: str) -> EventsDef:
        """Every operation of the document, and a payload model for every message it defines."""
        data = doc.data if isinstance(doc.data, dict) else {}
        info: dict[str, Any] = data["info"] if isinstance(data.get("info"), dict) else {}
        self.register_component_schemas(doc)
        for message in iter_messages(doc):
            self.payload(doc, message)
        events: list[EventDef] = []
        names: set[str] = set()
        constants: dict[str, str] = {}
        for op in iter_async_operations(doc):
            address = op.channel.address if op.channel is not None else None
            if not address:
                raise InputError(f"operation {op.id} has no channel address", doc.origin(op.pointer))
            for message in op.messages:
                payload = self.payload(doc, message)
                python_name = snake(op.id)
                if len(op.messages) > 1:
                    python_name = f"{python_name}_{snake(message.id)}"
                while python_name in names:
                    python_name += "_"
                names.add(python_name)
                channel_constant = constants.get(address)
                if channel_constant is None:
                    channel_constant = constant(op.channel.id if op.channel is not None else address)
                    while channel_constant in constants.values():
                        channel_constant += "_"
                    constants[address] = channel_constant
                summary = op.node.get("summary")
                events.append(
                    EventDef(
                        operation_id=op.id,
                        python_name=python_name,
                        action=op.action,
                        address=address,
                        channel_constant=channel_constant,
                        event_type=payload.event_type,
                        model=payload.model,
                        data_model=payload.data_model,
                        message_name=message.id,
                        default_source=_example_source(message.node),
                        summary=summary if isinstance(summary, str) else None,
                        location=doc.origin(op.pointer),
                    )
                )
        return EventsDef(
            title=str(info.get("title") or doc.display),
            version=str(info.get("version") or "0"),
            events=events,
        )


def _ref_of(schema: dict[str, Any]) -> TypeRef | None:
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith(_PREFIX):
        return None
    package, _, name = ref[len(_PREFIX) :].partition(".models.")
    return TypeRef(package, name)


def _example_source(message: dict[str, Any]) -> str | None:
    examples = message.get("examples")
    if isinstance(examples, list):
        for example in examples:
            payload = example.get("payload") if isinstance(example, dict) else None
            if isinstance(payload, dict) and isinstance(payload.get("source"), str):
                return str(payload["source"])
    return None
