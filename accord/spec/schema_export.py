"""Export schemas of the resolved graph as self-contained JSON Schema 2020-12 documents.

The one exporter of the engine: lint rules (example validation), the mock and the gateway's
policy compiler all validate with jsonschema-rs through it.

The loader replaces every ``$ref`` by the (shared) object it points to, so a recursive schema is a
cycle of Python objects and a schema used twice is one object reached twice. A validator needs a
finite document instead: :func:`to_json_schema` inlines every schema reached once and moves every
schema reached more than once (shared or recursive) to ``$defs``, referenced as
``{"$ref": "#/$defs/<name>"}`` (``"#"`` for the root itself). The output size is linear in the
number of distinct schemas, whatever the sharing, and the walk is iterative, so neither deep
nesting nor long reference chains hit Python's recursion limit (jsonschema-rs refuses documents
nested deeper than about 128 levels; callers report that as a schema that cannot be compiled).

Dialects are normalised on the way (the output is plain JSON Schema 2020-12, §8.2.4 ``$defs``):

- With ``openapi30``, OpenAPI 3.0 ``nullable: true`` (OAS 3.0.3 §4.7.24.1) adds ``null`` to a
  ``type`` declared in the same Schema Object, and ``null`` to its ``enum``. Without a ``type`` it
  adds nothing but the ``enum`` member (OAS 3.0.3: "only if type is explicitly defined").
  Without ``openapi30`` (OpenAPI 3.1, AsyncAPI) ``nullable`` is no keyword and is ignored.
- Legacy forms that cannot mean anything else in 2020-12 are always rewritten: boolean
  ``exclusiveMinimum``/``exclusiveMaximum`` (OpenAPI 3.0, JSON Schema draft 4) become the numeric
  form of draft 6 and later; draft-07 (AsyncAPI) ``items: [...]`` becomes ``prefixItems``
  (``additionalItems`` then becomes ``items``; alone it is dropped, as 2020-12 ignores it) and
  ``dependencies`` splits into ``dependentRequired``/``dependentSchemas``.
- With a ``direction``, ``readOnly`` properties are not required in a request and ``writeOnly``
  ones not in a response (OAS 3.0.3 §4.7.24.1, OAS 3.1 §4.8.24 *readOnly*/*writeOnly*).
- Identifiers that would move the base URI or resolve elsewhere (``$id``, ``$schema``, anchors,
  dynamic and recursive references, ``$vocabulary``) are dropped, and so are
  ``$defs``/``definitions`` (their members were already inlined where used) and unresolved
  ``$ref`` objects left by the loader (they become the always-true schema ``{}``; callers that
  must not accept them refuse documents with reference problems before exporting).

Annotations (``description``, ``example``, ``default``, ``readOnly``, ``x-`` extensions ...) are
dropped unless ``annotations=True``: they do not change what validates, and dropping them keeps
compiled validators small and lets callers share validators between equal schemas.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

from accord.spec.schema import LISTS, MAPS, SINGLE

#: The dialect of every exported document (its ``$schema``).
DIALECT = "https://json-schema.org/draft/2020-12/schema"

Direction = Literal["request", "response"]
#: Proposes a ``$defs`` name for a shared node (for example its component name), or ``None``.
NameOf = Callable[[dict[str, Any]], str | None]

# Subschema keywords (JSON Schema 2020-12 §10, draft-07 §6-9) from the one table in accord.spec;
# `$defs`/`definitions` are handled apart: their contents are inlined where referenced.
_SINGLE = frozenset(SINGLE)
_LISTS = frozenset(LISTS)
_MAPS = frozenset(key for key in MAPS if key not in ("$defs", "definitions"))
#: Keywords that move the base URI, hold definitions already inlined, or are dialect markers
#: rewritten below: never copied.
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


def to_json_schema(
    schema: Any,
    *,
    openapi30: bool = False,
    direction: Direction | None = None,
    annotations: bool = False,
    name_of: NameOf | None = None,
) -> dict[str, Any]:
    """A finite JSON Schema 2020-12 document validating what ``schema`` (a resolved node) means.

    ``openapi30`` reads the OpenAPI 3.0 Schema Object dialect (``nullable``); ``direction``
    (``"request"`` or ``"response"``) relaxes ``required`` for ``readOnly``/``writeOnly``
    properties; ``annotations`` keeps descriptive keywords; ``name_of`` proposes ``$defs`` names.
    A boolean or non-schema ``schema`` gives the document accepting everything (``False``:
    nothing). The input is never modified; literal values (``enum``, ``const``, ``default``) are
    shared with it, so treat the result as read-only.
    """
    if not isinstance(schema, dict):
        return {"$schema": DIALECT, "not": {}} if schema is False else {"$schema": DIALECT}
    exporter = _Exporter(
        [schema],
        single=True,
        openapi30=openapi30,
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
    openapi30: bool = False,
    direction: Direction | None = None,
    annotations: bool = False,
    name_of: NameOf | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Many schemas of one resolved graph in one document, and the pointer of each (``#/$defs/x``).

    Every distinct node is emitted once however many of ``schemas`` reach it, so exporting all the
    schemas of a large description costs one pass over it. Compile pointers against the document
    with a ``jsonschema_rs.Registry``. Options as for :func:`to_json_schema`.
    """
    roots = list({id(s): s for s in schemas if isinstance(s, dict)}.values())
    exporter = _Exporter(
        roots,
        single=False,
        openapi30=openapi30,
        direction=direction,
        annotations=annotations,
        name_of=name_of,
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


def accepts_anything(document: dict[str, Any]) -> bool:
    """Whether an exported document is the always-true schema (nothing to check)."""
    return document.keys() <= {"$schema"}


def _children(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Direct dict subschemas of ``node``, whatever the dialect writes them with."""
    for key, value in node.items():
        if isinstance(value, dict):
            if key in _SINGLE:
                yield value
            elif key in _MAPS or key == "dependencies":
                yield from (item for item in value.values() if isinstance(item, dict))
        elif isinstance(value, list) and (key in _LISTS or key == "items"):  # items: draft-07 tuples
            yield from (item for item in value if isinstance(item, dict))


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
        openapi30: bool,
        direction: Direction | None,
        annotations: bool,
        name_of: NameOf | None,
    ) -> None:
        self.root = roots[0] if single else None
        self.forced = set() if single else {id(root) for root in roots}
        self.openapi30 = openapi30
        self.hidden = None if direction is None else ("readOnly" if direction == "request" else "writeOnly")
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
        out: dict[str, Any] = {}
        self.stack.append((node, out))
        return out

    def reference(self, node: Any) -> Any:
        """The output for a subschema position: a reference, a fresh dict, or a boolean as is."""
        if not isinstance(node, dict):
            return node
        if node is self.root:
            return {"$ref": "#"}
        key = id(node)
        if key in self.forced or self.counts.get(key, 0) > 1:
            name = self.def_names.get(key)
            if name is None:
                name = self.def_name(node)
                self.def_names[key] = name
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
                elif key != "additionalItems":  # only meaningful beside the tuple form (above)
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
        if "exclusiveMinimum" in node or "exclusiveMaximum" in node:
            _draft4_exclusive(node, out)
        if self.openapi30 and node.get("nullable") is True:
            _add_null(out)
        if self.hidden is not None and "required" in node:
            self._drop_hidden_required(node, out)

    def _dependencies(self, value: dict[str, Any], out: dict[str, Any]) -> None:
        for name, dep in value.items():
            if isinstance(dep, list):
                out.setdefault("dependentRequired", {})[str(name)] = dep
            else:
                out.setdefault("dependentSchemas", {})[str(name)] = self.reference(dep)

    def _drop_hidden_required(self, node: dict[str, Any], out: dict[str, Any]) -> None:
        required = node.get("required")
        properties = node.get("properties")
        if not isinstance(required, list) or not isinstance(properties, dict):
            return
        hidden = self.hidden
        kept = [
            name
            for name in required
            if not (isinstance(properties.get(name), dict) and properties[name].get(hidden) is True)
        ]
        if len(kept) == len(required):
            return
        if kept:
            out["required"] = kept
        else:
            del out["required"]


def _draft4_exclusive(node: dict[str, Any], out: dict[str, Any]) -> None:
    """Boolean ``exclusiveMinimum``/``exclusiveMaximum`` (draft 4) to the numeric form."""
    for flag, bound in (("exclusiveMaximum", "maximum"), ("exclusiveMinimum", "minimum")):
        value = node.get(flag)
        if not isinstance(value, bool):
            continue
        del out[flag]
        limit = node.get(bound)
        if value and isinstance(limit, (int, float)) and not isinstance(limit, bool):
            out[flag] = limit
            out.pop(bound, None)


def _add_null(out: dict[str, Any]) -> None:
    """OpenAPI 3.0 ``nullable: true``: ``null`` joins the declared ``type`` and the ``enum``."""
    declared = out.get("type")
    if isinstance(declared, str):
        if declared != "null":
            out["type"] = [declared, "null"]
    elif isinstance(declared, list) and "null" not in declared:
        out["type"] = [*declared, "null"]
    enum = out.get("enum")
    if isinstance(enum, list) and None not in enum:
        out["enum"] = [*enum, None]
