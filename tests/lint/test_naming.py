"""Naming family: the plural heuristic, options, and AsyncAPI ids."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from accord.config import LintConfig
from accord.lint import load_builtin_rules, run_lint
from accord.lint._naming_helpers import CollectionSegment, collection_segments, is_plural, plural_problem
from accord.lint.rules.naming import _kebab
from accord.loader import Document, load_document
from accord.model import Finding

load_builtin_rules()


def _doc(tmp_path: Path, text: str, name: str = "openapi.yaml") -> Document:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return load_document(path, root=tmp_path)


def _lint(doc: Document, rule_id: str, options: dict[str, Any] | None = None) -> list[Finding]:
    opts = {rule_id: options} if options else None
    return run_lint([doc], LintConfig(extends="none"), only=[rule_id], options=opts).findings


def _paths_doc(tmp_path: Path, *paths: str) -> Document:
    body = "\n".join(f"  {p}: {{}}" for p in paths)
    return _doc(tmp_path, f"openapi: 3.1.0\ninfo: {{title: T, version: 1.0.0}}\npaths:\n{body}\n")


@pytest.mark.parametrize(
    ("word", "plural"),
    [
        ("orders", True),
        ("addresses", True),
        ("statuses", True),
        ("people", True),
        ("criteria", True),
        ("news", True),
        ("series", True),
        ("inventory", True),  # uncountable
        ("fulfillment", True),
        ("data", True),
        ("order", False),
        ("address", False),  # -ss
        ("status", False),  # -us
        ("analysis", False),  # -is
        ("person", False),
        ("box", False),
    ],
)
def test_is_plural(word: str, plural: bool) -> None:
    assert is_plural(word) is plural


def test_is_plural_allow_list() -> None:
    assert is_plural("status", frozenset({"status"}))


def test_collection_positions() -> None:
    found = [
        (c.segment, c.may_be_action)
        for c in collection_segments("/api/v1/orders/{orderId}/lines/{lineId}/cancel")
    ]
    # `api` (followed by a static segment) and `v1` (a version) are not judged.
    assert found == [("orders", False), ("lines", False), ("cancel", True)]
    assert [c.segment for c in collection_segments("/v1/orders/{orderId}/lines/summary")] == [
        "orders",
        "summary",
    ]
    assert [c.may_be_action for c in collection_segments("/v1/orders/summary")] == [False]
    assert list(collection_segments("/")) == []
    assert list(collection_segments("/v1/{tenant}/2024")) == []


def test_plural_problem_edge_cases() -> None:
    none: frozenset[str] = frozenset()
    action = CollectionSegment(3, "release-credit-hold", True)
    assert plural_problem(action, none, none) is None  # verb first: an action
    assert plural_problem(CollectionSegment(1, "price-lists", False), none, none) is None  # last word plural
    assert plural_problem(CollectionSegment(1, "price-list", False), none, none) is not None
    # A verb is not a collection name before an id or after a static segment.
    assert plural_problem(CollectionSegment(1, "cancel", False), none, none) is not None
    star = CollectionSegment(3, "star", True)
    assert (
        plural_problem(star, none, none) == "is neither a plural noun (a collection) nor a known action verb"
    )
    assert plural_problem(star, none, frozenset({"star"})) is None
    assert plural_problem(CollectionSegment(1, "status", False), frozenset({"status"}), none) is None


def test_path_segments_plural_options(tmp_path: Path) -> None:
    doc = _paths_doc(tmp_path, "/v1/gists/{gistId}/star", "/v1/status", "/v1/orders/{orderId}/cancel")
    assert len(_lint(doc, "path-segments-plural")) == 2
    options = {"allow": ["Status"], "actions": ["star"]}
    assert _lint(doc, "path-segments-plural", options) == []
    assert len(_lint(doc, "path-segments-plural", {"allow": "status"})) == 1  # a lone string works too


def test_kebab_case_suggestion() -> None:
    assert _kebab("priceLists") == "price-lists"
    assert _kebab("price_lists") == "price-lists"
    assert _kebab("GTINCodes") == "gtincodes"


def test_name_allow_options(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/orders:
            get:
              operationId: listOrders
              parameters:
              - {name: per_page, in: query, schema: {type: integer}}
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          _links: {type: object}
                          status: {type: string, enum: [USD, open]}
        """,
    )
    assert len(_lint(doc, "query-params-camel-case")) == 1
    assert _lint(doc, "query-params-camel-case", {"allow": ["per_page"]}) == []
    assert len(_lint(doc, "properties-camel-case")) == 1
    assert _lint(doc, "properties-camel-case", {"allow": ["_links"]}) == []
    assert len(_lint(doc, "enum-values-snake-case")) == 1
    assert _lint(doc, "enum-values-snake-case", {"allow": ["USD"]}) == []


def test_openapi_operation_ids(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/orders:
            get: {operationId: orders/list, responses: {'200': {description: ok}}}
            post: {operationId: createOrder, responses: {'201': {description: ok}}}
        """,
    )
    findings = _lint(doc, "operationid-camel-case")
    assert [(f.location.pointer, f.location.line) for f in findings] == [
        ("/paths/~1v1~1orders/get/operationId", 5)
    ]
    assert findings[0].message == "operationId `orders/list` of GET /v1/orders is not camelCase"


def test_asyncapi_2_ids(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        """\
        asyncapi: 2.6.0
        info: {title: E, version: 1.0.0}
        channels:
          orders.order.submitted.v1:
            subscribe:
              operationId: publish-order-submitted
              message:
                oneOf:
                - {messageId: orderSubmitted, payload: {type: object}}
                - {messageId: Order_Submitted_V0, payload: {type: object}}
        """,
        "asyncapi.yaml",
    )
    findings = _lint(doc, "operationid-camel-case")
    assert [(f.location.pointer, f.location.line) for f in findings] == [
        ("/channels/orders.order.submitted.v1/subscribe/operationId", 6),
        ("/channels/orders.order.submitted.v1/subscribe/message/oneOf/1/messageId", 10),
    ]
