"""A normalised view of one schema: ``allOf`` merged, nullability unified, bounds made comparable.

OpenAPI 3.0 writes nullability as ``nullable: true``, 3.1 (JSON Schema 2020-12) as ``type: [x, "null"]``
and many documents as ``oneOf: [X, {type: "null"}]``; all three give ``Norm.nullable``. ``allOf``
members are merged into their parent (properties united, bounds intersected) so moving keywords into
or out of an ``allOf`` is no change. Every keyword remembers the node it was written in, so a change
can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

#: bound name -> (keyword, exclusive keyword, is an upper bound)
BOUNDS: dict[str, tuple[str, str | None, bool]] = {
    "max-length": ("maxLength", None, True),
    "min-length": ("minLength", None, False),
    "max": ("maximum", "exclusiveMaximum", True),
    "min": ("minimum", "exclusiveMinimum", False),
    "max-items": ("maxItems", None, True),
    "min-items": ("minItems", None, False),
}


@dataclass(frozen=True, slots=True)
class Bound:
    """A numeric bound; ``exclusive`` for exclusiveMinimum/exclusiveMaximum."""

    value: float
    exclusive: bool = False

    def tighter_than(self, other: Bound, upper: bool) -> bool:
        """Does this bound admit strictly fewer values than ``other``?"""
        if self.value != other.value:
            return self.value < other.value if upper else self.value > other.value
        return self.exclusive and not other.exclusive


@dataclass(eq=False, slots=True)
class Norm:
    """What a schema allows, in comparable form. ``node`` is the schema as resolved."""

    node: Any
    types: frozenset[str] | None = None  # non-null JSON types; None = unconstrained
    nullable: bool = False
    never: bool = False  # the ``false`` schema
    format: str | None = None
    enum: tuple[Any, ...] | None = None  # non-null values
    bounds: dict[str, Bound] = field(default_factory=dict)
    multiple_of: float | None = None
    pattern: str | None = None
    default: Any = MISSING
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False
    unique_items: bool = False
    properties: dict[str, Any] = field(default_factory=dict)
    prop_owner: dict[str, Any] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    items: Any = None
    additional: Any = True  # True, False or a schema node
    alt_kind: str | None = None  # "oneOf" or "anyOf"
    alternatives: tuple[Any, ...] = ()
    ref: str | None = None  # an unresolved $ref
    #: logical keyword -> (node it is written in, key)
    at: dict[str, tuple[Any, str]] = field(default_factory=dict)


def value_key(value: Any) -> str:
    """A hashable, type-aware key for a literal (so ``1``, ``1.0`` and ``True`` stay distinct)."""
    if isinstance(value, bool) or value is None:
        return f"b:{value}"
    if isinstance(value, (int, float)):
        return f"n:{float(value)!r}"
    if isinstance(value, str):
        return f"s:{value}"
    try:
        return "j:" + orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return f"r:{value!r}"


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


_NULL_TYPES = frozenset({"null"})


class Normalizer:
    """Computes and caches :class:`Norm` per schema node (by identity) for the lifetime of a diff."""

    def __init__(self) -> None:
        self._cache: dict[int, Norm] = {}
        self._busy: set[int] = set()
        self._keep: list[Any] = []  # synthesized nodes stay alive so their ids are not reused
        self._synth: dict[tuple[int, int], dict[str, Any]] = {}

    def norm(self, node: Any) -> Norm:
        key = id(node)
        found = self._cache.get(key)
        if found is not None:
            return found
        if not isinstance(node, dict):
            result = Norm(node, never=node is False)
            self._keep.append(node)
            self._cache[key] = result
            return result
        if key in self._busy:  # allOf cycle: the recursive member adds nothing new
            return Norm(node)
        self._busy.add(key)
        try:
            result = self._build(node)
        finally:
            self._busy.discard(key)
        self._cache[key] = result
        return result

    def both(self, first: Any, second: Any) -> dict[str, Any]:
        """A synthetic ``{allOf: [first, second]}`` (for one property defined by two allOf members)."""
        key = (id(first), id(second))
        found = self._synth.get(key)
        if found is None:
            found = {"allOf": [first, second]}
            self._synth[key] = found
            self._keep.append(found)
        return found

    # -- building -----------------------------------------------------------------------------
    def _build(self, node: dict[str, Any]) -> Norm:
        n = Norm(node)
        at = n.at
        ref = node.get("$ref")
        if isinstance(ref, str):
            n.ref = ref
        declared = node.get("type")
        if isinstance(declared, str):
            n.types = frozenset({declared}) - _NULL_TYPES or None
            n.nullable = declared == "null"
            at["type"] = (node, "type")
        elif isinstance(declared, list):
            names = frozenset(t for t in declared if isinstance(t, str))
            n.types = (names - _NULL_TYPES) or None
            if "null" in names:
                n.nullable = True
                at["nullable"] = (node, "type")
            at["type"] = (node, "type")
        if node.get("nullable") is True:
            n.nullable = True
            at["nullable"] = (node, "nullable")
        if isinstance(node.get("format"), str):
            n.format = node["format"]
            at["format"] = (node, "format")
        enum = node.get("enum")
        if "const" in node:
            enum = [node["const"]]
            at["enum"] = (node, "const")
        elif isinstance(enum, list):
            at["enum"] = (node, "enum")
        if isinstance(enum, list):
            if any(v is None for v in enum):
                n.nullable = True
                at.setdefault("nullable", at["enum"])
            n.enum = tuple(v for v in enum if v is not None)
        for name, (keyword, exclusive_kw, _upper) in BOUNDS.items():
            value = _num(node.get(keyword))
            if value is not None:
                exclusive = bool(exclusive_kw and node.get(exclusive_kw) is True)  # OpenAPI 3.0 booleans
                n.bounds[name] = Bound(value, exclusive)
                at[name] = (node, keyword)
            if exclusive_kw is not None:
                numeric = _num(node.get(exclusive_kw))  # JSON Schema 2020-12 numbers
                if numeric is not None:
                    bound = Bound(numeric, True)
                    upper = BOUNDS[name][2]
                    current = n.bounds.get(name)
                    if current is None or bound.tighter_than(current, upper):
                        n.bounds[name] = bound
                        at[name] = (node, exclusive_kw)
        mult = _num(node.get("multipleOf"))
        if mult is not None:
            n.multiple_of = mult
            at["multipleOf"] = (node, "multipleOf")
        if isinstance(node.get("pattern"), str):
            n.pattern = node["pattern"]
            at["pattern"] = (node, "pattern")
        if "default" in node:
            n.default = node["default"]
            at["default"] = (node, "default")
        for attr, keyword in (
            ("read_only", "readOnly"),
            ("write_only", "writeOnly"),
            ("deprecated", "deprecated"),
            ("unique_items", "uniqueItems"),
        ):
            if node.get(keyword) is True:
                setattr(n, attr, True)
                at[keyword] = (node, keyword)
        props = node.get("properties")
        if isinstance(props, dict):
            n.properties = dict(props)
            n.prop_owner = dict.fromkeys(props, node)
            at["properties"] = (node, "properties")
        required = node.get("required")
        if isinstance(required, list):
            n.required = frozenset(r for r in required if isinstance(r, str))
            at["required"] = (node, "required")
        items = node.get("items")
        if isinstance(items, (dict, bool)):
            n.items = items
        additional = node.get("additionalProperties")
        if isinstance(additional, (dict, bool)):
            n.additional = additional
            at["additionalProperties"] = (node, "additionalProperties")
        for kind in ("oneOf", "anyOf"):
            options = node.get(kind)
            if isinstance(options, list):
                self._alternatives(n, kind, options)
                break
        members = node.get("allOf")
        if isinstance(members, list):
            for member in members:
                if isinstance(member, (dict, bool)):
                    self._merge(n, self.norm(member))
        return n

    def _alternatives(self, n: Norm, kind: str, options: list[Any]) -> None:
        real = [o for o in options if not (isinstance(o, dict) and _is_null_schema(o))]
        if len(real) != len(options):
            n.nullable = True
            n.at.setdefault("nullable", (n.node, kind))
        if len(real) == 1 and isinstance(real[0], (dict, bool)):
            # `oneOf: [X, {type: null}]` is "X or null": compare it as X.
            self._merge(n, self.norm(real[0]))
            return
        n.alt_kind = kind
        n.alternatives = tuple(real)
        n.at[kind] = (n.node, kind)

    def _merge(self, n: Norm, m: Norm) -> None:
        """Merge member ``m`` (of allOf, or the single non-null alternative) into ``n``."""
        if m.never:
            n.never = True
        if m.types is not None:
            if n.types is None:
                n.types = m.types
                _take(n, m, "type")
            else:
                n.types = _intersect(n.types, m.types)
        if m.nullable and not n.nullable:
            n.nullable = True
            _take(n, m, "nullable")
        for attr, keyword in (("format", "format"), ("pattern", "pattern"), ("multiple_of", "multipleOf")):
            if getattr(n, attr) is None and getattr(m, attr) is not None:
                setattr(n, attr, getattr(m, attr))
                _take(n, m, keyword)
        if m.enum is not None:
            if n.enum is None:
                n.enum = m.enum
                _take(n, m, "enum")
            else:
                keys = {value_key(v) for v in m.enum}
                n.enum = tuple(v for v in n.enum if value_key(v) in keys)
        if n.default is MISSING and m.default is not MISSING:
            n.default = m.default
            _take(n, m, "default")
        for name, bound in m.bounds.items():
            current = n.bounds.get(name)
            if current is None or bound.tighter_than(current, BOUNDS[name][2]):
                n.bounds[name] = bound
                _take(n, m, name)
        for attr, keyword in (
            ("read_only", "readOnly"),
            ("write_only", "writeOnly"),
            ("deprecated", "deprecated"),
            ("unique_items", "uniqueItems"),
        ):
            if getattr(m, attr) and not getattr(n, attr):
                setattr(n, attr, True)
                _take(n, m, keyword)
        for name, schema in m.properties.items():
            if name in n.properties and n.properties[name] is not schema:
                n.properties[name] = self.both(n.properties[name], schema)
            elif name not in n.properties:
                n.properties[name] = schema
                n.prop_owner[name] = m.prop_owner.get(name, m.node)
        if m.properties:
            n.at.setdefault("properties", m.at.get("properties", (m.node, "properties")))
        if m.required:
            n.required = n.required | m.required
            n.at.setdefault("required", m.at.get("required", (m.node, "required")))
        if m.items is not None:
            n.items = m.items if n.items is None else self.both(n.items, m.items)
        if m.additional is False or (m.additional is not True and n.additional is True):
            n.additional = m.additional
            _take(n, m, "additionalProperties")
        if m.alt_kind and not n.alt_kind:
            n.alt_kind, n.alternatives = m.alt_kind, m.alternatives
            _take(n, m, m.alt_kind)


def _take(n: Norm, m: Norm, keyword: str) -> None:
    if keyword in m.at:
        n.at[keyword] = m.at[keyword]


def _intersect(first: frozenset[str], second: frozenset[str]) -> frozenset[str]:
    both = first & second
    if ("integer" in first and "number" in second) or ("number" in first and "integer" in second):
        both |= {"integer"}
    return both or first


def _is_null_schema(schema: dict[str, Any]) -> bool:
    declared = schema.get("type")
    return declared == "null" or declared == ["null"] or ("const" in schema and schema["const"] is None)
