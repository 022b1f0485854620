"""Helpers of the structure and naming rule families: path templates, corpus-wide indexes, ref sites.

Everything here is computed once per document (or once per corpus) and cached, because several
rules ask the same question and the linter must stay linear on very large descriptions.
"""

from __future__ import annotations

import functools
import re
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.lint.functions import schema_usage
from accord.lint.registry import RuleContext
from accord.loader import Document, SourceFile
from accord.loader._pointer import JsonPointerException, child, split_ref, tokens
from accord.model import Location
from accord.spec import iter_async_operations, iter_operations
from accord.spec.schema import LISTS, MAPS, SINGLE

#: A template expression of an OpenAPI path (OAS 3.1 §4.8.8 Paths Object, "path templating").
TEMPLATE = re.compile(r"\{([^{}]*)\}")
#: A version segment such as ``v1`` or ``v2beta``: not a resource name.
VERSION_SEGMENT = re.compile(r"^v\d+(?:(?:alpha|beta|rc)\d*)?$", re.IGNORECASE)

#: Component sections whose members a document can leave unused, per document kind.
COMPONENT_SECTIONS = {
    "openapi": ("schemas", "parameters", "responses", "headers", "examples", "requestBodies"),
    "asyncapi": ("messages", "schemas"),
}
_SCHEMA_MAPS = frozenset(MAPS)
_SCHEMA_LISTS = frozenset({*LISTS, "items"})  # `items` was an array of schemas before 2020-12
_SCHEMA_SINGLE = frozenset({"schema", *SINGLE})
_NON_SCHEMA_MAPS = frozenset(
    {
        "parameters",
        "responses",
        "examples",
        "requestBodies",
        "headers",
        "links",
        "callbacks",
        "securitySchemes",
        "pathItems",
    }
)


# -- documents and corpora -------------------------------------------------------------------


def corpus_of(doc: Document, ctx: RuleContext) -> tuple[Document, ...]:
    """The documents being linted together, always including ``doc``."""
    corpus = tuple(ctx.corpus)
    return corpus if any(d is doc for d in corpus) else (doc, *corpus)


def where_text(location: Location) -> str:
    """``file:line:col`` of a location (no pointer), for hints."""
    if location.line is None:
        return location.file
    return f"{location.file}:{location.line}:{location.column}"


_RESOLVED: weakref.WeakKeyDictionary[SourceFile, str] = weakref.WeakKeyDictionary()


def file_key(source: SourceFile) -> str:
    """A stable identity of a source file across separately loaded documents: its resolved path."""
    key = _RESOLVED.get(source)
    if key is None:
        key = str(source.path.resolve())
        _RESOLVED[source] = key
    return key


# -- path templates --------------------------------------------------------------------------


def segments(path: str) -> list[str]:
    """Segments of a path template (``/v1/orders/{orderId}`` -> ``["v1", "orders", "{orderId}"]``).

    A trailing slash gives a last empty segment: ``/v1/orders/`` and ``/v1/orders`` differ.
    """
    body = path[1:] if path.startswith("/") else path
    return body.split("/") if body else []


def is_param_segment(segment: str) -> bool:
    """A whole-segment template expression such as ``{orderId}``."""
    return segment.startswith("{") and segment.endswith("}") and segment.count("{") == 1


def template_names(path: str) -> list[str]:
    """Names of the template expressions of a path, in order."""
    return TEMPLATE.findall(path)


def path_parameters(params: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``in: path`` parameters by name."""
    return {
        param["name"]: param
        for param in params
        if param.get("in") == "path" and isinstance(param.get("name"), str)
    }


# -- operation ids ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OperationId:
    """One operation id as written: OpenAPI ``operationId`` or AsyncAPI operation id."""

    value: str
    label: str  # "GET /v1/orders" or "operation `publishOrderSubmitted`"
    source: SourceFile  # where the id is written (never the document: these are cached per document)
    pointer: str

    @property
    def written(self) -> tuple[str, str]:
        """(file, pointer) where the id is written; cheap, unlike :attr:`location`."""
        return self.source.display, self.pointer

    @property
    def location(self) -> Location:
        return self.source.location(self.pointer)


_OP_IDS: weakref.WeakKeyDictionary[Document, list[OperationId]] = weakref.WeakKeyDictionary()


def _operation_id(doc: Document, value: str, label: str, node: Any, key: str) -> OperationId:
    found = doc.written_at(node)
    source, pointer = found if found is not None else (doc.source, "")
    return OperationId(value, label, source, child(pointer, key))


def operation_ids(doc: Document) -> list[OperationId]:
    """Every operation id a document declares, in document order (cached)."""
    cached = _OP_IDS.get(doc)
    if cached is not None:
        return cached
    found: list[OperationId] = []
    if doc.kind == "openapi":
        for op in iter_operations(doc):
            if op.operation_id is not None:
                found.append(_operation_id(doc, op.operation_id, op.key, op.node, "operationId"))
    elif doc.version.startswith("2."):
        for aop in iter_async_operations(doc):
            value = aop.node.get("operationId")
            if isinstance(value, str):
                found.append(_operation_id(doc, value, aop.key, aop.node, "operationId"))
    else:
        operations = doc.data.get("operations") if isinstance(doc.data, dict) else None
        if isinstance(operations, dict):
            for key, node in operations.items():
                if isinstance(node, dict):
                    found.append(_operation_id(doc, str(key), f"operation `{key}`", operations, str(key)))
    _OP_IDS[doc] = found
    return found


# -- $ref sites ------------------------------------------------------------------------------


def is_non_schema_reference(pointer: str, kind: str) -> bool:
    """Is a ``$ref`` written at ``pointer`` surely a Reference Object to something not a schema?

    Decided from the keys leading to it (``.../parameters/0``, ``.../responses/404``,
    ``.../requestBody``, ``/paths/~1x``); positions that are or may be schemas answer ``False``.
    """
    parts = _tokens(pointer)
    if not parts:
        return False
    if len(parts) == 2 and parts[0] in ("paths", "webhooks"):
        return True
    if len(parts) >= 3 and parts[-3] in _SCHEMA_MAPS:
        return False  # `.../properties/<name>/<keyword>`: a keyword of a schema
    if len(parts) >= 2 and parts[-2] in _SCHEMA_MAPS | _SCHEMA_LISTS:
        return False
    if parts[-1] in _SCHEMA_SINGLE or parts[-1] in ("payload",):
        return False
    if parts[-1] == "requestBody":
        return True
    if len(parts) >= 2 and parts[-2] in _NON_SCHEMA_MAPS:
        return not (kind == "asyncapi" and parts[-2] == "headers")
    return False


def is_schema_reference(pointer: str, kind: str) -> bool:
    """Is a ``$ref`` written at ``pointer`` surely in a schema position?"""
    parts = _tokens(pointer)
    if not parts:
        return False
    if len(parts) == 3 and parts[0] == "components" and parts[1] == "schemas":
        return True
    if len(parts) >= 2 and parts[-2] in _SCHEMA_MAPS and (len(parts) < 3 or parts[-3] not in _SCHEMA_MAPS):
        return True
    if len(parts) >= 2 and parts[-2] in _SCHEMA_LISTS and parts[-1].isdigit():
        return True
    if parts[-1] in _SCHEMA_SINGLE:
        return len(parts) < 2 or parts[-2] not in _NON_SCHEMA_MAPS
    return kind == "asyncapi" and parts[-1] in ("payload", "headers")


def _tokens(pointer: str) -> list[str]:
    try:
        return tokens(pointer)
    except JsonPointerException:
        return []


def first_hop(file: SourceFile, ref: str) -> tuple[str, str] | None:
    """(file key, pointer) a ``$ref`` string names directly (before ref-to-ref chains)."""
    try:
        scheme, path_part, fragment = split_ref(ref)
    except (JsonPointerException, ValueError):
        return None
    if scheme:
        return None
    if not path_part:
        return file_key(file), fragment
    return _relative_key(file_key(file), path_part), fragment


@functools.lru_cache(maxsize=4096)
def _relative_key(base: str, path_part: str) -> str:
    return str((Path(base).parent / path_part).resolve())


# -- named schemas ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NamedSchema:
    """A schema with a name: a ``components.schemas`` member or a top-level entry of a fragment file."""

    name: str
    file: SourceFile
    pointer: str
    raw: Any  # as written (``$ref`` objects left in place)

    @property
    def location(self) -> Location:
        return self.file.location(self.pointer)

    @property
    def is_alias(self) -> bool:
        """A bare ``$ref`` to another schema: judged where the target is written."""
        return isinstance(self.raw, dict) and set(self.raw) == {"$ref"}


_NAMED: weakref.WeakKeyDictionary[Document, list[NamedSchema]] = weakref.WeakKeyDictionary()


def is_document_file(source: SourceFile) -> bool:
    data = source.data
    return isinstance(data, dict) and ("openapi" in data or "asyncapi" in data)


def named_schemas(doc: Document) -> list[NamedSchema]:
    """Component schemas of the entry file, then fragment entries the document uses as schemas."""
    cached = _NAMED.get(doc)
    if cached is not None:
        return cached
    found: list[NamedSchema] = []
    components = doc.source.data.get("components") if isinstance(doc.source.data, dict) else None
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if isinstance(schemas, dict):
        for name, raw in schemas.items():
            found.append(NamedSchema(str(name), doc.source, child("/components/schemas", name), raw))
    seen: set[tuple[int, str]] = set()
    for site in doc.ref_sites:
        target = site.target_file
        pointer = site.target_pointer
        if target is None or pointer is None or is_document_file(target):
            continue
        parts = _tokens(pointer)
        if len(parts) != 1 or (id(target), pointer) in seen:
            continue
        if not is_schema_reference(site.pointer, doc.kind):
            continue
        seen.add((id(target), pointer))
        raw = target.data.get(parts[0]) if isinstance(target.data, dict) else None
        found.append(NamedSchema(parts[0], target, pointer, raw))
    _NAMED[doc] = found
    return found


# -- component usage across a corpus ---------------------------------------------------------

_ROOT = ("", "")
ComponentKey = tuple[str, str]  # (file key, "/components/<section>/<name>")


def _component_of(pointer: str, sections: Sequence[str]) -> str | None:
    """``/components/<section>/<name>`` containing ``pointer`` when ``section`` is one of ``sections``."""
    if not pointer.startswith("/components/"):
        return None
    parts = pointer.split("/", 4)
    if len(parts) < 4 or parts[2] not in sections:
        return None
    return "/".join(parts[:4])


@dataclass
class _Usage:
    corpus: tuple[weakref.ref[Document], ...]
    live: set[ComponentKey]

    def is_for(self, corpus: tuple[Document, ...]) -> bool:
        return len(self.corpus) == len(corpus) and all(
            ref() is doc for ref, doc in zip(self.corpus, corpus, strict=True)
        )


#: The last corpus analysed (the rule runs once per document of the same corpus).
_USAGE_CACHE: list[_Usage] = []


def live_components(corpus: tuple[Document, ...]) -> set[ComponentKey]:
    """Components reachable through ``$ref`` from something that is not an unused component.

    Nodes are ``(file, /components/<section>/<name>)`` of every document file in the corpus; a ref
    written outside a checked component (paths, channels, operations, fragments ...) is a root.
    Both the component a ``$ref`` names and the end of its ref-to-ref chain count as used, and so
    do ``discriminator.mapping`` targets.
    """
    for cached in _USAGE_CACHE:
        if cached.is_for(corpus):
            return cached.live
    sections_of: dict[str, Sequence[str]] = {}
    for doc in corpus:
        for source in doc.iter_files():
            if is_document_file(source):
                kind = "openapi" if "openapi" in source.data else "asyncapi"
                sections_of[file_key(source)] = COMPONENT_SECTIONS[kind]
    edges: dict[ComponentKey, set[ComponentKey]] = {}
    seen_sites: set[tuple[str, str]] = set()
    for doc in corpus:
        for site in doc.ref_sites:
            site_file = file_key(site.file)
            if (site_file, site.pointer) in seen_sites:
                continue
            seen_sites.add((site_file, site.pointer))
            sections = sections_of.get(site_file)
            owner_pointer = _component_of(site.pointer, sections) if sections else None
            owner = (site_file, owner_pointer) if owner_pointer else _ROOT
            targets = edges.setdefault(owner, set())
            hop = first_hop(site.file, site.ref)
            if hop is not None:
                targets.add(_as_component(hop, sections_of))
            if site.target_file is not None and site.target_pointer is not None:
                targets.add(_as_component((file_key(site.target_file), site.target_pointer), sections_of))
        for target in _discriminator_targets(doc):
            edges.setdefault(_ROOT, set()).add(_as_component(target, sections_of))
    live: set[ComponentKey] = set()
    stack = [_ROOT]
    while stack:
        node = stack.pop()
        for target in edges.get(node, ()):
            if target not in live:
                live.add(target)
                stack.append(target)
    _USAGE_CACHE[:] = [_Usage(tuple(weakref.ref(doc) for doc in corpus), live)]
    return live


def _as_component(target: tuple[str, str], sections_of: dict[str, Sequence[str]]) -> ComponentKey:
    sections = sections_of.get(target[0])
    pointer = _component_of(target[1], sections) if sections else None
    return (target[0], pointer) if pointer else target


def _discriminator_targets(doc: Document) -> Iterator[tuple[str, str]]:
    """Schemas named by ``discriminator.mapping`` values (names or references, OAS 3.1 §4.8.25)."""
    for use in schema_usage(doc).values():
        discriminator = use.node.get("discriminator")
        mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
        if not isinstance(mapping, dict):
            continue
        written = doc.written_at(use.node)
        if written is None:
            continue
        file = written[0]
        for value in mapping.values():
            if not isinstance(value, str):
                continue
            if "#" in value or "/" in value or "." in value:
                hop = first_hop(file, value)
                if hop is not None:
                    yield hop
            else:
                yield file_key(file), child("/components/schemas", value)
