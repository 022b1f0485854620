"""Compile an OpenAPI document into a :class:`MockPlan`, once, at start-up.

Everything a request needs is prepared here: routes (static paths in a dict, templated ones as
one regex each), parameter and body validators (jsonschema-rs, compiled once), and every response
example pre-serialised to bytes with orjson. Serving a request then costs a route lookup, the
validators, and a write of bytes already made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import orjson

from accord.errors import InputError
from accord.loader import Document
from accord.mock.fake import Faker
from accord.model import Location
from accord.spec import iter_operations
from accord.spec.openapi import responses
from accord.spec.schema import schema_types
from accord.spec.schema_export import Direction, to_json_schema

JSON_TYPES = ("application/json",)


@dataclass(slots=True)
class Example:
    """One response example, pre-serialised."""

    name: str
    value: Any
    body: bytes


@dataclass(slots=True)
class MockReply:
    """A documented response: its examples (the first is the default) and its headers."""

    status: int
    media_type: str | None
    examples: dict[str, Example]
    headers: list[tuple[str, str]]
    schema: Any
    header_schemas: dict[str, Any] = field(default_factory=dict)

    def example(self, name: str | None = None) -> Example | None:
        if name is not None:
            return self.examples.get(name)
        return next(iter(self.examples.values()), None)


@dataclass(slots=True)
class ParamSpec:
    """A parameter: where it is, its JSON type (for coercing text) and its compiled validator."""

    name: str
    location: str
    required: bool
    kind: str  # string, integer, number, boolean, array, object
    item_kind: str
    validator: Any | None
    key: str  # lower-cased for headers
    schema: Any = None


@dataclass(slots=True)
class Resource:
    """How a stateful mock treats an operation: which collection, which id parameter."""

    action: str  # create, list, read, update, delete, action
    collection: str  # collection path template, e.g. /v1/items/{itemId}/substitutes
    id_param: str | None  # path parameter naming the item, e.g. substituteId
    parent_params: tuple[str, ...]
    id_schema: Any = None


@dataclass(slots=True)
class MockOperation:
    """One operation, ready to serve."""

    operation_id: str
    method: str  # upper case
    path: str
    path_params: tuple[str, ...]
    params: list[ParamSpec]
    body_validator: Any | None
    body_schema: Any
    body_required: bool
    body_media_types: tuple[str, ...]
    replies: dict[int, MockReply]
    default_status: int
    invalid_status: int
    location: Location
    resource: Resource | None = None
    domain: str = ""
    openapi30: bool = False  # the document is OpenAPI 3.0 (nullable, boolean bounds)

    def reply(self, status: int) -> MockReply | None:
        return self.replies.get(status)


@dataclass(slots=True)
class MockPlan:
    """Routes of one or more documents: exact paths first, then templated ones in document order."""

    operations: list[MockOperation]
    static: dict[str, dict[str, MockOperation]]
    dynamic: list[tuple[re.Pattern[str], dict[str, MockOperation]]]
    #: templated routes by number of ``/`` in the path, so a request tries only routes of its depth
    by_depth: dict[int, list[tuple[re.Pattern[str], dict[str, MockOperation]]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for regex, methods in self.dynamic:
            template = next(iter(methods.values())).path
            self.by_depth.setdefault(template.count("/"), []).append((regex, methods))

    def match(self, method: str, path: str) -> tuple[MockOperation | None, dict[str, str], bool]:
        """(operation, path parameter values, whether the path exists at all)."""
        by_method = self.static.get(path)
        if by_method is not None:
            return by_method.get(method), {}, True
        for regex, methods in self.by_depth.get(path.count("/"), ()):
            found = regex.match(path)
            if found is not None:
                return methods.get(method), found.groupdict(), True
        return None, {}, False

    def by_id(self, operation_id: str) -> MockOperation | None:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        return None


def _validator(schema: Any, openapi30: bool, direction: Direction | None = None) -> Any | None:
    if not isinstance(schema, dict) or not schema:
        return None
    exported = to_json_schema(schema, openapi30=openapi30, direction=direction)
    return jsonschema_rs.Draft202012Validator(exported, validate_formats=True)


def _kind(schema: Any) -> str:
    types = schema_types(schema) - {"null"}
    for kind in ("array", "object", "integer", "number", "boolean", "string"):
        if kind in types:
            return kind
    return "string"


def _json_media(content: Any) -> tuple[str, dict[str, Any]] | None:
    if not isinstance(content, dict):
        return None
    for media_type, media in content.items():
        base = str(media_type).split(";", 1)[0].strip().lower()
        if isinstance(media, dict) and (base == "application/json" or base.endswith("+json")):
            return str(media_type), media
    for media_type, media in content.items():
        if isinstance(media, dict):
            return str(media_type), media
    return None


def _examples(media: dict[str, Any], faker: Faker, schema: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    named = media.get("examples")
    if isinstance(named, dict):
        for name, example in named.items():
            if isinstance(example, dict) and "value" in example:
                found[str(name)] = example["value"]
    if not found and "example" in media:
        found["example"] = media["example"]
    if not found and isinstance(schema, dict):
        listed = schema.get("examples")
        if isinstance(listed, list) and listed:
            found["example"] = listed[0]
        elif "example" in schema:
            found["example"] = schema["example"]
    if not found and isinstance(schema, dict):
        found["generated"] = faker.value(schema)
    return found


def header_value(header: dict[str, Any], faker: Faker, name: str) -> str | None:
    """A documented header's example value as text (or a fake one)."""
    if "example" in header:
        return _text(header["example"])
    examples = header.get("examples")
    if isinstance(examples, dict):
        for example in examples.values():
            if isinstance(example, dict) and "value" in example:
                return _text(example["value"])
    schema = header.get("schema")
    if isinstance(schema, dict):
        return _text(faker.value(schema, name))
    return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return orjson.dumps(value).decode()


def _status(code: str) -> int | None:
    if code.isdigit():
        return int(code)
    if len(code) == 3 and code[0] in "12345" and code[1:].upper() == "XX":
        return int(code[0]) * 100
    return None


def compile_plan(docs: list[tuple[str, Document]], *, seed: int = 0) -> MockPlan:
    """The plan serving every operation of the OpenAPI ``docs`` (each given with its domain name)."""
    faker = Faker(seed)
    operations: list[MockOperation] = []
    for domain, doc in docs:
        if doc.kind != "openapi":
            raise InputError("only OpenAPI documents can be served as HTTP mocks", Location(doc.display))
        openapi30 = doc.major_minor == "3.0"
        for op in iter_operations(doc):
            operation = _operation(
                doc, op.node, op.path, op.method, op.parameters, op.pointer, faker, openapi30
            )
            operation.domain = domain
            operations.append(operation)
    static: dict[str, dict[str, MockOperation]] = {}
    templated: dict[str, dict[str, MockOperation]] = {}
    for operation in operations:
        target = templated if operation.path_params else static
        target.setdefault(operation.path, {})[operation.method] = operation
    dynamic = [(_path_regex(path), methods) for path, methods in templated.items()]
    # More specific templates (more literal segments) first, so /a/{x}/b wins over /a/{x}/{y}.
    dynamic.sort(key=lambda item: -sum(1 for s in item[0].pattern.split("/") if s and "(?P<" not in s))
    _link_resources(operations)
    return MockPlan(operations, static, dynamic)


_PARAM = re.compile(r"\{([^}/]+)\}")


def _path_regex(path: str) -> re.Pattern[str]:
    pattern, last = [], 0
    names: dict[str, str] = {}
    for found in _PARAM.finditer(path):
        pattern.append(re.escape(path[last : found.start()]))
        group = f"p{len(names)}"
        names[group] = found.group(1)
        pattern.append(f"(?P<{found.group(1) if found.group(1).isidentifier() else group}>[^/]+)")
        last = found.end()
    pattern.append(re.escape(path[last:]))
    return re.compile("^" + "".join(pattern) + "$")


def _operation(
    doc: Document,
    node: dict[str, Any],
    path: str,
    method: str,
    parameters: list[dict[str, Any]],
    pointer: str,
    faker: Faker,
    openapi30: bool,
) -> MockOperation:
    operation_id = str(node.get("operationId") or f"{method} {path}")
    params: list[ParamSpec] = []
    for param in parameters:
        schema = param.get("schema") if isinstance(param.get("schema"), dict) else {}
        kind = _kind(schema)
        items = schema.get("items") if isinstance(schema, dict) else None
        name = str(param.get("name"))
        where = str(param.get("in"))
        params.append(
            ParamSpec(
                name=name,
                location=where,
                required=bool(param.get("required")) or where == "path",
                kind=kind,
                item_kind=_kind(items) if isinstance(items, dict) else "string",
                validator=_validator(schema, openapi30),
                key=name.lower() if where == "header" else name,
                schema=schema,
            )
        )
    body = node.get("requestBody") if isinstance(node.get("requestBody"), dict) else None
    body_schema: Any = None
    media_types: tuple[str, ...] = ()
    if body is not None and isinstance(body.get("content"), dict):
        media_types = tuple(str(m).split(";", 1)[0].strip().lower() for m in body["content"])
        media = _json_media(body["content"])
        if media is not None:
            body_schema = media[1].get("schema")
    replies: dict[int, MockReply] = {}
    for code, response in responses(node).items():
        status = _status(code)
        if status is None or status in replies:
            continue
        replies[status] = _reply(status, response, faker)
    successes = sorted(s for s in replies if 200 <= s < 300)
    default_status = successes[0] if successes else (min(replies) if replies else 200)
    invalid_status = 400 if 400 in replies else (422 if 422 in replies else 400)
    return MockOperation(
        operation_id=operation_id,
        method=method.upper(),
        path=path,
        path_params=tuple(_PARAM.findall(path)),
        params=params,
        # readOnly properties are not required in a request (OAS 3.1 §4.8.24, 3.0.3 §4.7.24.1)
        body_validator=_validator(body_schema, openapi30, "request"),
        body_schema=body_schema,
        body_required=bool(body and body.get("required")),
        body_media_types=media_types,
        replies=replies,
        default_status=default_status,
        invalid_status=invalid_status,
        location=doc.origin(pointer),
        openapi30=openapi30,
    )


def _reply(status: int, response: dict[str, Any], faker: Faker) -> MockReply:
    media = _json_media(response.get("content"))
    examples: dict[str, Example] = {}
    schema: Any = None
    media_type: str | None = None
    if media is not None:
        media_type, media_node = media
        schema = media_node.get("schema")
        for name, value in _examples(media_node, faker, schema).items():
            examples[name] = Example(name, value, orjson.dumps(value))
    headers: list[tuple[str, str]] = []
    header_schemas: dict[str, Any] = {}
    raw = response.get("headers")
    if isinstance(raw, dict):
        for name, header in raw.items():
            if not isinstance(header, dict) or str(name).lower() == "content-type":
                continue
            header_schemas[str(name).lower()] = header.get("schema")
            value = header_value(header, faker, str(name))
            if value is not None:
                headers.append((str(name), value))
    return MockReply(status, media_type, examples, headers, schema, header_schemas)


def _link_resources(operations: list[MockOperation]) -> None:
    """Mark collection/item operations for the stateful mode (``/things`` and ``/things/{thingId}``)."""
    items: dict[str, str] = {}  # collection path -> id parameter of its item path
    id_schemas: dict[str, Any] = {}
    for op in sorted(operations, key=lambda o: (o.path, o.method)):
        if op.path.endswith("}"):
            parent, last = op.path.rsplit("/", 1)
            items.setdefault(parent, last[1:-1])
            for param in op.params:
                if param.location == "path" and param.name == last[1:-1]:
                    id_schemas.setdefault(parent, param.schema)
    for op in operations:
        if op.path in items:
            action = {"POST": "create", "GET": "list"}.get(op.method)
            if action:
                op.resource = Resource(
                    action, op.path, items[op.path], op.path_params, id_schemas.get(op.path)
                )
            continue
        parent = op.path.rsplit("/", 1)[0]
        if op.path.endswith("}") and parent in items:
            action = {"GET": "read", "PATCH": "update", "PUT": "update", "DELETE": "delete"}.get(op.method)
            if action:
                op.resource = Resource(
                    action, parent, items[parent], op.path_params[:-1], id_schemas.get(parent)
                )
        elif op.method == "POST" and parent.endswith("}") and parent.rsplit("/", 1)[0] in items:
            collection = parent.rsplit("/", 1)[0]
            op.resource = Resource("action", collection, items[collection], op.path_params[:-1])
