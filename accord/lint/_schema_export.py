"""Export a schema of the resolved graph as a self-contained JSON Schema 2020-12 document.

The loader replaces every ``$ref`` by the (shared) object it points to, so a recursive schema is a
cycle of Python objects and a schema used twice is one object reached twice. A validator needs a
finite document instead: :func:`to_json_schema` inlines every schema reached once and moves every
schema reached more than once (shared or recursive) to ``$defs``, referenced as
``{"$ref": "#/$defs/<name>"}`` (``"#"`` for the root itself). The output size is linear in the
number of distinct schemas, whatever the sharing.

Dialects are normalised on the way (the output is plain JSON Schema 2020-12, §8.2.4 ``$defs``):

- OpenAPI 3.0 ``nullable: true`` (OAS 3.0.3 §4.7.24.1) adds ``null`` to ``type`` (and to ``enum``);
  without a ``type`` it wraps the schema in ``anyOf: [{type: "null"}, ...]``.
- Boolean ``exclusiveMinimum``/``exclusiveMaximum`` (OpenAPI 3.0, JSON Schema draft 4) become the
  numeric form of draft 6 and later.
- Draft-07 (AsyncAPI) ``items: [...]`` becomes ``prefixItems`` (``additionalItems`` then becomes
  ``items``), and ``dependencies`` splits into ``dependentRequired``/``dependentSchemas``.
- ``readOnly`` properties are not required in a request and ``writeOnly`` ones not in a response
  (OAS 3.0.3 §4.7.24.1 *readOnly*/*writeOnly*) when a ``direction`` is given.
- Identifiers that would move the base URI (``$id``, ``$schema``, anchors) are dropped, and so are
  ``$defs``/``definitions`` (their members were already inlined where used) and unresolved ``$ref``
  objects left by the loader (they become the always-true schema ``{}``).

Annotations (``description``, ``example`` ...) are dropped unless ``annotations=True``: they do not
change what validates, and dropping them lets callers share validators between equal schemas.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

from accord.spec.schema import LISTS, MAPS, SINGLE

DIALECT = "https://json-schema.org/draft/2020-12/schema"

Direction = Literal["request", "response"]

# Subschema keywords (JSON Schema 2020-12 §10, draft-07 §6-9) from the one table in accord.spec;
# `$defs`/`definitions` are handled apart: their contents are inlined where referenced.
_SINGLE = SINGLE
_LISTS = LISTS
_MAPS = tuple(key for key in MAPS if key not in ("$defs", "definitions"))
#: Keywords that move the base URI or hold definitions already inlined: always dropped.
_DROPPED = frozenset(
    {
        "$id",
        "$schema",
        "$anchor",
        "$dynamicAnchor",
        "$recursiveAnchor",
        "$dynamicRef",
        "$recursiveRef",
        "$vocabulary",
        "$defs",
        "definitions",
        "$ref",
        "nullable",
    }
)
#: Keywords that annotate but never change what validates (plus every ``x-`` extension).
_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "example",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "externalDocs",
        "xml",
        "discriminator",
        "$comment",
    }
)
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]")


def _children(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Direct dict subschemas of ``node``, whatever the dialect writes them with."""
    for key in _SINGLE:
        value = node.get(key)
        if isinstance(value, dict):
            yield value
        elif key == "items" and isinstance(value, list):  # draft-07 tuple form
            yield from (item for item in value if isinstance(item, dict))
    for key in _LISTS:
        value = node.get(key)
        if isinstance(value, list):
            yield from (item for item in value if isinstance(item, dict))
    for key in (*_MAPS, "dependencies"):
        value = node.get(key)
        if isinstance(value, dict):
            yield from (item for item in value.values() if isinstance(item, dict))


def _count_references(roots: list[dict[str, Any]]) -> dict[int, int]:
    """How many schema edges reach each node (each root counts one for itself)."""
    counts: dict[int, int] = {id(root): 1 for root in roots}
    stack = list(roots)
    while stack:
        node = stack.pop()
        for sub in _children(node):
            key = id(sub)
            if key in counts:
                counts[key] += 1
            else:
                counts[key] = 1
                stack.append(sub)
    return counts


class _Exporter:
    """Emits each distinct node once; ``single`` keeps the (only) root inline as the document itself."""

    def __init__(
        self,
        roots: list[dict[str, Any]],
        *,
        single: bool,
        nullable: bool,
        direction: Direction | None,
        annotations: bool,
        name_of: Callable[[dict[str, Any]], str | None] | None,
    ) -> None:
        self.root = roots[0] if single else None
        self.forced = set() if single else {id(root) for root in roots}
        self.nullable = nullable
        self.direction = direction
        self.annotations = annotations
        self.name_of = name_of
        self.counts = _count_references(roots)
        self.defs: dict[str, Any] = {}
        self.def_names: dict[int, str] = {}
        self.stack: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def drain(self) -> None:
        while self.stack:
            node, target = self.stack.pop()
            self._fill(node, target)

    def document(self, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"$schema": DIALECT}
        result.update(body)
        if self.defs:
            result["$defs"] = self.defs
        return result

    # -- nodes -----------------------------------------------------------------------------
    def emit(self, node: dict[str, Any]) -> dict[str, Any]:
        """A fresh output dict for ``node``, filled later from the stack (no recursion)."""
        wrap = self.nullable and node.get("nullable") is True and "type" not in node
        inner: dict[str, Any] = {}
        self.stack.append((node, inner))
        if wrap:
            return {"anyOf": [{"type": "null"}, inner]}
        return inner

    def reference(self, node: Any) -> Any:
        """The output for a subschema position: a reference, a fresh dict, or a boolean as is."""
        if not isinstance(node, dict):
            return node
        if node is self.root:
            return {"$ref": "#"}
        if id(node) in self.forced or self.counts.get(id(node), 0) > 1:
            name = self.def_names.get(id(node))
            if name is None:
                name = self.def_name(node)
                self.def_names[id(node)] = name
                self.defs[name] = self.emit(node)
            return {"$ref": f"#/$defs/{name}"}
        return self.emit(node)

    def def_name(self, node: dict[str, Any]) -> str:
        wanted = self.name_of(node) if self.name_of is not None else None
        base = _NAME_CHARS.sub("_", wanted) if wanted else ""
        base = base or f"schema{len(self.defs) + 1}"
        name, suffix = base, 2
        while name in self.defs:
            name = f"{base}_{suffix}"
            suffix += 1
        return name

    # -- keywords --------------------------------------------------------------------------
    def _fill(self, node: dict[str, Any], out: dict[str, Any]) -> None:
        for key, value in node.items():
            if not isinstance(key, str) or key in _DROPPED:
                continue
            if not self.annotations and (key in _ANNOTATIONS or key.startswith("x-")):
                continue
            if key in _SINGLE:
                if key == "items" and isinstance(value, list):
                    out["prefixItems"] = [self.reference(v) for v in value]
                    extra = node.get("additionalItems")
                    if extra is not None:
                        out["items"] = self.reference(extra)
                elif key == "additionalItems":
                    continue  # only meaningful beside the tuple form, handled with `items`
                else:
                    out[key] = self.reference(value)
            elif key in _LISTS:
                out[key] = [self.reference(v) for v in value] if isinstance(value, list) else value
            elif key in _MAPS:
                out[key] = (
                    {str(k): self.reference(v) for k, v in value.items()}
                    if isinstance(value, dict)
                    else value
                )
            elif key == "dependencies" and isinstance(value, dict):
                self._dependencies(value, out)
            else:
                out[key] = value
        self._draft4_exclusive(node, out)
        if self.nullable and node.get("nullable") is True and "type" in node:
            self._add_null(out)
        if self.direction is not None:
            self._drop_hidden_required(node, out)

    def _dependencies(self, value: dict[str, Any], out: dict[str, Any]) -> None:
        for name, dep in value.items():
            if isinstance(dep, list):
                out.setdefault("dependentRequired", {})[str(name)] = dep
            else:
                out.setdefault("dependentSchemas", {})[str(name)] = self.reference(dep)

    @staticmethod
    def _draft4_exclusive(node: dict[str, Any], out: dict[str, Any]) -> None:
        for flag, bound in (("exclusiveMaximum", "maximum"), ("exclusiveMinimum", "minimum")):
            value = node.get(flag)
            if not isinstance(value, bool):
                continue
            del out[flag]
            limit = node.get(bound)
            if value and isinstance(limit, (int, float)) and not isinstance(limit, bool):
                out[flag] = limit
                out.pop(bound, None)

    @staticmethod
    def _add_null(out: dict[str, Any]) -> None:
        declared = out.get("type")
        if isinstance(declared, str):
            out["type"] = [declared, "null"] if declared != "null" else declared
        elif isinstance(declared, list) and "null" not in declared:
            out["type"] = [*declared, "null"]
        enum = out.get("enum")
        if isinstance(enum, list) and None not in enum:
            out["enum"] = [*enum, None]

    def _drop_hidden_required(self, node: dict[str, Any], out: dict[str, Any]) -> None:
        required = node.get("required")
        properties = node.get("properties")
        if not isinstance(required, list) or not isinstance(properties, dict):
            return
        hidden = "readOnly" if self.direction == "request" else "writeOnly"
        kept = [
            name
            for name in required
            if not (isinstance(properties.get(name), dict) and properties[name].get(hidden) is True)
        ]
        if len(kept) != len(required):
            out["required"] = kept


def to_json_schema(
    schema: Any,
    *,
    nullable: bool = False,
    direction: Direction | None = None,
    annotations: bool = False,
    name_of: Callable[[dict[str, Any]], str | None] | None = None,
) -> dict[str, Any]:
    """A finite JSON Schema 2020-12 document validating what ``schema`` (a resolved node) means.

    ``nullable`` honours OpenAPI 3.0 ``nullable: true``; ``direction`` (``"request"`` or
    ``"response"``) relaxes ``required`` for ``readOnly``/``writeOnly`` properties; ``annotations``
    keeps descriptive keywords; ``name_of`` proposes a ``$defs`` name for a shared node (for
    example its component name). The input is never modified; literal values (``enum``,
    ``const``, ``default``) are shared with it, so treat the result as read-only.
    """
    if not isinstance(schema, dict):
        return {"$schema": DIALECT, "not": {}} if schema is False else {"$schema": DIALECT}
    exporter = _Exporter(
        [schema],
        single=True,
        nullable=nullable,
        direction=direction,
        annotations=annotations,
        name_of=name_of,
    )
    body = exporter.emit(schema)
    exporter.drain()
    return exporter.document(body)


def export_bundle(
    schemas: Sequence[Any],
    *,
    nullable: bool = False,
    direction: Direction | None = None,
    annotations: bool = False,
    name_of: Callable[[dict[str, Any]], str | None] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Many schemas of one resolved graph in one document, and the pointer of each (``#/$defs/x``).

    Every distinct node is emitted once however many of ``schemas`` reach it, so exporting all the
    schemas of a large description costs one pass over it. Compile pointers against the document
    with a ``jsonschema_rs.Registry``. Options as for :func:`to_json_schema`.
    """
    roots = [s for s in schemas if isinstance(s, dict)]
    unique = list({id(r): r for r in roots}.values())
    exporter = _Exporter(
        unique, single=False, nullable=nullable, direction=direction, annotations=annotations, name_of=name_of
    )
    pointers: list[str] = []
    constants: dict[bool, str] = {}
    for schema in schemas:
        if isinstance(schema, dict):
            pointers.append(exporter.reference(schema)["$ref"])
            continue
        value = schema is not False
        if value not in constants:
            name = exporter.def_name({})
            exporter.defs[name] = {} if value else {"not": {}}
            constants[value] = f"#/$defs/{name}"
        pointers.append(constants[value])
    exporter.drain()
    return exporter.document({}), pointers
