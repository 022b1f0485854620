"""The versioning, security, errors, writes and collections families as a whole: robust on documents
as found in the wild, clean on our own contracts, and complete on a large real-world description."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.config import LintConfig
from accord.contracts import load_contract_set
from accord.lint import run_lint
from accord.model import Severity
from tests.conftest import CONTRACTS, ROOT
from tests.lint._http_support import family_rules, lint, load_text

GITHUB = ROOT / "benchmarks/.cache/node_modules/@octokit/openapi/generated/api.github.com.json"

WILD = {
    "wrong-types-31": """\
        openapi: 3.1.0
        info: not an object
        security: {oauth2: []}
        x-accord-rate-limit: [600]
        servers: https://example.com
        paths:
          /v1/orders:
            parameters: {name: limit}
            servers: [5, {url: 7}]
            get:
              security: [5, {oauth2: 5}]
              parameters: [1, {name: 5, in: query}, {name: limit, in: query, schema: 5}]
              responses: [1, 2]
            post:
              parameters: "x"
              requestBody: 3
              x-accord-rate-limit: {limit: 1}
              responses: {'201': 7, '404': {content: 5}, '429': {headers: 5}, 4XX: 1}
            patch:
              requestBody: {content: [1]}
              responses: {412: {description: numeric key}}
          /v1/orders/{orderId}: 5
          /v1/items/{itemId}:
            get: {responses: {'200': {headers: [1], content: {application/json: {schema: 5}}}}}
        components:
          securitySchemes:
            oauth2: {type: oauth2, flows: [1]}
            other: {type: oauth2, flows: {clientCredentials: 5, implicit: {scopes: [1]}}}
            key: 5
          parameters: [1]
        """,
    "refs-and-cycles-30": """\
        openapi: 3.0.3
        info: {title: T, version: 1.0.0, x-accord-stability: 5}
        paths:
          /v1/nodes:
            get:
              parameters:
              - $ref: '#/components/parameters/Missing'
              responses:
                '200':
                  description: A page of nodes.
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/NodePage'}
                '400': {$ref: '#/components/responses/Missing'}
                '429':
                  description: Too many.
                  content:
                    application/problem+json:
                      schema: {$ref: '#/components/schemas/Problem'}
          /v1/nodes/{nodeId}:
            patch:
              requestBody:
                content:
                  application/merge-patch+json: {schema: {$ref: '#/components/schemas/Missing'}}
              responses: {'200': {$ref: '#/components/responses/Missing'}}
        components:
          schemas:
            Node:
              type: object
              properties:
                children: {type: array, items: {$ref: '#/components/schemas/Node'}}
            NodePage:
              allOf:
              - $ref: '#/components/schemas/NodePage'
              - properties:
                  items: {$ref: '#/components/schemas/NodePage'}
                  nextCursor: {$ref: '#/components/schemas/Missing'}
            Problem:
              allOf: [{$ref: '#/components/schemas/Problem'}]
              properties:
                status: {$ref: '#/components/schemas/Problem'}
        """,
    "asyncapi-26": """\
        asyncapi: 2.6.0
        info: {title: T, version: 1.0.0}
        servers: [1, 2]
        channels:
          a: 5
          b:
            subscribe: {security: 5, message: {payload: 5}}
            publish: {security: [{missing: 5}], message: {oneOf: [1]}}
        components:
          securitySchemes: [1]
        """,
    "asyncapi-30": """\
        asyncapi: 3.0.0
        info: {title: T, version: [1], x-accord-stability: stable}
        servers:
          s: {host: h, protocol: 5, security: [nope, 5]}
          t: 5
        channels:
          c: {address: 5, servers: [1, {protocol: ws}]}
        operations:
          o: 5
          p: {action: send, channel: 5, x-accord-stability: 5}
        components:
          securitySchemes:
            x: {type: oauth2, scopes: 5, flows: 5}
            y: {type: oauth2, scopes: [a], flows: {clientCredentials: {availableScopes: [1]}}}
        """,
    "empty-openapi": "openapi: 3.1.0\npaths:\n",
}


@pytest.mark.parametrize("name", sorted(WILD))
def test_rules_survive_documents_from_the_wild(tmp_path: Path, name: str) -> None:
    doc = load_text(tmp_path, WILD[name])
    findings = lint(doc, *family_rules())
    assert all(f.location.file.endswith("doc.yaml") for f in findings)


def test_our_contracts_are_clean() -> None:
    contracts = load_contract_set([CONTRACTS])
    assert contracts.documents and not contracts.errors
    result = run_lint(contracts.documents, contracts.config.lint, only=family_rules())
    loud = [f"{f.location}: {f.rule_id}: {f.message}" for f in result.findings if f.severity >= Severity.WARN]
    assert loud == []


@pytest.mark.slow
@pytest.mark.skipif(not GITHUB.exists(), reason="GitHub REST description not downloaded (make bench)")
def test_github_rest_description() -> None:
    from accord.loader import load_document

    doc = load_document(GITHUB)
    result = run_lint([doc], LintConfig(extends="none"), only=family_rules())
    counts: dict[str, int] = {}
    for finding in result.findings:
        counts[finding.rule_id] = counts.get(finding.rule_id, 0) + 1
    # GitHub declares no security, no versioned paths and no rate-limit extension
    assert counts["operation-security"] == 1223
    assert counts["rate-limit-valid"] == 1
    assert "security-schemes-defined" not in counts
    assert all(f.location.line is not None for f in result.findings)
