"""Naming: one casing per kind of name, and collection paths named by plural nouns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from accord.lint._naming_helpers import collection_segments, plural_problem
from accord.lint._structure_helpers import named_schemas, segments, template_names
from accord.lint.functions import (
    CAMEL_CASE,
    KEBAB_CASE,
    LOWER_SNAKE_CASE,
    PASCAL_CASE,
    iter_properties,
    schema_usage,
)
from accord.lint.registry import BOTH, OPENAPI, RuleContext, Violation, rule
from accord.loader import Document
from accord.model import Severity
from accord.spec import iter_operations

FAMILY = "naming"
#: Path segments that are names fixed by a standard rather than by the API (RFC 8615).
_STANDARD_SEGMENTS = frozenset({".well-known"})


def _words_option(ctx: RuleContext, name: str) -> frozenset[str]:
    value = ctx.options.get(name)
    if isinstance(value, str):
        value = [value]
    return frozenset(str(v).lower() for v in value) if isinstance(value, list) else frozenset()


def _names_option(ctx: RuleContext) -> frozenset[str]:
    value = ctx.options.get("allow")
    if isinstance(value, str):
        value = [value]
    return frozenset(str(v) for v in value) if isinstance(value, list) else frozenset()


def _paths(doc: Document) -> Iterator[tuple[dict[str, Any], str]]:
    paths = doc.data.get("paths") if isinstance(doc.data, dict) else None
    if isinstance(paths, dict):
        for path in paths:
            yield paths, str(path)


@rule(
    "path-segments-kebab-case",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family=FAMILY,
    summary="Static path segments are kebab-case (`/v1/price-lists`).",
    rationale="""
URLs are case-sensitive apart from scheme and host (RFC 3986 §6.2.2.1), so `/v1/priceLists` and
`/v1/pricelists` are different resources that humans confuse. Lower-case words joined by hyphens
read well, survive case-insensitive proxies and match the house style of every domain. Template
expressions and `.well-known` (RFC 8615) are not judged here.
""",
    good="""
paths:
  /v1/price-lists/{priceListId}: {}
""",
    bad="""
paths:
  /v1/priceLists/{priceListId}: {}
  /v1/price_lists: {}
""",
)
def path_segments_kebab_case(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for paths, path in _paths(doc):
        for segment in segments(path):
            if not segment or "{" in segment or segment in _STANDARD_SEGMENTS or KEBAB_CASE.match(segment):
                continue
            yield Violation(
                doc.where(paths, path),
                f"segment `{segment}` of `{path}` is not kebab-case",
                f"use lower-case words joined by hyphens, e.g. `{_kebab(segment)}`",
            )


def _kebab(segment: str) -> str:
    out: list[str] = []
    for index, char in enumerate(segment):
        if char.isupper() and index and segment[index - 1].isalnum() and not segment[index - 1].isupper():
            out.append("-")
        out.append("-" if char in "_ ." else char.lower())
    return "".join(out)


@rule(
    "path-segments-plural",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family=FAMILY,
    summary="Collection segments are plural nouns; the last segment after an id may be an action verb.",
    rationale="""
`/v1/orders` is the collection and `/v1/orders/{orderId}` one of its members; a singular collection
name (`/v1/order/{orderId}`) makes clients guess which of the two forms every domain uses. Judged:
a static segment followed by `{param}` and the last segment of a path. The last segment right after
a `{param}` may instead be a domain action whose first word is a verb (`/v1/orders/{orderId}/cancel`,
`place-credit-hold`). Plural means: ends in `s` but not `ss`/`us`/`is`, or an irregular plural;
uncountable nouns such as `inventory`, `fulfillment`, `data` pass. Options: `allow` (more
uncountable or singleton nouns) and `actions` (more verbs).
""",
    good="""
paths:
  /v1/orders/{orderId}/lines: {}
  /v1/orders/{orderId}/cancel: {}
  /v1/inventory-positions: {}
""",
    bad="""
paths:
  /v1/order/{orderId}: {}
  /v1/orders/{orderId}/line: {}
""",
)
def path_segments_plural(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    allow = _words_option(ctx, "allow")
    actions = _words_option(ctx, "actions")
    for paths, path in _paths(doc):
        for candidate in collection_segments(path):
            problem = plural_problem(candidate, allow, actions)
            if problem is not None:
                yield Violation(
                    doc.where(paths, path),
                    f"segment `{candidate.segment}` of `{path}` {problem}",
                    "use the plural noun of the resource, or list the word in the rule's `allow` "
                    "(nouns) or `actions` (verbs) option",
                )


@rule(
    "path-params-camel-case",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family=FAMILY,
    summary="Path parameter names are camelCase (`{orderId}`).",
    rationale="""
Path parameter names become argument names of generated clients and handlers, and the house style
names the identifier property like the parameter (`orderId` in the path and in the body). One
casing for every parameter keeps those names predictable across domains.
""",
    good="""
paths:
  /v1/orders/{orderId}: {}
""",
    bad="""
paths:
  /v1/orders/{order_id}: {}
""",
)
def path_params_camel_case(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for paths, path in _paths(doc):
        for name in template_names(path):
            if not CAMEL_CASE.match(name):
                yield Violation(
                    doc.where(paths, path),
                    f"path parameter `{{{name}}}` of `{path}` is not camelCase",
                    "rename it in the template and in its parameter declaration, e.g. `orderId`",
                )


@rule(
    "query-params-camel-case",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family=FAMILY,
    summary="Query parameter names are camelCase (`customerId`, `createdFrom`).",
    rationale="""
Query parameters name the same business fields as the properties of the resources they filter
(`customerId`, `status`), so they follow the same camelCase casing. Option `allow` lists names kept
for compatibility with other systems.
""",
    good="""
parameters:
- {name: customerId, in: query, schema: {type: string}}
""",
    bad="""
parameters:
- {name: customer_id, in: query, schema: {type: string}}
""",
)
def query_params_camel_case(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    allow = _names_option(ctx)
    seen: set[int] = set()
    for op in iter_operations(doc):
        for param in op.parameters:
            if id(param) in seen or param.get("in") != "query":
                continue
            seen.add(id(param))
            name = param.get("name")
            if isinstance(name, str) and name not in allow and not CAMEL_CASE.match(name):
                yield Violation(
                    doc.where(param, "name"), f"query parameter `{name}` is not camelCase", "rename it"
                )


@rule(
    "properties-camel-case",
    severity=Severity.WARN,
    applies_to=BOTH,
    family=FAMILY,
    summary="Schema property names are camelCase.",
    rationale="""
Property names are the field names of every generated model in every language; one casing across
the catalogue means a `customerId` is spelled the same in the orders API, the invoices API and every
event. CloudEvents attribute names (`specversion`, `datacontenttype`) are lower-case alphanumerics
and so are camelCase too. Option `allow` lists names kept for compatibility.
""",
    good="""
properties:
  customerPurchaseOrder: {type: string}
""",
    bad="""
properties:
  customer_purchase_order: {type: string}
""",
)
def properties_camel_case(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    allow = _names_option(ctx)
    for use, name, _ in iter_properties(doc):
        if name in allow or CAMEL_CASE.match(name):
            continue
        yield Violation(
            doc.where(use.node["properties"], name), f"property `{name}` is not camelCase", "rename it"
        )


def _async_ids(doc: Document) -> Iterator[tuple[str, str, Any, str]]:
    """(what, id, node, key) of AsyncAPI operation, channel and message ids (located on report only)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    if doc.version.startswith("2."):
        channels = data.get("channels")
        for channel in channels.values() if isinstance(channels, dict) else ():
            for verb in ("publish", "subscribe") if isinstance(channel, dict) else ():
                op = channel.get(verb)
                if isinstance(op, dict) and isinstance(op.get("operationId"), str):
                    yield "operationId", op["operationId"], op, "operationId"
        for message in _v2_messages(data):
            if isinstance(message.get("messageId"), str):
                yield "messageId", message["messageId"], message, "messageId"
        return
    for section, what in (("operations", "operation id"), ("channels", "channel id")):
        members = data.get(section)
        if isinstance(members, dict):
            for key, node in members.items():
                yield what, str(key), members, key
                messages = node.get("messages") if section == "channels" and isinstance(node, dict) else None
                if isinstance(messages, dict):
                    for name in messages:
                        yield "message id", str(name), messages, name
    components = data.get("components")
    messages = components.get("messages") if isinstance(components, dict) else None
    if isinstance(messages, dict):
        for name in messages:
            yield "message id", str(name), messages, name


def _v2_messages(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    components = data.get("components")
    messages = components.get("messages") if isinstance(components, dict) else None
    if isinstance(messages, dict):
        yield from (m for m in messages.values() if isinstance(m, dict))
    channels = data.get("channels")
    for channel in channels.values() if isinstance(channels, dict) else ():
        for verb in ("publish", "subscribe") if isinstance(channel, dict) else ():
            op = channel.get(verb)
            message = op.get("message") if isinstance(op, dict) else None
            if isinstance(message, dict):
                options = message.get("oneOf")
                if isinstance(options, list):
                    yield from (m for m in options if isinstance(m, dict))
                else:
                    yield message


@rule(
    "operationid-camel-case",
    severity=Severity.WARN,
    applies_to=BOTH,
    family=FAMILY,
    summary="operationIds and AsyncAPI operation, channel and message ids are camelCase.",
    rationale="""
Ids become method and type names in generated clients, servers and event handlers in every
language; camelCase (`getSalesOrder`, `publishOrderSubmitted`) maps cleanly to each language's
convention, where `orders/get` or `get-order` must be mangled differently by every generator.
""",
    good="""
paths:
  /v1/orders/{orderId}:
    get:
      operationId: getSalesOrder
""",
    bad="""
paths:
  /v1/orders/{orderId}:
    get:
      operationId: get-sales-order
""",
)
def operationid_camel_case(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    if doc.kind == "openapi":
        for op in iter_operations(doc):
            value = op.operation_id
            if value is not None and not CAMEL_CASE.match(value):
                yield Violation(
                    doc.where(op.node, "operationId"),
                    f"operationId `{value}` of {op.key} is not camelCase",
                    "rename it, e.g. `getSalesOrder`",
                )
        return
    for what, value, node, key in _async_ids(doc):
        if not CAMEL_CASE.match(value):
            yield Violation(
                doc.where(node, key), f"{what} `{value}` is not camelCase", "rename it, e.g. `orderSubmitted`"
            )


@rule(
    "enum-values-snake-case",
    severity=Severity.WARN,
    applies_to=BOTH,
    family=FAMILY,
    summary="String enum values are lower_snake_case (`credit_hold`).",
    rationale="""
Enum values are compared by every consumer and become constant names in generated code; a single
casing (`partially_shipped`, not `PartiallyShipped` or `PARTIALLY-SHIPPED`) avoids case-sensitive
mismatches between systems. Codes defined by an external standard (ISO 4217 currencies, UN/ECE
units) are better written as `pattern`s than enums; option `allow` lists values kept as they are.
""",
    good="""
status:
  type: string
  enum: [draft, credit_hold, partially_shipped]
""",
    bad="""
status:
  type: string
  enum: [Draft, CREDIT_HOLD, partially-shipped]
""",
)
def enum_values_snake_case(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    allow = _names_option(ctx)
    for use in schema_usage(doc).values():
        values = use.node.get("enum")
        if not isinstance(values, list):
            continue
        for index, value in enumerate(values):
            if isinstance(value, str) and value not in allow and not LOWER_SNAKE_CASE.match(value):
                yield Violation(
                    doc.where(values, index),
                    f"enum value `{value}` is not lower_snake_case",
                    "use lower-case words joined by underscores",
                )


@rule(
    "schema-names-pascal-case",
    severity=Severity.WARN,
    applies_to=BOTH,
    family=FAMILY,
    summary="Named schemas (components and shared fragment entries) are PascalCase.",
    rationale="""
Schema names become class and type names in generated code; PascalCase (`SalesOrder`,
`CloudEventEnvelope`) is the type-name convention of nearly every target language, so generators
need not rename and the name in the contract is the name in the code.
""",
    good="""
components:
  schemas:
    SalesOrder: {type: object, description: A sales order.}
""",
    bad="""
components:
  schemas:
    sales-order: {type: object, description: A sales order.}
""",
)
def schema_names_pascal_case(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for named in named_schemas(doc):
        if not PASCAL_CASE.match(named.name):
            yield Violation(named.location, f"schema name `{named.name}` is not PascalCase", "rename it")
