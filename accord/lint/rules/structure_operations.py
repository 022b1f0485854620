"""Structure: operations are identified, documented, tagged and say what success looks like."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from accord.lint._structure_helpers import OperationId, corpus_of, operation_ids, where_text
from accord.lint.registry import BOTH, OPENAPI, RuleContext, Violation, rule
from accord.loader import Document
from accord.model import Location, Severity
from accord.spec import iter_async_operations, iter_operations

FAMILY = "structure"


def _text(node: Any, key: str) -> bool:
    value = node.get(key) if isinstance(node, dict) else None
    return isinstance(value, str) and bool(value.strip())


@rule(
    "operation-operationid",
    severity=Severity.ERROR,
    applies_to=BOTH,
    family=FAMILY,
    summary="Every operation has an `operationId`.",
    rationale="""
The `operationId` names the operation in generated clients and servers, in changelogs, in the
gateway's metrics and in `Prefer`-driven mocks; without one each tool invents its own name from the
path, and renaming a path renames the method. OpenAPI 3.1 §4.8.10 (Operation Object) makes it
optional but requires it to be unique when present; AsyncAPI 2.6 (`operationId`) likewise. AsyncAPI
3.0 operations are keyed by their id, so only OpenAPI and AsyncAPI 2.x documents can omit it.
""",
    good="""
paths:
  /v1/orders:
    get:
      operationId: listSalesOrders
""",
    bad="""
paths:
  /v1/orders:
    get:
      summary: List sales orders
""",
)
def operation_operationid(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    if doc.kind == "openapi":
        for op in iter_operations(doc):
            if not _text(op.node, "operationId"):
                yield Violation(
                    doc.where(op.node),
                    f"{op.key} has no `operationId`",
                    "add a camelCase `operationId` such as `getSalesOrder`",
                )
    elif doc.version.startswith("2."):
        for aop in iter_async_operations(doc):
            if not _text(aop.node, "operationId"):
                yield Violation(
                    doc.where(aop.node), f"{aop.key} has no `operationId`", "add a camelCase `operationId`"
                )


@rule(
    "operation-operationid-unique",
    severity=Severity.ERROR,
    applies_to=BOTH,
    family=FAMILY,
    summary="Operation ids are unique across every contract of the catalogue.",
    rationale="""
OpenAPI requires `operationId` to be unique among all operations of an API (OAS 3.1 §4.8.10) and
AsyncAPI 3.0 operation ids are unique within a document. Accord goes further: generated SDKs, the
gateway's metrics, the catalogue and the changelog address operations by id across every domain, so
an id is unique across the whole catalogue, OpenAPI and AsyncAPI alike. Each repetition is reported
with the place that uses the id first.
""",
    good="""
# orders/openapi.yaml
operationId: getSalesOrder
# invoices/openapi.yaml
operationId: getInvoice
""",
    bad="""
# orders/openapi.yaml
operationId: getDocument
# invoices/openapi.yaml
operationId: getDocument
""",
)
def operation_operationid_unique(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    first: dict[str, OperationId] = {}
    written_in: dict[tuple[str, str], int] = {}
    mine = {id(entry) for entry in operation_ids(doc)}
    for index, member in enumerate(corpus_of(doc, ctx)):
        for entry in operation_ids(member):
            # One written operation reached from two documents (through a shared file) is one
            # operation; reached twice within a document it is two.
            if written_in.setdefault(entry.written, index) != index:
                continue
            earlier = first.setdefault(entry.value, entry)
            if earlier is entry or id(entry) not in mine:
                continue
            yield Violation(
                entry.location,
                f"operation id `{entry.value}` of {entry.label} is already used by {earlier.label} "
                f"in {earlier.written[0]}",
                f"first used at {where_text(earlier.location)}; give this operation its own id",
            )


@rule(
    "operation-summary",
    severity=Severity.WARN,
    applies_to=BOTH,
    family=FAMILY,
    summary="Every operation has a `summary`.",
    rationale="""
The summary is the one-line name of the operation in documentation portals, generated client
docstrings, the catalogue and changelogs (OAS 3.1 §4.8.10, AsyncAPI 3.0 Operation Object). An
operation without one is listed by its path, which says how to call it but not what it does.
""",
    good="""
get:
  operationId: getSalesOrder
  summary: Get a sales order
""",
    bad="""
get:
  operationId: getSalesOrder
""",
)
def operation_summary(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for node, key in _operations(doc):
        if not _text(node, "summary"):
            yield Violation(doc.where(node), f"{key} has no `summary`", "add a one-line `summary`")


@rule(
    "operation-description",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family=FAMILY,
    summary="Every operation has a `description`.",
    rationale="""
The description explains behaviour the schema cannot: side effects, state transitions, which events
are published, idempotency and ordering guarantees (OAS 3.1 §4.8.10 `description`, CommonMark).
Consumers integrating against the contract read it before they read the schemas. (AsyncAPI
operations are described by their channel and message; the house style asks them for a summary.)
""",
    good="""
post:
  operationId: cancelSalesOrder
  description: Cancels an order that has not shipped; publishes order.cancelled.
""",
    bad="""
post:
  operationId: cancelSalesOrder
  summary: Cancel a sales order
""",
)
def operation_description(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in iter_operations(doc):
        if not _text(op.node, "description"):
            yield Violation(
                doc.where(op.node),
                f"{op.key} has no `description`",
                "describe behaviour, side effects and the events it publishes",
            )


def _operations(doc: Document) -> Iterator[tuple[dict[str, Any], str]]:
    if doc.kind == "openapi":
        for op in iter_operations(doc):
            yield op.node, op.key
    else:
        for aop in iter_async_operations(doc):
            yield aop.node, (f"operation `{aop.id}`" if not doc.version.startswith("2.") else aop.key)


@rule(
    "operation-tags",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family=FAMILY,
    summary="Every operation has exactly one tag (option `max`, default 1).",
    rationale="""
Tags group operations in documentation and, in Accord, decide the generated router module and
client class of each operation: an untagged operation lands in a catch-all module and an operation
with two tags is generated twice. Option `max` (default 1) raises the limit for APIs that use tags
as cross-cutting labels (OAS 3.1 §4.8.10 `tags`).
""",
    good="""
get:
  operationId: getSalesOrder
  tags: [Sales Orders]
""",
    bad="""
get:
  operationId: getSalesOrder
  tags: [Sales Orders, Customers]
""",
)
def operation_tags(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    limit = ctx.options.get("max", 1)
    limit = limit if isinstance(limit, int) and not isinstance(limit, bool) and limit >= 1 else 1
    for op in iter_operations(doc):
        tags = op.node.get("tags")
        if not isinstance(tags, list) or not tags:
            yield Violation(doc.where(op.node), f"{op.key} has no tag", "add the tag of its resource")
        elif len(tags) > limit:
            allowed = "one tag" if limit == 1 else f"at most {limit} tags"
            yield Violation(
                doc.where(tags),
                f"{op.key} has {len(tags)} tags; it should have {allowed}",
                "keep the tag of the resource the operation belongs to",
            )


def _declared_tags(doc: Document) -> list[dict[str, Any]]:
    tags = doc.data.get("tags") if isinstance(doc.data, dict) else None
    return [tag for tag in tags if isinstance(tag, dict)] if isinstance(tags, list) else []


@rule(
    "tags-defined",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family=FAMILY,
    summary="Every tag an operation uses is declared in the top-level `tags`.",
    rationale="""
Top-level `tags` (OAS 3.1 §4.8.1 OpenAPI Object, §4.8.22 Tag Object) give each tag its
description and its order in documentation. An undeclared tag has neither, and is most often a
typo that splits one resource's operations over two generated modules.
""",
    good="""
tags:
- name: Sales Orders
  description: Sales order headers.
paths:
  /v1/orders:
    get:
      tags: [Sales Orders]
""",
    bad="""
tags:
- name: Sales Orders
paths:
  /v1/orders:
    get:
      tags: [SalesOrders]
""",
)
def tags_defined(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    declared = {tag.get("name") for tag in _declared_tags(doc)}
    for op in iter_operations(doc):
        tags = op.node.get("tags")
        if not isinstance(tags, list):
            continue
        for index, tag in enumerate(tags):
            if isinstance(tag, str) and tag not in declared:
                yield Violation(
                    doc.where(tags, index),
                    f"tag `{tag}` of {op.key} is not declared in the top-level `tags`",
                    f"declare `- name: {tag}` with a description under `tags`, or fix the spelling",
                )


@rule(
    "tag-description",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family=FAMILY,
    summary="Every declared tag has a `description`.",
    rationale="""
A tag stands for a resource or a capability; its description (OAS 3.1 §4.8.22 Tag Object) is the
introduction of that section in documentation portals and the docstring of the generated router.
""",
    good="""
tags:
- name: Sales Orders
  description: Sales order headers, submission and cancellation.
""",
    bad="""
tags:
- name: Sales Orders
""",
)
def tag_description(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    tags = doc.data.get("tags") if isinstance(doc.data, dict) else None
    for index, tag in enumerate(tags if isinstance(tags, list) else []):
        if isinstance(tag, dict) and not _text(tag, "description"):
            name = tag.get("name")
            label = f"tag `{name}`" if isinstance(name, str) else f"tag #{index + 1}"
            yield Violation(doc.where(tag), f"{label} has no `description`", "describe the tag")


def _info(doc: Document) -> Any:
    return doc.data.get("info") if isinstance(doc.data, dict) else None


def _info_where(doc: Document, info: Any) -> Location:
    return doc.where(info) if isinstance(info, dict) else doc.where(doc.data)


@rule(
    "info-description",
    severity=Severity.WARN,
    applies_to=BOTH,
    family=FAMILY,
    summary="`info.description` introduces the API or event stream.",
    rationale="""
`info.description` (OAS 3.1 §4.8.2 Info Object, AsyncAPI 3.0 Info Object) is the first thing a
consumer reads: which business capability the contract offers, who owns the data and where the
lifecycle of its resources begins and ends.
""",
    good="""
info:
  title: Sales Orders API
  version: 1.0.0
  description: Sales orders owned by the OMS, from capture to cancellation.
""",
    bad="""
info:
  title: Sales Orders API
  version: 1.0.0
""",
)
def info_description(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    info = _info(doc)
    if not _text(info, "description"):
        yield Violation(
            _info_where(doc, info), "`info.description` is missing", "describe what the API offers and owns"
        )


@rule(
    "info-contact",
    severity=Severity.WARN,
    applies_to=BOTH,
    family=FAMILY,
    summary="`info.contact` says how to reach the owning team (an `email` or a `url`).",
    rationale="""
Consumers need somebody to ask about the contract and to warn about incidents and deprecations. The
Contact Object (OAS 3.1 §4.8.3, AsyncAPI 3.0 Contact Object) must carry at least an `email` or a
`url`; a name alone reaches nobody.
""",
    good="""
info:
  contact:
    name: Order Management team
    email: order-management@acme-distribution.com
""",
    bad="""
info:
  contact:
    name: Order Management team
""",
)
def info_contact(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    info = _info(doc)
    contact = info.get("contact") if isinstance(info, dict) else None
    if not isinstance(contact, dict):
        yield Violation(
            _info_where(doc, info),
            "`info.contact` is missing",
            "add `contact:` with the owning team's email or url",
        )
    elif not (_text(contact, "email") or _text(contact, "url")):
        yield Violation(
            doc.where(contact), "`info.contact` has neither `email` nor `url`", "add an `email` or a `url`"
        )


@rule(
    "operation-success-response",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family=FAMILY,
    summary="Every operation documents at least one 2xx or 3xx response.",
    rationale="""
Without a success response a client cannot know what a successful call returns, code generators
produce methods returning nothing, and the gateway cannot validate responses. A `default` response
describes errors by convention and does not count (OAS 3.1 §4.8.16 Responses Object; status code
ranges such as `2XX` do).
""",
    good="""
responses:
  '200':
    description: The sales order.
  '404':
    $ref: ../common/responses.yaml#/NotFound
""",
    bad="""
responses:
  '404':
    $ref: ../common/responses.yaml#/NotFound
  default:
    $ref: ../common/responses.yaml#/Problem
""",
)
def operation_success_response(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in iter_operations(doc):
        responses = op.node.get("responses")
        if isinstance(responses, dict) and any(str(code)[:1] in ("2", "3") for code in responses):
            continue
        where = doc.where(op.node, "responses") if isinstance(responses, dict) else doc.where(op.node)
        yield Violation(
            where,
            f"{op.key} documents no 2xx or 3xx response",
            "document the success response (status, headers and body)",
        )
