"""Descriptors of the structural checks ``accord lint`` reports next to the registry's rules.

``structure`` and ``unresolved-ref`` come from :func:`accord.validation.validate_document`, not from
the lint registry; they always have severity ``error`` and cannot be configured in ``accord.yaml``.
They are described here so that SARIF, ``accord rules`` and the rule catalogue list them too.
"""

from __future__ import annotations

from accord.model import Severity
from accord.report import RuleInfo

STRUCTURE = RuleInfo(
    id="structure",
    severity=Severity.ERROR,
    family="validation",
    summary="The document is a well-formed OpenAPI 3.0/3.1 or AsyncAPI 2.6/3.0 document.",
    rationale=(
        "Every other check, the code generators and the gateway assume a document that follows its "
        "specification. OpenAPI documents are checked against the OpenAPI Initiative's JSON Schemas; "
        "fragments pulled in through `$ref` are checked as the kind of object they are referenced as."
    ),
    bad="openapi: 3.1.0\ninfo:\n  title: Orders API\npaths: {}",
    good="openapi: 3.1.0\ninfo:\n  title: Orders API\n  version: 1.0.0\npaths: {}",
)

UNRESOLVED_REF = RuleInfo(
    id="unresolved-ref",
    severity=Severity.ERROR,
    family="validation",
    summary="Every `$ref` resolves to a node inside the contract root.",
    rationale=(
        "A dangling reference leaves a hole in the contract: consumers and tools cannot tell what the "
        "referenced schema, parameter or response is. Remote references are refused unless asked for."
    ),
    bad="schema:\n  $ref: '../common/schemas.yaml#/Mony'",
    good="schema:\n  $ref: '../common/schemas.yaml#/Money'",
)

VALIDATION_RULES: dict[str, RuleInfo] = {STRUCTURE.id: STRUCTURE, UNRESOLVED_REF.id: UNRESOLVED_REF}
