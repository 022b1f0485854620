"""Generic check helpers that know nothing about particular rules: casing, schema usage, walks."""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from accord.loader import Document
from accord.spec import iter_async_operations, iter_messages, iter_operations
from accord.spec.openapi import media_schemas
from accord.spec.schema import child_schemas

CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
PASCAL_CASE = re.compile(r"^[A-Z][a-zA-Z0-9]*$")
KEBAB_CASE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LOWER_SNAKE_CASE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)

REQUEST = "request"
RESPONSE = "response"
PUBLISH = "publish"  # a payload the service sends (judged like a response by consumers)
SUBSCRIBE = "subscribe"  # a payload the service receives (judged like a request)
COMPONENT = "component"


def is_camel_case(text: str) -> bool:
    return bool(CAMEL_CASE.match(text))


def is_kebab_case(text: str) -> bool:
    return bool(KEBAB_CASE.match(text))


def is_lower_snake_case(text: str) -> bool:
    return bool(LOWER_SNAKE_CASE.match(text))


@dataclass(frozen=True, slots=True)
class SchemaUse:
    """A schema node with every context it is used in (request, response, publish, ...)."""

    node: dict[str, Any]
    contexts: frozenset[str]


_USAGE: weakref.WeakKeyDictionary[Document, dict[int, SchemaUse]] = weakref.WeakKeyDictionary()


def _mark(usage: dict[int, set[str]], nodes: dict[int, dict[str, Any]], root: Any, context: str) -> None:
    if not isinstance(root, dict):
        return
    stack = [root]
    while stack:
        node = stack.pop()
        seen = usage.setdefault(id(node), set())
        nodes[id(node)] = node
        if context in seen:
            continue
        seen.add(context)
        stack.extend(child_schemas(node))


def schema_usage(doc: Document) -> dict[int, SchemaUse]:
    """Every schema reachable from the document, keyed by ``id``, with the contexts using it.

    Component schemas that no operation or message uses get the ``component`` context only.
    Computed once per document.
    """
    cached = _USAGE.get(doc)
    if cached is not None:
        return cached
    usage: dict[int, set[str]] = {}
    nodes: dict[int, dict[str, Any]] = {}
    if doc.kind == "openapi":
        for op in iter_operations(doc):
            for param in op.parameters:
                _mark(usage, nodes, param.get("schema"), REQUEST)
                for _, schema in media_schemas(param.get("content")):
                    _mark(usage, nodes, schema, REQUEST)
            body = op.node.get("requestBody")
            if isinstance(body, dict):
                for _, schema in media_schemas(body.get("content")):
                    _mark(usage, nodes, schema, REQUEST)
            responses = op.node.get("responses")
            if isinstance(responses, dict):
                for response in responses.values():
                    if not isinstance(response, dict):
                        continue
                    for _, schema in media_schemas(response.get("content")):
                        _mark(usage, nodes, schema, RESPONSE)
                    headers = response.get("headers")
                    if isinstance(headers, dict):
                        for header in headers.values():
                            if isinstance(header, dict):
                                _mark(usage, nodes, header.get("schema"), RESPONSE)
    else:
        for aop in iter_async_operations(doc):
            context = PUBLISH if aop.action == "send" else SUBSCRIBE
            for message in aop.messages:
                _mark(usage, nodes, message.payload, context)
                _mark(usage, nodes, message.node.get("headers"), context)
        for message in iter_messages(doc):
            _mark(usage, nodes, message.payload, COMPONENT)
    components = doc.data.get("components") if isinstance(doc.data, dict) else None
    if isinstance(components, dict) and isinstance(components.get("schemas"), dict):
        for schema in components["schemas"].values():
            _mark(usage, nodes, schema, COMPONENT)
    result = {key: SchemaUse(nodes[key], frozenset(contexts)) for key, contexts in usage.items()}
    _USAGE[doc] = result
    return result


def iter_schemas(doc: Document, *contexts: str) -> Iterator[SchemaUse]:
    """Distinct schemas of ``doc`` used in any of ``contexts`` (all schemas when none is given)."""
    for use in schema_usage(doc).values():
        if not contexts or use.contexts & set(contexts):
            yield use


def iter_properties(doc: Document, *contexts: str) -> Iterator[tuple[SchemaUse, str, Any]]:
    """(owning schema, property name, property schema) for every declared property."""
    for use in iter_schemas(doc, *contexts):
        properties = use.node.get("properties")
        if isinstance(properties, dict):
            for name, prop in properties.items():
                yield use, name, prop


def is_request_only(use: SchemaUse) -> bool:
    return REQUEST in use.contexts and RESPONSE not in use.contexts


def extension(node: Any, name: str, default: Any = None) -> Any:
    """An ``x-`` extension of an object (``None``-safe)."""
    return node.get(name, default) if isinstance(node, dict) else default
