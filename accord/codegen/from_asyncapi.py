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
from accord.loader import Document, SourceFile
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
        hint = f"{name} event"
        schema = self._flatten(file, child(pointer, "payload"), payload_node, hint)
        title = raw.get("title") or raw.get("summary") or name
        schema["description"] = f"CloudEvents message `{raw.get('name') or message.id}`: {title}."
        package = self.registry.package_of(file)
        model = self.registry.add(
            package, self.registry.reserve(package, f"{name}Event"), schema, file, child(pointer, "payload")
        )
        data = schema.get("properties", {}).get("data")
        data_model = _ref_of(data) if isinstance(data, dict) else None
        type_schema = schema.get("properties", {}).get("type")
        event_type = type_schema.get("const") if isinstance(type_schema, dict) else None
        result = Payload(model, data_model, event_type if isinstance(event_type, str) else None)
        self._payloads[key] = result
        return result

    def build(self, doc: Document, domain_package: str) -> EventsDef:
        """Every operation of the document, and a payload model for every message it defines."""
        data = doc.data if isinstance(doc.data, dict) else {}
        info = data.get("info") if isinstance(data.get("info"), dict) else {}
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
            title=str(info.get("title") or doc.display), version=str(info.get("version") or "0"), events=events
        )

    # -- flattening -----------------------------------------------------------------------------
    def _flatten(self, file: SourceFile, pointer: str, node: Any, hint: str) -> dict[str, Any]:
        if isinstance(node, dict) and isinstance(node.get("$ref"), str) and set(node) - {"$ref"} <= _ANNOTATIONS:
            target, target_pointer = self.registry.follow(file, pointer, node["$ref"])
            return self._flatten(target, target_pointer, resolve(target.data, target_pointer), hint)
        if not isinstance(node, dict):
            return {}
        members = node.get("allOf")
        if not isinstance(members, list):
            return self._object(file, pointer, node, hint)
        merged: dict[str, Any] = {"type": "object"}
        for index, member in enumerate(members):
            _merge(merged, self._flatten(file, child(child(pointer, "allOf"), index), member, hint))
        rest = {k: v for k, v in node.items() if k != "allOf"}
        if rest:
            _merge(merged, self._object(file, pointer, rest, hint))
        return merged

    def _object(self, file: SourceFile, pointer: str, node: dict[str, Any], hint: str) -> dict[str, Any]:
        rewritten = self.registry.rewrite(file, pointer, node, hint)
        result: dict[str, Any] = rewritten if isinstance(rewritten, dict) else {}
        properties = result.get("properties")
        data = properties.get("data") if isinstance(properties, dict) else None
        if isinstance(properties, dict) and isinstance(data, dict) and "$ref" not in data and _is_object(data):
            ref = self.registry.ref_for(file, child(child(pointer, "properties"), "data"), f"{hint} data")
            properties["data"] = {"$ref": _PREFIX + ref.key}
        return result


def _is_object(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return bool(schema.get("properties")) and (kind == "object" or kind is None)


def _merge(into: dict[str, Any], part: dict[str, Any]) -> None:
    for key, value in part.items():
        if key == "properties" and isinstance(value, dict):
            properties = into.setdefault("properties", {})
            for name, schema in value.items():
                current = properties.get(name)
                if isinstance(current, dict) and isinstance(schema, dict) and set(schema) <= _ANNOTATIONS:
                    properties[name] = {**current, **schema}
                else:
                    properties[name] = schema
        elif key == "required" and isinstance(value, list):
            required = into.setdefault("required", [])
            required.extend(v for v in value if v not in required)
        elif key in ("description", "title"):
            continue
        else:
            into[key] = value


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
