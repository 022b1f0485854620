"""Error rules beyond their fixture pairs: ranges, HEAD, unresolved refs, recursive problem schemas."""

from __future__ import annotations

from pathlib import Path

from tests.lint._http_support import lint, load_text, spots


def test_unresolved_response_refs_are_left_to_the_loader(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        x-accord-rate-limit: {limit: 1, window: 1, key: ip}
        paths:
          /v1/orders:
            get:
              responses:
                '404': {$ref: '#/components/responses/Missing'}
                '429': {$ref: '#/components/responses/Missing'}
        """,
    )
    assert doc.ref_problems
    ids = ("error-responses-problem-json", "retry-after-header", "rate-limited-operation-429")
    assert lint(doc, *ids) == []


def test_problem_json_range_codes_and_parameters(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/orders:
            get:
              responses:
                4XX:
                  description: Any client error.
                  content:
                    Application/Problem+JSON; charset=utf-8: {schema: {type: object}}
                5XX:
                  description: Any server error, no body.
                '302':
                  description: Not an error.
        """,
    )
    assert spots(lint(doc, "error-responses-problem-json")) == [
        ("error-responses-problem-json", "/paths/~1v1~1orders/get/responses/5XX", 11)
    ]


def test_rate_limited_429_accepts_ranges_and_skips_invalid_limits(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        x-accord-rate-limit: {limit: 600, window: 60, key: client}
        paths:
          /v1/orders:
            get:
              responses: {4XX: {description: Client errors.}}
            post:
              x-accord-rate-limit: off
              responses: {'201': {description: Created.}}
            delete:
              responses: {'204': {description: Deleted.}}
        """,
    )
    # `off` is not a rate limit object (rate-limit-valid reports it); the DELETE inherits the default
    assert spots(lint(doc, "rate-limited-operation-429")) == [
        ("rate-limited-operation-429", "/paths/~1v1~1orders/delete/responses", 12)
    ]


def test_problem_schema_accepts_number_status_and_survives_cycles(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/orders:
            get:
              responses:
                '400':
                  description: Bad request.
                  content:
                    application/problem+json:
                      schema: {$ref: '#/components/schemas/Problem'}
        components:
          schemas:
            Problem:
              allOf:
              - $ref: '#/components/schemas/Problem'
              - type: object
                properties:
                  type: {type: string}
                  title: {type: string}
                  status: {type: number}
                  detail: {type: [string, 'null']}
                  instance: {type: integer}
                  cause: {$ref: '#/components/schemas/Problem'}
        """,
    )
    assert spots(lint(doc, "problem-schema-fields")) == [
        ("problem-schema-fields", "/components/schemas/Problem/allOf/1/properties/instance", 23)
    ]


def test_retry_after_is_judged_once_per_shared_response(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/a:
            get: {responses: {'429': {$ref: 'shared.yaml#/TooMany'}}}
          /v1/b:
            get: {responses: {'429': {$ref: 'shared.yaml#/TooMany'}}}
        """,
        shared_yaml="TooMany:\n  description: Too many requests.\n",
    )
    [finding] = lint(doc, "retry-after-header")
    assert finding.location.file.endswith("shared.yaml")
    assert (finding.location.pointer, finding.location.line) == ("/TooMany", 1)
