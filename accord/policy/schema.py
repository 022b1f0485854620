"""Turn a resolved (possibly cyclic) contract schema into a self-contained JSON Schema 2020-12.

The loader replaces every ``$ref`` by the object it points to, so a recursive schema is a Python
object cycle that no validator can compile. :func:`standalone_schema` copies the graph: a schema
that is part of a cycle goes once into ``$defs`` and every use of it becomes a local
``{"$ref": "#/$defs/<name>"}``; everything else is inlined. On the way it

* rewrites OpenAPI 3.0 dialect to 2020-12 (``nullable``, boolean ``exclusiveMinimum/Maximum``),
* drops annotations a validator does not need (``example(s)``, ``description``, ``x-*``...), and
* applies the OpenAPI rule that ``readOnly`` properties are not required in requests and
  ``writeOnly`` ones not in responses (OpenAPI 3.1 §4.8.24, Fixed Fields ``readOnly``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from accord.errors import ConfigError
from accord.spec.schema import LISTS, MAPS, SINGLE

Direction = Literal["request", "response"]
NameOf = Callable[[dict[str, Any]], str | None]

# Subschema keywords from the one table in accord.spec (`$defs`/`definitions` are dropped below:
# every reference into them has been resolved already).
_SINGLE = SINGLE
_LISTS = LISTS
_MAPS = tuple(key for key in MAPS if key not in ("$defs", "definitions"))
#: Annotations and dialect keys a validator ignores; dropping them keeps compiled validators small.
#: ``$defs``/``definitions`` go too: every reference into them has been resolved already.
_DROP = frozenset(
    {
        "example",
        "examples",
        "description",
        "title",
        "discriminator",
        "xml",
        "externalDocs",
        "deprecated",
        "$comment",
        "$schema",
        "$id",
        "$anchor",
        "$dynamicAnchor",
        "$defs",
        "definitions",
        "nullable",
        "default",
        "readOnly",
        "writeOnly",
    }
)
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")
MAX_DEPTH = 500


def standalone_schema(
    schema: Any,
    *,
    openapi30: bool = False,
    direction: Direction = "request",
    name_of: NameOf | None = None,
) -> Any:
    """A self-contained copy of ``schema`` that a JSON Schema 2020-12 validator can compile."""
    return _Builder(openapi30, direction, name_of).build(schema)


class _Builder:
    def __init__(self, openapi30: bool, direction: Direction, name_of: NameOf | None) -> None:
        self.openapi30 = openapi30
        self.skip_flag = "readOnly" if direction == "request" else "writeOnly"
        self.name_of = name_of
        self.recursive: set[int] = set()
        self.names: dict[int, str] = {}
        self.defs: dict[str, Any] = {}
        self.cache: dict[int, Any] = {}
        self.explored: set[int] = set()

    def build(self, schema: Any) -> Any:
        if not isinstance(schema, dict):
            return schema
        self._find_cycles(schema, set(), 0)
        out = self._emit(schema, 0)
        if not self.defs:
            return out
        if isinstance(out, dict) and "$ref" not in out:
            return {**out, "$defs": self.defs}
        return {"$ref": out["$ref"], "$defs": self.defs}

    # -- pass 1: which schemas are part of a cycle --------------------------------------------------
    def _find_cycles(self, node: dict[str, Any], on_stack: set[int], depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ConfigError(f"schema nests deeper than {MAX_DEPTH} levels")
        key = id(node)
        if key in on_stack:
            self.recursive.add(key)
            return
        if key in self.explored:
            return
        on_stack.add(key)
        for child in _children(node):
            self._find_cycles(child, on_stack, depth + 1)
        on_stack.discard(key)
        self.explored.add(key)

    # -- pass 2: copy --------------------------------------------------------------------------------
    def _emit(self, node: Any, depth: int, as_definition: bool = False) -> Any:
        if not isinstance(node, dict):
            return node
        key = id(node)
        if key in self.recursive and not as_definition:
            name = self._name(node)
            if name not in self.defs:
                self.defs[name] = True  # placeholder: stops the recursion through this node
                self.defs[name] = self._emit(node, depth + 1, as_definition=True)
            return {"$ref": f"#/$defs/{name}"}
        if not as_definition and key in self.cache:
            return self.cache[key]
        if depth > MAX_DEPTH:
            raise ConfigError(f"schema nests deeper than {MAX_DEPTH} levels")
        out: dict[str, Any] = {}
        for field, value in node.items():
            if field in _DROP or field.startswith("x-"):
                continue
            if field in _SINGLE and isinstance(value, dict):
                out[field] = self._emit(value, depth + 1)
            elif field in _LISTS and isinstance(value, list):
                out[field] = [self._emit(item, depth + 1) for item in value]
            elif field in _MAPS and isinstance(value, dict):
                out[field] = {name: self._emit(item, depth + 1) for name, item in value.items()}
            else:
                out[field] = value
        self._required(node, out)
        if self.openapi30:
            _from_openapi30(node, out)
        if not as_definition:
            self.cache[key] = out
        return out

    def _required(self, node: dict[str, Any], out: dict[str, Any]) -> None:
        required = node.get("required")
        props = node.get("properties")
        if not isinstance(required, list) or not isinstance(props, dict):
            return
        kept = [
            name
            for name in required
            if not (isinstance(props.get(name), dict) and props[name].get(self.skip_flag) is True)
        ]
        if len(kept) != len(required):
            if kept:
                out["required"] = kept
            else:
                out.pop("required", None)

    def _name(self, node: dict[str, Any]) -> str:
        key = id(node)
        if key in self.names:
            return self.names[key]
        base = (self.name_of(node) if self.name_of else None) or "schema"
        base = _NAME_CHARS.sub("_", base) or "schema"
        name, n = base, 1
        taken = set(self.names.values())
        while name in taken:
            n += 1
            name = f"{base}{n}"
        self.names[key] = name
        return name


def _children(node: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for field in _SINGLE:
        value = node.get(field)
        if isinstance(value, dict):
            found.append(value)
    for field in _LISTS:
        value = node.get(field)
        if isinstance(value, list):
            found.extend(item for item in value if isinstance(item, dict))
    for field in _MAPS:
        value = node.get(field)
        if isinstance(value, dict):
            found.extend(item for item in value.values() if isinstance(item, dict))
    return found


def _from_openapi30(node: dict[str, Any], out: dict[str, Any]) -> None:
    """OpenAPI 3.0 Schema Object -> 2020-12: ``nullable`` and boolean exclusive bounds."""
    if node.get("nullable") is True:
        declared = out.get("type")
        if isinstance(declared, str):
            out["type"] = [declared, "null"]
        elif isinstance(declared, list) and "null" not in declared:
            out["type"] = [*declared, "null"]
        enum = out.get("enum")
        if isinstance(enum, list) and None not in enum:
            out["enum"] = [*enum, None]
    for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = node.get(flag)
        if isinstance(value, bool):
            if value and bound in node:
                out[flag] = node[bound]
                out.pop(bound, None)
            else:
                out.pop(flag, None)
