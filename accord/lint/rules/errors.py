"""Errors: problem details (RFC 9457) for every error, Retry-After on 429/503, documented rate limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from accord.lint._http_helpers import (
    at,
    documents,
    is_status,
    is_unresolved,
    media_essence,
    object_properties,
    operations,
    property_owner,
    rate_limit,
    response_header,
    responses_of,
)
from accord.lint.registry import OPENAPI, RuleContext, Violation, rule
from accord.loader import Document
from accord.model import Severity
from accord.spec.schema import schema_types

PROBLEM_JSON = "application/problem+json"
PROBLEM_MEDIA_TYPES = frozenset({PROBLEM_JSON, "application/problem+xml"})
# RFC 9457 §3.1 members and the JSON type each one has.
PROBLEM_FIELDS = {
    "type": "string",
    "title": "string",
    "status": "integer",
    "detail": "string",
    "instance": "string",
}


def _is_error(code: str) -> bool:
    return code[:1] in ("4", "5") and is_status(code)


@rule(
    "error-responses-problem-json",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family="errors",
    summary="Every 4xx/5xx response has an `application/problem+json` body (RFC 9457).",
    rationale="""
Clients handle errors in one place only if every error has the same shape: the problem details
object of RFC 9457 §3, served as `application/problem+json` (§6.1). A 4xx/5xx response whose
content is another media type, or that has no content at all, leaves the client with nothing to
show or log (responses to HEAD have no body and are not judged). A `default` response is judged
on its media types only.
""",
    good="""
'404':
  description: Not found.
  content:
    application/problem+json:
      schema: {$ref: '#/components/schemas/Problem'}
""",
    bad="""
'404':
  description: Not found.
  content:
    application/json:
      schema: {$ref: '#/components/schemas/Error'}
""",
)
def error_responses_problem_json(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    seen: set[tuple[int, str]] = set()
    for op in operations(doc):
        for code, response in responses_of(op).items():
            code = str(code)
            if not isinstance(response, dict) or is_unresolved(response):
                continue
            if code != "default" and not _is_error(code):
                continue
            key = (id(response), code)
            if key in seen:
                continue
            content = response.get("content")
            if not isinstance(content, dict) or not content:
                if code == "default" or op.method == "head":
                    continue
                seen.add(key)
                yield Violation(
                    doc.where(response),
                    f"{code} response has no body: errors are `{PROBLEM_JSON}` documents",
                    "reference a shared problem response",
                )
                continue
            seen.add(key)
            for media_type in content:
                if media_essence(media_type) not in PROBLEM_MEDIA_TYPES:
                    yield Violation(
                        doc.where(content, media_type),
                        f"{code} response is `{media_type}`, not `{PROBLEM_JSON}`",
                        f"serve errors as `{PROBLEM_JSON}` with the Problem schema",
                    )


@rule(
    "retry-after-header",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family="errors",
    summary="`429` and `503` responses declare a `Retry-After` header.",
    rationale="""
`Retry-After` (RFC 9110 §10.2.3) tells a client how long to wait before retrying after `429 Too
Many Requests` (RFC 6585 §4) or `503 Service Unavailable` (RFC 9110 §15.6.4). Without it, clients
guess, and guessing clients retry at once and make an overload worse. The gateway sends it; the
contract must say so.
""",
    good="""
'429':
  description: Too many requests.
  headers:
    Retry-After: {schema: {type: integer, minimum: 0}}
""",
    bad="""
'429':
  description: Too many requests.
""",
)
def retry_after_header(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    seen: set[int] = set()
    for op in operations(doc):
        responses = responses_of(op)
        for code in ("429", "503"):
            response = responses.get(code)
            if not isinstance(response, dict) or is_unresolved(response) or id(response) in seen:
                continue
            seen.add(id(response))
            if response_header(response, "Retry-After") is None:
                yield Violation(
                    doc.where(response),
                    f"{code} response does not declare a `Retry-After` header",
                    "add `Retry-After` under `headers` (seconds to wait)",
                )


@rule(
    "rate-limited-operation-429",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family="errors",
    summary="An operation covered by `x-accord-rate-limit` documents `429`.",
    rationale="""
The gateway answers `429 Too Many Requests` (RFC 6585 §4) once a caller exceeds the operation's
`x-accord-rate-limit` — its own or the document's default. A response the implementation produces
belongs in the contract, so every rate-limited operation documents `429` (a `4XX` range counts).
""",
    good="""
x-accord-rate-limit: {limit: 600, window: 60, key: client}
paths:
  /v1/orders:
    get:
      responses:
        '429': {$ref: '#/components/responses/TooManyRequests'}
""",
    bad="""
x-accord-rate-limit: {limit: 600, window: 60, key: client}
paths:
  /v1/orders:
    get:
      responses:
        '200': {description: OK}
""",
)
def rate_limited_operation_429(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in operations(doc):
        if not isinstance(rate_limit(doc, op), dict):
            continue
        if not documents(responses_of(op), "429"):
            yield Violation(
                at(doc, op.node, "responses"),
                f"{op.key} is rate limited but does not document 429",
                "reference the shared TooManyRequests response",
            )


def _problem_schemas(doc: Document) -> Iterator[dict[str, Any]]:
    seen: set[int] = set()
    for op in operations(doc):
        for response in responses_of(op).values():
            content = response.get("content") if isinstance(response, dict) else None
            if not isinstance(content, dict):
                continue
            for media_type, media in content.items():
                if media_essence(media_type) != PROBLEM_JSON or not isinstance(media, dict):
                    continue
                schema = media.get("schema")
                if isinstance(schema, dict) and id(schema) not in seen and not is_unresolved(schema):
                    seen.add(id(schema))
                    yield schema


@rule(
    "problem-schema-fields",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family="errors",
    summary="Problem schemas declare `type`, `title`, `status`, `detail` and `instance` with their types.",
    rationale="""
RFC 9457 §3.1 defines the members of a problem details object: `type` (a URI reference), `title`,
`status` (the HTTP status code, a number), `detail` and `instance` (a URI reference). A schema
served as `application/problem+json` declares all five, with the JSON types the RFC gives them,
so clients and generated code can rely on them; extension members (§3.2) may be added freely.
""",
    good="""
Problem:
  type: object
  properties:
    type: {type: string, format: uri-reference}
    title: {type: string}
    status: {type: integer}
    detail: {type: string}
    instance: {type: string, format: uri-reference}
""",
    bad="""
Problem:
  type: object
  properties:
    code: {type: string}
    message: {type: string}
""",
)
def problem_schema_fields(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for schema in _problem_schemas(doc):
        properties = object_properties(schema)
        missing = [name for name in PROBLEM_FIELDS if name not in properties]
        if missing:
            yield Violation(
                doc.where(schema),
                f"problem schema does not declare {', '.join(f'`{m}`' for m in missing)} (RFC 9457 §3.1)",
            )
        for name, expected in PROBLEM_FIELDS.items():
            types = schema_types(properties.get(name))
            if not types or expected in types or (expected == "integer" and "number" in types):
                continue
            owner = property_owner(schema, name)
            yield Violation(
                doc.where(owner, name) if owner is not None else doc.where(schema),
                f"problem member `{name}` is {'/'.join(sorted(types))}, not {expected} (RFC 9457 §3.1)",
            )


@rule(
    "validated-operation-400",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family="errors",
    summary="An operation that takes parameters or a body documents `400`.",
    rationale="""
Requests are validated against the contract (by the gateway, a mock or the implementation), and a
request that does not conform is answered `400 Bad Request` with a problem document listing each
violation (RFC 9110 §15.5.1, RFC 9457). A response the API produces belongs in the contract, or
contract tests report it as undocumented; any operation with parameters or a request body can
receive a malformed one. A `4XX` range or a `default` response counts.
""",
    good="""
paths:
  /v1/orders/{orderId}:
    get:
      parameters: [{name: orderId, in: path, required: true, schema: {type: string}}]
      responses:
        '400': {$ref: '#/components/responses/BadRequest'}
""",
    bad="""
paths:
  /v1/orders/{orderId}:
    get:
      parameters: [{name: orderId, in: path, required: true, schema: {type: string}}]
      responses:
        '200': {description: The order.}
""",
)
def validated_operation_400(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in operations(doc):
        takes_input = bool(op.parameters) or isinstance(op.node.get("requestBody"), dict)
        responses = responses_of(op)
        if not takes_input or "default" in responses:
            continue
        if not documents(responses, "400"):
            yield Violation(
                at(doc, op.node, "responses"),
                f"{op.key} takes input but does not document 400 for requests that fail validation",
                "reference the shared BadRequest response",
            )
