"""JSON Schema helpers that understand both OpenAPI 3.0 (``nullable``) and 3.1 (type arrays)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: Keywords whose value is a subschema.
SINGLE = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
    "contentSchema",
)
#: Keywords whose value is a list of subschemas.
LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
#: Keywords whose value is a map of subschemas.
MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


def schema_types(schema: Any) -> set[str]:
    """The JSON types a schema declares (``null`` included when nullable); empty when unconstrained."""
    if not isinstance(schema, dict):
        return set()
    declared = schema.get("type")
    types: set[str] = set()
    if isinstance(declared, str):
        types.add(declared)
    elif isinstance(declared, list):
        types.update(t for t in declared if isinstance(t, str))
    if schema.get("nullable") is True:
        types.add("null")
    return types


def is_nullable(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if "null" in schema_types(schema):
        return True
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and any(
            isinstance(o, dict) and o.get("type") == "null" for o in options
        ):
            return True
    return False


_SINGLE = frozenset(SINGLE)
_LISTS = frozenset(LISTS)
_MAPS = frozenset(MAPS)
_ALL = _SINGLE | _LISTS | _MAPS


def subschemas(schema: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Direct subschemas with the keys leading to them (in keyword order: single, lists, maps)."""
    if _ALL.isdisjoint(schema):
        return
    for key in SINGLE:
        value = schema.get(key)
        if isinstance(value, dict):
            yield (key,), value
    for key in LISTS:
        value = schema.get(key)
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    yield (key, index), item
    for key in MAPS:
        value = schema.get(key)
        if isinstance(value, dict):
            for name, item in value.items():
                if isinstance(item, dict):
                    yield (key, name), item


def child_schemas(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Direct subschemas without their keys (the fast path for walks that need no paths)."""
    found: list[dict[str, Any]] = []
    for key in _ALL.intersection(schema):
        value = schema[key]
        if key in _SINGLE:
            if type(value) is dict:
                found.append(value)
        elif key in _LISTS:
            if type(value) is list:
                found.extend(item for item in value if type(item) is dict)
        elif type(value) is dict:
            found.extend(item for item in value.values() if type(item) is dict)
    return found


def walk_schema(
    schema: Any, seen: set[int] | None = None
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every subschema reachable from ``schema`` once (cycles and shared schemas visited once)."""
    if not isinstance(schema, dict):
        return
    visited = seen if seen is not None else set()
    stack: list[tuple[tuple[str | int, ...], dict[str, Any]]] = [((), schema)]
    while stack:
        path, node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        yield path, node
        children = list(subschemas(node))
        for keys, sub in reversed(children):
            stack.append((path + keys, sub))
