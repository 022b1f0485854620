"""HTTP-level helpers for the versioning, security, errors, writes and collections rule families.

Everything here is ``None``-safe over partly invalid documents and linear in the document size: the
per-document index (operations, their merged parameters, which paths have items) is built once.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Any

from accord.lint._schema_helpers import flatten
from accord.loader import Document
from accord.model import Location
from accord.spec import Operation, iter_operations

RATE_LIMIT_KEY = "x-accord-rate-limit"
STABILITY_KEY = "x-accord-stability"
PUBLIC_KEY = "x-accord-public"

ITEM = "item"  # /v1/orders/{orderId}
COLLECTION = "collection"  # /v1/orders, /v1/orders/{orderId}/lines
ACTION = "action"  # /v1/orders/{orderId}/cancel
ROOT = "root"  # /

_STATUS = re.compile(r"^[1-5](?:\d\d|XX)$", re.IGNORECASE)


def at(doc: Document, node: Any, key: str | int) -> Location:
    """Location of ``node[key]`` when that member exists, else of ``node`` itself (never a dangling line)."""
    if isinstance(node, dict) and key in node:
        return doc.where(node, key)
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return doc.where(node, key)
    return doc.where(node)


def root(doc: Document) -> dict[str, Any]:
    return doc.data if isinstance(doc.data, dict) else {}


# --- paths -------------------------------------------------------------------------------------


def segments(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s]


def is_template(segment: str) -> bool:
    """``{orderId}`` (or a partly templated segment such as ``{name}.json``)."""
    return "{" in segment


@dataclass(frozen=True, slots=True)
class _Index:
    """Per-document facts several rules need, computed once: operations, their parameters, paths."""

    operations: tuple[Operation, ...]
    parameters: dict[int, list[dict[str, Any]]]  # id(operation node) -> merged parameters
    with_item_child: frozenset[str]  # paths P such that P/{param} is also a path


_INDEX: weakref.WeakKeyDictionary[Document, _Index] = weakref.WeakKeyDictionary()


def _index(doc: Document) -> _Index:
    cached = _INDEX.get(doc)
    if cached is None:
        ops = tuple(iter_operations(doc)) if doc.kind == "openapi" else ()
        parents: set[str] = set()
        paths = root(doc).get("paths") if doc.kind == "openapi" else None
        if isinstance(paths, dict):
            for path in paths:
                parts = segments(str(path))
                if parts and is_template(parts[-1]):
                    parents.add("/" + "/".join(parts[:-1]))
        cached = _Index(ops, {id(op.node): op.parameters for op in ops}, frozenset(parents))
        _INDEX[doc] = cached
    return cached


def operations(doc: Document) -> tuple[Operation, ...]:
    """Every OpenAPI operation of ``doc`` in document order (cached; empty for AsyncAPI)."""
    return _index(doc).operations


def parameters(doc: Document, op: Operation) -> list[dict[str, Any]]:
    """The operation's parameters, path-level merged with its own (cached)."""
    found = _index(doc).parameters.get(id(op.node))
    return found if found is not None else op.parameters


def path_kind(doc: Document, path: str, path_item: Any) -> str:
    """Classify a path as an item, a collection, an action or the root.

    The last segment decides: a template is an item. A static last segment right after a template
    is an action (``/orders/{orderId}/cancel``) unless the path behaves like a sub-collection: it
    has items of its own (``.../lines/{lineId}`` exists) or it can be read (a ``get``).
    """
    parts = segments(path)
    if not parts:
        return ROOT
    if is_template(parts[-1]):
        return ITEM
    if len(parts) >= 2 and is_template(parts[-2]):
        has_get = isinstance(path_item, dict) and isinstance(path_item.get("get"), dict)
        if not has_get and "/" + "/".join(parts) not in _index(doc).with_item_child:
            return ACTION
    return COLLECTION


def has_item_child(doc: Document, path: str) -> bool:
    return "/" + "/".join(segments(path)) in _index(doc).with_item_child


# --- parameters and headers --------------------------------------------------------------------


def find_parameter(params: list[dict[str, Any]], name: str, location: str) -> dict[str, Any] | None:
    """The parameter ``name`` in ``location``; header names compare case-insensitively (RFC 9110 §5.1)."""
    if location == "header":
        wanted = name.lower()
        for param in params:
            if param.get("in") == "header" and str(param.get("name", "")).lower() == wanted:
                return param
        return None
    for param in params:
        if param.get("in") == location and param.get("name") == name:
            return param
    return None


def response_header(response: Any, name: str) -> tuple[str, Any] | None:
    """(written name, header object) of a response header, matched case-insensitively."""
    headers = response.get("headers") if isinstance(response, dict) else None
    if not isinstance(headers, dict):
        return None
    wanted = name.lower()
    for key, header in headers.items():
        if str(key).lower() == wanted:
            return str(key), header
    return None


# --- responses ---------------------------------------------------------------------------------


def responses_of(op: Operation) -> dict[str, Any]:
    value = op.node.get("responses")
    return value if isinstance(value, dict) else {}


def is_unresolved(node: Any) -> bool:
    """A ``$ref`` the loader could not resolve (left in place and reported by it)."""
    return isinstance(node, dict) and "$ref" in node and len(node) == 1


def is_status(code: str) -> bool:
    return bool(_STATUS.match(code))


def documents(responses: dict[str, Any], code: str) -> bool:
    """Whether ``code`` (``"401"``) is documented, explicitly or by its range (``"4XX"``)."""
    if code in responses:
        return True
    return f"{code[0]}XX" in responses or f"{code[0]}xx" in responses


def media_essence(media_type: Any) -> str:
    """``application/problem+json; charset=utf-8`` -> ``application/problem+json``."""
    return str(media_type).split(";", 1)[0].strip().lower()


def is_json_media(media_type: Any) -> bool:
    essence = media_essence(media_type)
    return essence == "application/json" or essence.endswith("+json")


def json_schema(response: Any) -> dict[str, Any] | None:
    """The schema of the first JSON media type of a response (or request body)."""
    content = response.get("content") if isinstance(response, dict) else None
    if not isinstance(content, dict):
        return None
    for media_type, media in content.items():
        if is_json_media(media_type) and isinstance(media, dict) and isinstance(media.get("schema"), dict):
            schema: dict[str, Any] = media["schema"]
            return schema
    return None


# --- schemas -----------------------------------------------------------------------------------


def object_properties(schema: Any) -> dict[str, Any]:
    """Declared properties of an object schema, ``allOf`` members included (first declaration wins)."""
    found: dict[str, Any] = {}
    if not isinstance(schema, dict):
        return found
    for node in flatten(schema):
        properties = node.get("properties")
        if isinstance(properties, dict):
            for name, prop in properties.items():
                found.setdefault(str(name), prop)
    return found


def required_names(schema: Any) -> set[str]:
    """``required`` names of a schema and its ``allOf`` members."""
    found: set[str] = set()
    if not isinstance(schema, dict):
        return found
    for node in flatten(schema):
        required = node.get("required")
        if isinstance(required, list):
            found.update(str(n) for n in required)
    return found


def property_owner(schema: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The ``properties`` map (of ``schema`` or an ``allOf`` member) that declares ``name``."""
    for node in flatten(schema):
        properties = node.get("properties")
        if isinstance(properties, dict) and name in properties:
            return properties
    return None


# --- security ----------------------------------------------------------------------------------


def security_schemes(doc: Document) -> dict[str, Any]:
    components = root(doc).get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    return schemes if isinstance(schemes, dict) else {}


def requirements(value: Any) -> list[dict[str, Any]]:
    """The requirement objects of a ``security`` list (non-objects skipped)."""
    if not isinstance(value, list):
        return []
    return [r for r in value if isinstance(r, dict)]


def allows_anonymous(value: Any) -> bool:
    """An empty ``security`` list, or one with an empty requirement ``{}`` (OpenAPI §4.8.30)."""
    return isinstance(value, list) and (not value or any(r == {} for r in value))


def is_secured(doc: Document, op: Operation) -> bool:
    """The operation requires credentials: effective security is declared and has no anonymous option."""
    value = op.security(root(doc))
    return value is not None and not allows_anonymous(value)


# --- operations --------------------------------------------------------------------------------


def rate_limit(doc: Document, op: Operation) -> Any:
    """The ``x-accord-rate-limit`` covering an operation: its own, else the document's."""
    if RATE_LIMIT_KEY in op.node:
        return op.node[RATE_LIMIT_KEY]
    return root(doc).get(RATE_LIMIT_KEY)
