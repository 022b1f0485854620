"""Writes: idempotent creates, 201 + Location, optimistic concurrency with ETag/If-Match, merge patch."""

from __future__ import annotations

from collections.abc import Iterator

from accord.lint._http_helpers import (
    ACTION,
    COLLECTION,
    ITEM,
    at,
    documents,
    find_parameter,
    is_unresolved,
    media_essence,
    operations,
    parameters,
    path_kind,
    response_header,
    responses_of,
)
from accord.lint.registry import OPENAPI, RuleContext, Violation, rule
from accord.loader import Document
from accord.model import Location, Severity
from accord.spec import Operation

IDEMPOTENCY_KEY = "Idempotency-Key"
MERGE_PATCH = "application/merge-patch+json"


def _posts(doc: Document, kind: str) -> Iterator[Operation]:
    for op in operations(doc):
        if op.method == "post" and path_kind(doc, op.path, op.path_item) == kind:
            yield op


def _parameters_site(doc: Document, op: Operation) -> Location:
    return at(doc, op.node, "parameters")


@rule(
    "create-idempotency-key",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family="writes",
    summary="A create (`POST` to a collection) requires the `Idempotency-Key` header.",
    rationale="""
POST is neither safe nor idempotent (RFC 9110 §9.2.2): when a create times out, the client cannot
know whether the resource exists, and a blind retry creates a duplicate order or payment. With a
client-chosen `Idempotency-Key` header (IETF draft-ietf-httpapi-idempotency-key-header) the server
answers a retry with the original result. A create is a POST to a collection path: its last
segment is static and it is not an action on a resource (see `action-idempotency-key`).
""",
    good="""
/v1/orders:
  post:
    parameters:
    - {name: Idempotency-Key, in: header, required: true, schema: {type: string}}
""",
    bad="""
/v1/orders:
  post:
    parameters: []
""",
)
def create_idempotency_key(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in _posts(doc, COLLECTION):
        param = find_parameter(parameters(doc, op), IDEMPOTENCY_KEY, "header")
        if param is None:
            yield Violation(
                _parameters_site(doc, op),
                f"{op.key} creates a resource but does not accept the `{IDEMPOTENCY_KEY}` header",
                "reference the shared IdempotencyKey parameter",
            )
        elif param.get("required") is not True:
            yield Violation(
                at(doc, param, "required"),
                f"the `{IDEMPOTENCY_KEY}` header of a create must be `required: true`",
            )


@rule(
    "action-idempotency-key",
    severity=Severity.INFO,
    applies_to=[OPENAPI],
    family="writes",
    summary="A domain action (`POST /v1/orders/{orderId}/cancel`) accepts the `Idempotency-Key` header.",
    rationale="""
Actions are POSTs too, and a retried `submit` or `dispatch` may have effects twice. Many actions
are naturally idempotent state transitions, though — cancelling a cancelled order returns it
unchanged — so this rule is advice and is not in the `recommended` ruleset: enable it (or run with
`extends: all`) where actions have side effects a retry must not repeat. An action is a POST to a
static segment right after a path parameter, on a path that has no items of its own and no GET.
""",
    good="""
/v1/orders/{orderId}/submit:
  post:
    parameters:
    - {name: Idempotency-Key, in: header, schema: {type: string}}
""",
    bad="""
/v1/orders/{orderId}/submit:
  post:
    parameters: []
""",
    recommended=False,
)
def action_idempotency_key(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in _posts(doc, ACTION):
        if find_parameter(parameters(doc, op), IDEMPOTENCY_KEY, "header") is None:
            yield Violation(
                _parameters_site(doc, op),
                f"action {op.key} does not accept the `{IDEMPOTENCY_KEY}` header",
                "accept it when a retried action must not take effect twice",
            )


@rule(
    "create-201-location",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family="writes",
    summary="A create answers `201 Created` with a `Location` header.",
    rationale="""
`201 Created` (RFC 9110 §15.3.2) tells the client a resource was created and its `Location`
header (§10.2.2) where to find it, so the client never has to build URLs itself. A create that
answers `200` or omits `Location` leaves the client guessing whether and where something exists.
""",
    good="""
post:
  responses:
    '201':
      description: Created.
      headers:
        Location: {schema: {type: string, format: uri-reference}}
""",
    bad="""
post:
  responses:
    '200':
      description: Created.
""",
)
def create_201_location(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in _posts(doc, COLLECTION):
        responses = responses_of(op)
        created = responses.get("201")
        if "201" in responses and (not isinstance(created, dict) or is_unresolved(created)):
            continue  # malformed or unresolved: structural validation reports it
        if not isinstance(created, dict):
            yield Violation(
                at(doc, op.node, "responses"),
                f"{op.key} creates a resource but does not document 201 Created",
            )
        elif response_header(created, "Location") is None:
            yield Violation(
                doc.where(created),
                f"{op.key}: the 201 response does not declare a `Location` header",
                "reference the shared Location header",
            )


@rule(
    "create-201-links",
    severity=Severity.INFO,
    applies_to=[OPENAPI],
    family="writes",
    summary="The `201` response of a create declares `links` to the read operation.",
    rationale="""
OpenAPI Link Objects (OpenAPI 3.1 §4.8.20) state how the created resource's identifier feeds the
read operation (`orderId: $response.body#/orderId` into `getSalesOrder`), which documentation,
test tools and generated clients follow. Advice: the `Location` header already gives the URL.
""",
    good="""
'201':
  links:
    getSalesOrder:
      operationId: getSalesOrder
      parameters: {orderId: $response.body#/orderId}
""",
    bad="""
'201':
  description: Created.
""",
)
def create_201_links(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in _posts(doc, COLLECTION):
        created = responses_of(op).get("201")
        if (
            isinstance(created, dict)
            and not is_unresolved(created)
            and not (isinstance(created.get("links"), dict) and created["links"])
        ):
            yield Violation(
                doc.where(created),
                f"{op.key}: the 201 response declares no `links` to read the created resource",
            )


@rule(
    "patch-if-match",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family="writes",
    summary="PATCH requires the `If-Match` header and documents `412 Precondition Failed`.",
    rationale="""
Two clients that read, change and write the same resource overwrite each other's changes unless
updates are conditional: the client sends the `ETag` it read in `If-Match` (RFC 9110 §13.1.1) and
the server answers `412 Precondition Failed` (§15.5.13) when the resource changed meanwhile.
Requiring the header (`required: true`; a server may enforce it with `428`, RFC 6585 §3) makes
lost updates impossible rather than unlikely.
""",
    good="""
patch:
  parameters:
  - {name: If-Match, in: header, required: true, schema: {type: string}}
  responses:
    '412': {$ref: '#/components/responses/PreconditionFailed'}
""",
    bad="""
patch:
  parameters: []
  responses:
    '200': {description: Updated.}
""",
)
def patch_if_match(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in operations(doc):
        if op.method != "patch":
            continue
        param = find_parameter(parameters(doc, op), "If-Match", "header")
        if param is None:
            yield Violation(
                _parameters_site(doc, op),
                f"{op.key} does not require the `If-Match` header",
                "reference the shared IfMatch parameter",
            )
        elif param.get("required") is not True:
            yield Violation(
                at(doc, param, "required"), "the `If-Match` header of a PATCH must be `required: true`"
            )
        if not documents(responses_of(op), "412"):
            yield Violation(
                at(doc, op.node, "responses"),
                f"{op.key} does not document 412 Precondition Failed",
                "reference the shared PreconditionFailed response",
            )


@rule(
    "patch-merge-patch",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family="writes",
    summary="PATCH request bodies are `application/merge-patch+json` (RFC 7396).",
    rationale="""
PATCH applies a *patch document* whose format the media type defines (RFC 5789 §2); a plain
`application/json` body does not say how it applies (replace? merge? what does `null` mean?).
JSON Merge Patch (RFC 7396) is the house format: the body looks like the resource, members present
are set, `null` removes. Other media types of a PATCH body are reported.
""",
    good="""
patch:
  requestBody:
    content:
      application/merge-patch+json:
        schema: {$ref: '#/components/schemas/OrderPatch'}
""",
    bad="""
patch:
  requestBody:
    content:
      application/json:
        schema: {$ref: '#/components/schemas/OrderPatch'}
""",
)
def patch_merge_patch(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in operations(doc):
        if op.method != "patch":
            continue
        body = op.node.get("requestBody")
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, dict):
            continue
        for media_type in content:
            if media_essence(media_type) != MERGE_PATCH:
                yield Violation(
                    doc.where(content, media_type),
                    f"{op.key} takes `{media_type}`, not `{MERGE_PATCH}`",
                    f"use `{MERGE_PATCH}` (RFC 7396)",
                )


@rule(
    "read-etag-header",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family="writes",
    summary="A read of one resource (`GET /v1/orders/{orderId}`) answers `200` with an `ETag` header.",
    rationale="""
The `ETag` of a representation (RFC 9110 §8.8.3) is what a client sends back in `If-Match` to
update it safely, and in `If-None-Match` to revalidate a cached copy (§13.1.2) — without it, the
conditional updates `patch-if-match` requires cannot be made. The item is identified by the last
path segment being a parameter.
""",
    good="""
/v1/orders/{orderId}:
  get:
    responses:
      '200':
        headers:
          ETag: {$ref: '../common/headers.yaml#/ETag'}
""",
    bad="""
/v1/orders/{orderId}:
  get:
    responses:
      '200': {description: The order.}
""",
)
def read_etag_header(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in operations(doc):
        if op.method != "get" or path_kind(doc, op.path, op.path_item) != ITEM:
            continue
        ok = responses_of(op).get("200")
        if isinstance(ok, dict) and not is_unresolved(ok) and response_header(ok, "ETag") is None:
            yield Violation(
                doc.where(ok),
                f"{op.key}: the 200 response does not declare an `ETag` header",
                "reference the shared ETag header",
            )
