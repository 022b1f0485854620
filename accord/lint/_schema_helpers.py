"""Schema-level helpers for the ``schema`` and ``events`` rule families.

Everything here is ``None``-safe over partly invalid documents, cycle-safe over the resolved graph
and linear in the document size: per-document indexes are computed once and cached.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from accord.lint.functions import schema_usage
from accord.loader import Document
from accord.spec.schema import schema_types

#: camelCase, PascalCase, snake_case and kebab-case words ("unitPrice" -> unit, price; "HTTPCode" -> http, code).
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
COMPOSITION = ("allOf", "anyOf", "oneOf")


@lru_cache(maxsize=8192)
def words(name: str) -> tuple[str, ...]:
    """The lower-case words of a property name, whatever its casing."""
    return tuple(w.lower() for w in _WORD.findall(name))


def last_word(name: str) -> str:
    found = words(name)
    return found[-1] if found else ""


def is_unresolved(node: Any) -> bool:
    """A ``$ref`` object the loader could not resolve (resolved ones are replaced by their target)."""
    return isinstance(node, dict) and isinstance(node.get("$ref"), str)


def flatten(schema: Any) -> list[dict[str, Any]]:
    """``schema`` and every schema it ``allOf``-includes (transitively, each once, cycle-safe)."""
    if not isinstance(schema, dict):
        return []
    found: list[dict[str, Any]] = []
    seen: set[int] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        found.append(node)
        members = node.get("allOf")
        if isinstance(members, list):
            stack.extend(m for m in reversed(members) if isinstance(m, dict))
    return found


def alternatives(schema: Any) -> list[dict[str, Any]]:
    """The non-null shapes a value of ``schema`` may take: ``oneOf``/``anyOf`` options or itself.

    ``anyOf: [{$ref: Timestamp}, {type: "null"}]`` gives ``[Timestamp]``; each option is flattened.
    """
    parts = flatten(schema)
    for part in parts:
        for key in ("oneOf", "anyOf"):
            options = part.get(key)
            if isinstance(options, list) and options:
                found: list[dict[str, Any]] = []
                for option in options:
                    if isinstance(option, dict) and schema_types(option) != {"null"}:
                        found.extend(flatten(option))
                return found
    return parts


def merged_types(parts: Iterable[dict[str, Any]]) -> set[str]:
    types: set[str] = set()
    for part in parts:
        types |= schema_types(part)
    return types


def merged_keyword(parts: Iterable[dict[str, Any]], key: str) -> Any:
    """The first value of ``key`` among ``parts`` (``None`` when none declares it)."""
    for part in parts:
        if key in part:
            return part[key]
    return None


def merged_properties(schema: Any) -> tuple[dict[str, list[dict[str, Any]]], set[str]]:
    """Properties (name -> every declaring schema) and required names of ``schema`` after ``allOf``."""
    properties: dict[str, list[dict[str, Any]]] = {}
    required: set[str] = set()
    for part in flatten(schema):
        props = part.get("properties")
        if isinstance(props, dict):
            for name, prop in props.items():
                if isinstance(prop, dict):
                    properties.setdefault(str(name), []).append(prop)
        names = part.get("required")
        if isinstance(names, list):
            required.update(n for n in names if isinstance(n, str))
    return properties, required


def property_owners(schema: Any, name: str) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(``properties`` map, property schema) for every ``allOf`` member of ``schema`` declaring ``name``."""
    for part in flatten(schema):
        props = part.get("properties")
        if isinstance(props, dict) and isinstance(props.get(name), dict):
            yield props, props[name]


def is_object_schema(node: dict[str, Any]) -> bool:
    """Declares ``type: object`` (alone or with ``null``), or has properties and no type."""
    types = schema_types(node)
    if types:
        return "object" in types
    return isinstance(node.get("properties"), dict)


class _Branches:
    """Ids of schemas that are members of an ``allOf`` (``all_of``) or of any composition (``any``)."""

    __slots__ = ("all_of", "composed")

    def __init__(self, doc: Document) -> None:
        self.all_of: set[int] = set()
        self.composed: set[int] = set()
        for use in schema_usage(doc).values():
            for key in COMPOSITION:
                members = use.node.get(key)
                if not isinstance(members, list):
                    continue
                for member in members:
                    if isinstance(member, dict):
                        self.composed.add(id(member))
                        if key == "allOf":
                            self.all_of.add(id(member))


_BRANCHES: weakref.WeakKeyDictionary[Document, _Branches] = weakref.WeakKeyDictionary()


def branches(doc: Document) -> _Branches:
    """Which schemas of ``doc`` are composition members (computed once per document)."""
    found = _BRANCHES.get(doc)
    if found is None:
        found = _Branches(doc)
        _BRANCHES[doc] = found
    return found


def option_words(value: Any, default: Iterable[str]) -> frozenset[str]:
    """A word-list option (list of strings) lower-cased; ``default`` when absent or malformed."""
    if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in value):
        return frozenset(v.lower() for v in value)
    return frozenset(default)


#: (owning schema, property name, property schema)
PropertySite = tuple[dict[str, Any], str, Any]
_BY_LAST_WORD: weakref.WeakKeyDictionary[Document, dict[str, list[PropertySite]]] = (
    weakref.WeakKeyDictionary()
)


def properties_by_last_word(doc: Document) -> dict[str, list[PropertySite]]:
    """Every declared property of ``doc`` grouped by the last word of its name (computed once).

    Name-driven rules (money, quantities, dates, GS1 keys) look up their words here instead of
    walking every property of a large document again.
    """
    found = _BY_LAST_WORD.get(doc)
    if found is None:
        found = {}
        for use in schema_usage(doc).values():
            properties = use.node.get("properties")
            if isinstance(properties, dict):
                for name, prop in properties.items():
                    if isinstance(name, str):
                        found.setdefault(last_word(name), []).append((use.node, name, prop))
        _BY_LAST_WORD[doc] = found
    return found


def properties_ending_in(doc: Document, chosen: Iterable[str]) -> Iterator[PropertySite]:
    """Properties whose last word is one of ``chosen``, in a stable order."""
    index = properties_by_last_word(doc)
    for word in sorted(chosen):
        yield from index.get(word, ())
