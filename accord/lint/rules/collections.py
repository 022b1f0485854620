"""Collections: cursor pagination with a bounded `limit`, and one page shape `{items, nextCursor}`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeGuard

from accord.lint._http_helpers import (
    COLLECTION,
    at,
    find_parameter,
    has_item_child,
    is_unresolved,
    json_schema,
    object_properties,
    operations,
    parameters,
    path_kind,
    property_owner,
    required_names,
    responses_of,
)
from accord.lint.registry import OPENAPI, RuleContext, Violation, rule
from accord.loader import Document
from accord.model import Location, Severity
from accord.spec import Operation
from accord.spec.schema import is_nullable, schema_types

OFFSET_NAMES = frozenset({"offset", "page", "pagenumber"})  # compared lower-cased without - and _


def _is_array(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    types = schema_types(schema)
    return "array" in types or (not types and "items" in schema)


def _is_page(schema: Any) -> bool:
    return _is_array(schema) or _is_array(object_properties(schema).get("items"))


def collection_reads(doc: Document) -> Iterator[tuple[Operation, dict[str, Any] | None]]:
    """(operation, JSON schema of its 200) of every GET that lists a collection.

    A GET on a path whose last segment is static lists a collection when its items have paths of
    their own (``/v1/orders/{orderId}`` next to ``/v1/orders``) or its 200 body is an array or an
    object with an array ``items``.
    """
    for op in operations(doc):
        if op.method != "get" or path_kind(doc, op.path, op.path_item) != COLLECTION:
            continue
        schema = json_schema(responses_of(op).get("200"))
        if has_item_child(doc, op.path) or _is_page(schema):
            yield op, schema


@rule(
    "collection-cursor-pagination",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family="collections",
    summary="A GET that lists a collection takes the `limit` and `cursor` query parameters.",
    rationale="""
Collections grow; a list without pagination eventually times out or exhausts memory, and adding
pagination later is a breaking change for clients that expect everything in one response.
Cursor pagination (`limit` items after an opaque `cursor`, the previous page's `nextCursor`) stays
correct while items are inserted and costs the same on every page. A GET lists a collection when
its last path segment is static and its items have their own paths, or its 200 body is an array or
an object with an array `items`.
""",
    good="""
/v1/orders:
  get:
    parameters:
    - $ref: ../common/parameters.yaml#/Limit
    - $ref: ../common/parameters.yaml#/Cursor
""",
    bad="""
/v1/orders:
  get:
    parameters: []
""",
)
def collection_cursor_pagination(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op, _schema in collection_reads(doc):
        params = parameters(doc, op)
        missing = [name for name in ("limit", "cursor") if find_parameter(params, name, "query") is None]
        if missing:
            yield Violation(
                at(doc, op.node, "parameters"),
                f"{op.key} lists a collection without the {' and '.join(missing)} query parameter"
                + ("s" if len(missing) > 1 else ""),
                "reference the shared Limit and Cursor parameters",
            )


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@rule(
    "limit-bounded",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family="collections",
    summary="A `limit` query parameter is an integer with `minimum` >= 1 and a `maximum`.",
    rationale="""
An unbounded page size lets one request ask for the whole collection, which is what pagination
exists to prevent; a `limit` of 0 or less means nothing. The bounds belong in the schema so the
gateway rejects out-of-range values before they reach the service and clients see them: an
integer, `minimum: 1` (or an exclusive minimum of 0), a `maximum`, and a `default` within them.
""",
    good="""
name: limit
in: query
schema: {type: integer, minimum: 1, maximum: 100, default: 25}
""",
    bad="""
name: limit
in: query
schema: {type: integer}
""",
)
def limit_bounded(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    seen: set[int] = set()
    for op in operations(doc):
        for param in parameters(doc, op):
            if id(param) in seen or param.get("in") != "query" or param.get("name") != "limit":
                continue
            seen.add(id(param))
            schema = param.get("schema")
            if not isinstance(schema, dict):
                if "content" not in param:
                    yield Violation(doc.where(param), "query parameter `limit` has no schema")
                continue
            yield from _limit_violations(doc, schema)


def _limit_violations(doc: Document, schema: dict[str, Any]) -> Iterator[Violation]:
    if "integer" not in schema_types(schema):
        yield Violation(at(doc, schema, "type"), "`limit` is not an integer")
    low, exclusive_low = schema.get("minimum"), schema.get("exclusiveMinimum")
    low_ok = (_number(low) and (low >= 1 or (exclusive_low is True and low >= 0))) or (
        _number(exclusive_low) and exclusive_low >= 0  # 3.1: a number; 3.0: a boolean
    )
    if not low_ok:
        yield Violation(at(doc, schema, "minimum"), "`limit` has no `minimum` of at least 1")
    high = schema.get("maximum")
    if not _number(high) and not _number(schema.get("exclusiveMaximum")):
        yield Violation(doc.where(schema), "`limit` has no `maximum`", "add `maximum:` (e.g. 100)")
    default = schema.get("default")
    if _number(default) and ((_number(low) and default < low) or (_number(high) and default > high)):
        yield Violation(doc.where(schema, "default"), f"the default `limit` {default} is out of its bounds")


@rule(
    "collection-response-shape",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family="collections",
    summary="A collection page is `{items: [...], nextCursor: string | null}`, both required.",
    rationale="""
One page shape for every collection lets clients, generated code and the gateway paginate
generically: `items` holds the page, `nextCursor` the cursor of the next page or `null` on the last
one. Both are required, so a client can tell the last page from a truncated response, and the
object leaves room for later additions that a bare JSON array would not.
""",
    good="""
OrderPage:
  type: object
  required: [items, nextCursor]
  properties:
    items: {type: array, items: {$ref: '#/components/schemas/Order'}}
    nextCursor: {type: [string, 'null']}
""",
    bad="""
OrderPage:
  type: array
  items: {$ref: '#/components/schemas/Order'}
""",
)
def collection_response_shape(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    seen: set[int] = set()
    for _op, schema in collection_reads(doc):
        if schema is None or id(schema) in seen or is_unresolved(schema):
            continue
        seen.add(id(schema))
        if _is_array(schema):
            yield Violation(
                doc.where(schema),
                "a collection page is a bare array",
                "return an object {items: [...], nextCursor: string | null}",
            )
            continue
        yield from _page_violations(doc, schema)


def _page_violations(doc: Document, schema: dict[str, Any]) -> Iterator[Violation]:
    properties = object_properties(schema)
    required = required_names(schema)
    for name in ("items", "nextCursor"):
        if name not in properties:
            yield Violation(doc.where(schema), f"the collection page has no `{name}` property")
            continue
        prop = properties[name]
        owner = property_owner(schema, name)

        def where(owner: Any = owner, name: str = name) -> Location:  # located only when reported
            return doc.where(owner, name) if owner is not None else doc.where(schema)

        if name == "items" and not _is_array(prop):
            yield Violation(where(), "`items` of a collection page is not an array")
        if name == "nextCursor" and isinstance(prop, dict) and "$ref" not in prop:
            if "string" not in schema_types(prop) and not _has_string_option(prop):
                yield Violation(where(), "`nextCursor` is not a string")
            elif not is_nullable(prop):
                yield Violation(where(), "`nextCursor` is not nullable (null marks the last page)")
        if name not in required:
            yield Violation(at(doc, schema, "required"), f"`{name}` of the collection page is not required")


def _has_string_option(schema: dict[str, Any]) -> bool:
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and any("string" in schema_types(o) for o in options):
            return True
    return False


@rule(
    "no-offset-pagination",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family="collections",
    summary="No `offset` or `page` query parameters: collections paginate with cursors.",
    rationale="""
Offset pagination skips or repeats items whenever the collection changes between two requests,
and the database still reads every skipped row, so deep pages get slower. Collections paginate with
an opaque `cursor` (see `collection-cursor-pagination`); `offset`, `page` and `pageNumber`
parameters are reported.
""",
    good="""
parameters:
- {name: cursor, in: query, schema: {type: string}}
""",
    bad="""
parameters:
- {name: offset, in: query, schema: {type: integer}}
""",
)
def no_offset_pagination(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    seen: set[int] = set()
    for op in operations(doc):
        for param in parameters(doc, op):
            if id(param) in seen:
                continue
            seen.add(id(param))
            name = str(param.get("name", ""))
            if param.get("in") == "query" and name.lower().replace("_", "").replace("-", "") in OFFSET_NAMES:
                yield Violation(
                    doc.where(param),
                    f"query parameter `{name}` paginates by offset",
                    "paginate with `limit` and an opaque `cursor`",
                )
