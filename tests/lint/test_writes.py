"""Write rules beyond their fixture pairs: how paths are classified, path-level parameters, recommendation."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.lint import RULES, load_builtin_rules
from accord.lint._http_helpers import ACTION, COLLECTION, ITEM, ROOT, path_kind
from accord.model import Severity
from tests.lint._http_support import lint, load_text, spots

PATHS = """\
openapi: 3.1.0
info: {title: T, version: 1.0.0}
paths:
  /: {get: {}}
  /v1/orders: {post: {}}
  /v1/orders/{orderId}: {get: {}}
  /v1/orders/{orderId}/cancel: {post: {}}
  /v1/orders/{orderId}/lines: {post: {}}
  /v1/orders/{orderId}/lines/{lineId}: {get: {}}
  /v1/orders/{orderId}/notes: {get: {}, post: {}}
  /v1/orders/search: {post: {}}
  /v1/files/{name}.json: {get: {}}
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/", ROOT),
        ("/v1/orders", COLLECTION),
        ("/v1/orders/{orderId}", ITEM),
        ("/v1/orders/{orderId}/cancel", ACTION),
        ("/v1/orders/{orderId}/lines", COLLECTION),  # its items have paths of their own
        ("/v1/orders/{orderId}/notes", COLLECTION),  # it can be read
        ("/v1/orders/search", COLLECTION),  # not after a parameter: judged a collection (a known limit)
        ("/v1/files/{name}.json", ITEM),
    ],
)
def test_path_kind(tmp_path: Path, path: str, kind: str) -> None:
    doc = load_text(tmp_path, PATHS)
    assert path_kind(doc, path, doc.data["paths"][path]) == kind


def test_path_level_idempotency_key_counts_and_header_case_is_ignored(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/orders:
            parameters:
            - {name: IDEMPOTENCY-KEY, in: header, required: true, schema: {type: string}}
            post: {responses: {'201': {description: Created.}}}
        """,
    )
    assert lint(doc, "create-idempotency-key", "action-idempotency-key") == []


def test_action_rule_is_advice_outside_recommended() -> None:
    load_builtin_rules()
    rule = RULES["action-idempotency-key"]
    assert rule.recommended is False and rule.severity == Severity.INFO
    assert (
        RULES["create-idempotency-key"].recommended
        and RULES["create-idempotency-key"].severity == Severity.ERROR
    )


def test_patch_if_match_accepts_412_range(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.0.3
        info: {title: T, version: 1.0.0}
        paths:
          /v1/orders/{orderId}:
            patch:
              parameters:
              - {name: If-Match, in: header, required: true, schema: {type: string}}
              - {name: orderId, in: path, required: true, schema: {type: string}}
              responses:
                '200': {description: Updated.}
                4XX: {description: Client errors.}
        """,
    )
    assert lint(doc, "patch-if-match") == []


def test_writes_rules_skip_non_http_shapes(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/orders:
            post:
              responses: {'201': 5}
          /v1/orders/{orderId}:
            get:
              responses: {'200': {$ref: '#/components/responses/Missing'}}
            patch:
              requestBody: {content: {application/json: 5}}
              responses: []
        """,
    )
    found = spots(lint(doc, "create-201-location", "read-etag-header", "patch-merge-patch", "patch-if-match"))
    # a malformed 201 and an unresolved 200 are left to validation and the loader
    assert found == [
        ("patch-if-match", "/paths/~1v1~1orders~1{orderId}/patch", 10),
        (
            "patch-merge-patch",
            "/paths/~1v1~1orders~1{orderId}/patch/requestBody/content/application~1json",
            11,
        ),
        ("patch-if-match", "/paths/~1v1~1orders~1{orderId}/patch/responses", 12),
    ]
