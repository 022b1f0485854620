"""Structure: components are used, references are not decorated in vain, named schemas are described."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from accord.lint._structure_helpers import (
    COMPONENT_SECTIONS,
    corpus_of,
    file_key,
    is_non_schema_reference,
    is_schema_reference,
    live_components,
    named_schemas,
)
from accord.lint.registry import BOTH, RuleContext, Violation, rule
from accord.loader import Document
from accord.loader._pointer import child
from accord.model import Severity

FAMILY = "structure"

_SINGULAR = {
    "schemas": "schema",
    "parameters": "parameter",
    "responses": "response",
    "headers": "header",
    "examples": "example",
    "requestBodies": "request body",
    "messages": "message",
}


@rule(
    "no-unused-components",
    severity=Severity.WARN,
    applies_to=BOTH,
    family=FAMILY,
    summary="Every component is referenced by an operation, a channel or another used component.",
    rationale="""
An unused component (OAS 3.1 §4.8.7 Components Object, AsyncAPI 3.0 Components Object) is dead
contract: it is generated into models nobody uses, reviewed in every change and drifts from the
real payloads. A component counts as used when a `$ref` from any document of the catalogue reaches
it from outside the unused components (so a schema only another domain's events use is used, and
two unused components referencing each other are both unused). Checked: OpenAPI `schemas`,
`parameters`, `responses`, `headers`, `examples`, `requestBodies`; AsyncAPI `messages`, `schemas`.
""",
    good="""
paths:
  /v1/orders/{orderId}:
    get:
      responses:
        '200':
          content:
            application/json:
              schema: {$ref: '#/components/schemas/SalesOrder'}
components:
  schemas:
    SalesOrder: {type: object}
""",
    bad="""
components:
  schemas:
    LegacyOrder: {type: object}
""",
)
def no_unused_components(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    source = doc.source
    components = source.data.get("components") if isinstance(source.data, dict) else None
    if not isinstance(components, dict):
        return
    live = live_components(corpus_of(doc, ctx))
    here = file_key(source)
    for section in COMPONENT_SECTIONS[doc.kind]:
        members = components.get(section)
        if not isinstance(members, dict):
            continue
        for name in members:
            pointer = child(child("/components", section), name)
            if (here, pointer) not in live:
                yield Violation(
                    source.location(pointer),
                    f"component {_SINGULAR[section]} `{name}` is not referenced anywhere",
                    "reference it where it applies, or remove it",
                )


#: Siblings OpenAPI 3.1 allows beside `$ref` in a Reference Object (§4.8.23).
_REFERENCE_OVERRIDES = frozenset({"summary", "description"})
_SCHEMA_FIX = "wrap the reference as `allOf: [{$ref: ...}]` and keep the keys beside `allOf`"
_REFERENCE_FIX = "move the keys into the referenced object (or reference a component that has them)"
#: Tool directives read from the written file, not from the resolved node.
_DIRECTIVES = frozenset({"x-accord-ignore"})


@rule(
    "no-ref-siblings",
    severity=Severity.WARN,
    applies_to=BOTH,
    family=FAMILY,
    summary="No keys beside `$ref` where the specification ignores them.",
    rationale="""
In OpenAPI 3.0 (§4.7.23 Reference Object: "this object cannot be extended with additional
properties and any properties added SHALL be ignored"), in AsyncAPI 2.x/3.0 (Reference Object) and
in draft-07 schemas (§8.3), every key beside `$ref` is ignored, so a `description` or `nullable`
written there silently does nothing. OpenAPI 3.1 keeps the rule for Reference Objects except
`summary` and `description` (§4.8.23), while its schemas (JSON Schema 2020-12) do apply siblings of
`$ref`.
""",
    good="""
# OpenAPI 3.1
creditLimit:
  $ref: '../common/schemas.yaml#/Money'
  description: Approved credit limit.
""",
    bad="""
# OpenAPI 3.0
creditLimit:
  $ref: '../common/schemas.yaml#/Money'
  nullable: true
""",
)
def no_ref_siblings(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for site in doc.ref_sites:
        siblings = [key for key in site.siblings if key not in _DIRECTIVES]
        if not siblings:
            continue
        # A `$ref` means what the specification of the file it is written in says; shared fragments
        # (no `openapi`/`asyncapi` key) take the dialect of the document using them.
        kind, version = _dialect(site.file.data) or (doc.kind, doc.version)
        if kind == "openapi" and not version.startswith("3.0"):
            if not is_non_schema_reference(site.pointer, kind):
                continue
            siblings = [key for key in siblings if key not in _REFERENCE_OVERRIDES]
            if not siblings:
                continue
            why = "OpenAPI 3.1 Reference Objects only take `summary` and `description`"
        elif kind == "openapi":
            why = "OpenAPI 3.0 ignores every key beside `$ref`"
        else:
            why = "AsyncAPI (and its draft-07 schemas) ignores every key beside `$ref`"
        listed = ", ".join(f"`{key}`" for key in siblings)
        yield Violation(
            site.file.location(child(site.pointer, siblings[0])),
            f"{listed} beside `$ref` {'is' if len(siblings) == 1 else 'are'} ignored: {why}",
            _SCHEMA_FIX if is_schema_reference(site.pointer, kind) else _REFERENCE_FIX,
        )


def _dialect(data: Any) -> tuple[str, str] | None:
    if isinstance(data, dict):
        for kind in ("openapi", "asyncapi"):
            if kind in data:
                return kind, str(data[kind])
    return None


@rule(
    "component-description",
    severity=Severity.WARN,
    applies_to=BOTH,
    family=FAMILY,
    summary="Every named schema (component or shared fragment entry) has a `description`.",
    rationale="""
Named schemas become the classes of generated code and the entries of the data dictionary; their
description is the class docstring and the definition of the business concept (a `SalesOrder` as
the OMS means it). JSON Schema 2020-12 §9.1 `description`. Shared fragment entries
(`../common/schemas.yaml#/Money`) count as named schemas too. Aliases (a bare `$ref`) are judged
where their target is written.
""",
    good="""
components:
  schemas:
    SalesOrder:
      description: A customer's order for items, owned by the OMS.
      type: object
""",
    bad="""
components:
  schemas:
    SalesOrder:
      type: object
""",
)
def component_description(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for named in named_schemas(doc):
        raw = named.raw
        if not isinstance(raw, dict) or named.is_alias:
            continue
        value = raw.get("description")
        if isinstance(value, str) and value.strip():
            continue
        yield Violation(
            named.location, f"schema `{named.name}` has no `description`", "describe the business concept"
        )
