"""Collection rules beyond their fixture pairs: 3.1 bounds, composed and recursive page schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint._http_support import lint, load_text, spots


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ("{type: integer, exclusiveMinimum: 0, exclusiveMaximum: 101}", []),
        ("{type: [integer, 'null'], minimum: 1, maximum: 100}", []),
        ("{type: integer, minimum: 1.5, maximum: 100}", []),
        ("{type: integer, exclusiveMinimum: -1, maximum: 100}", [""]),
        ("{type: integer, minimum: true, maximum: 100}", ["/minimum"]),
        ("{type: integer, minimum: 1, maximum: '100'}", [""]),
        ("{type: integer, minimum: 1, maximum: 10, default: 0}", ["/default"]),
    ],
)
def test_limit_bounds_openapi_31(tmp_path: Path, schema: str, expected: list[str]) -> None:
    doc = load_text(
        tmp_path,
        f"""\
        openapi: 3.1.0
        info: {{title: T, version: 1.0.0}}
        paths:
          /v1/orders:
            get:
              parameters:
              - name: limit
                in: query
                schema: {schema}
        """,
    )
    base = "/paths/~1v1~1orders/get/parameters/0/schema"
    # a bound that is present but wrong is pointed at; an absent one at the schema
    assert [f.location.pointer for f in lint(doc, "limit-bounded")] == [base + suffix for suffix in expected]


def test_collection_rules_survive_recursive_pages(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/folders:
            get:
              parameters:
              - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 50}}
              - {name: cursor, in: query, schema: {type: string}}
              responses:
                '200':
                  description: A page of folders.
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/FolderPage'}
        components:
          schemas:
            FolderPage:
              allOf:
              - $ref: '#/components/schemas/FolderPage'
              - type: object
                required: [items, nextCursor]
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/FolderPage'}}
                  nextCursor: {type: [string, 'null']}
        """,
    )
    assert lint(doc, "collection-cursor-pagination", "collection-response-shape") == []


def test_response_shape_wrong_cursor_type(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/orders:
            get:
              responses:
                '200':
                  description: A page.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [items, nextCursor]
                        properties:
                          items: {type: array}
                          nextCursor: {type: [integer, 'null']}
        """,
    )
    [finding] = lint(doc, "collection-response-shape")
    assert finding.message == "`nextCursor` is not a string"
    assert finding.location.line == 16


def test_non_json_collection_is_not_judged_for_shape_but_needs_pagination(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/orders:
            get:
              responses:
                '200':
                  description: CSV export.
                  content:
                    text/csv: {schema: {type: string}}
          /v1/orders/{orderId}:
            get: {responses: {'200': {description: One order.}}}
        """,
    )
    found = spots(lint(doc, "collection-cursor-pagination", "collection-response-shape"))
    assert found == [("collection-cursor-pagination", "/paths/~1v1~1orders/get", 5)]
