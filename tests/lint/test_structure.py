"""Structure family: corpus-wide rules, dialects, options, and documents as found in the wild."""

from __future__ import annotations

import gc
import textwrap
import weakref
from pathlib import Path
from typing import Any

import pytest

from accord.config import LintConfig
from accord.lint import RULES, load_builtin_rules, run_lint
from accord.lint._structure_helpers import is_non_schema_reference, is_schema_reference
from accord.lint.rules.structure_paths import ambiguity
from accord.loader import Document, load_document
from accord.model import Finding

load_builtin_rules()
FAMILY_RULES = sorted(r for r in RULES if RULES[r].family in ("structure", "naming"))


def _doc(tmp_path: Path, text: str, name: str = "openapi.yaml") -> Document:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return load_document(path, root=tmp_path)


def _lint(docs: list[Document], *ids: str, options: dict[str, dict[str, Any]] | None = None) -> list[Finding]:
    return run_lint(docs, LintConfig(extends="none"), only=list(ids), options=options).findings


def _sites(findings: list[Finding]) -> list[tuple[str, str, int | None]]:
    return [(f.location.file.rsplit("/", 1)[-1], f.location.pointer, f.location.line) for f in findings]


ORDERS = """\
openapi: 3.1.0
info: {title: Orders, version: 1.0.0}
paths:
  /v1/orders/{orderId}:
    get:
      operationId: getDocument
      parameters:
      - {name: orderId, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: The order.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/SalesOrder'}
components:
  schemas:
    SalesOrder:
      type: object
      properties:
        orderId: {type: string}
    OrderCancelledData:
      type: object
      properties:
        orderId: {type: string}
"""

EVENTS = """\
asyncapi: 3.0.0
info: {title: Order events, version: 1.0.0}
channels:
  orderCancelled:
    address: orders.order.cancelled.v1
    messages:
      orderCancelled:
        payload: {$ref: './openapi.yaml#/components/schemas/OrderCancelledData'}
operations:
  getDocument:
    action: send
    channel: {$ref: '#/channels/orderCancelled'}
"""


# -- operation ids ---------------------------------------------------------------------------


def test_operation_ids_are_unique_across_openapi_and_asyncapi(tmp_path: Path) -> None:
    openapi = _doc(tmp_path, ORDERS, "orders/openapi.yaml")
    events = _doc(tmp_path, EVENTS, "orders/asyncapi.yaml")
    findings = _lint([openapi, events], "operation-operationid-unique")
    assert _sites(findings) == [("asyncapi.yaml", "/operations/getDocument", 10)]
    assert "already used by GET /v1/orders/{orderId}" in findings[0].message
    assert "openapi.yaml" in findings[0].message
    assert findings[0].hint is not None and "openapi.yaml:6:" in findings[0].hint
    # Order of the corpus decides which one is "first".
    reverse = _lint([events, openapi], "operation-operationid-unique")
    assert _sites(reverse) == [("openapi.yaml", "/paths/~1v1~1orders~1{orderId}/get/operationId", 6)]


def test_one_written_operation_seen_from_two_documents_is_not_a_duplicate(tmp_path: Path) -> None:
    (tmp_path / "health.yaml").write_text(
        "get:\n  operationId: getHealth\n  responses: {'200': {description: ok}}\n"
    )
    single = """\
    openapi: 3.1.0
    info: {title: T, version: 1.0.0}
    paths:
      /v1/health: {$ref: './health.yaml'}
    """
    twice = """\
    openapi: 3.1.0
    info: {title: T, version: 1.0.0}
    paths:
      /v1/health: {$ref: './health.yaml'}
      /v2/health: {$ref: './health.yaml'}
    """
    docs = [_doc(tmp_path, single, "a.yaml"), _doc(tmp_path, single, "b.yaml")]
    assert _lint(docs, "operation-operationid-unique") == []
    # Within one document the same path item twice gives two operations with one id.
    findings = _lint([_doc(tmp_path, twice, "c.yaml")], "operation-operationid-unique")
    assert [f.message for f in findings] == [
        "operation id `getHealth` of GET /v2/health is already used by GET /v1/health in "
        f"{findings[0].location.file}"
    ]


def test_asyncapi_2_operations_need_an_operation_id(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        """\
        asyncapi: 2.6.0
        info: {title: Events, version: 1.0.0}
        channels:
          orders.order.submitted.v1:
            subscribe:
              operationId: publishOrderSubmitted
              message: {payload: {type: object}}
            publish:
              message: {payload: {type: object}}
        """,
        "asyncapi.yaml",
    )
    findings = _lint([doc], "operation-operationid")
    assert _sites(findings) == [("asyncapi.yaml", "/channels/orders.order.submitted.v1/publish", 8)]


def test_operation_tags_max_option(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/orders:
            get: {operationId: a, tags: [A, B], responses: {'200': {description: ok}}}
            post: {operationId: b, tags: [A, B, C], responses: {'201': {description: ok}}}
        """,
    )
    assert len(_lint([doc], "operation-tags")) == 2
    findings = _lint([doc], "operation-tags", options={"operation-tags": {"max": 2}})
    assert _sites(findings) == [("openapi.yaml", "/paths/~1v1~1orders/post/tags", 6)]
    assert "at most 2 tags" in findings[0].message
    bogus = _lint([doc], "operation-tags", options={"operation-tags": {"max": "many"}})
    assert len(bogus) == 2  # an unusable option falls back to the default


# -- paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("/v1/orders/{id}", "/v1/orders/{orderId}", "identical"),
        ("/v1/{a}/items", "/v1/orders/{b}", "overlapping"),
        ("/{entity}/me", "/books/{id}", "overlapping"),  # the example of OAS 3.1 §4.8.8.2
        ("/v1/orders/{orderId}", "/v1/orders/search", None),  # concrete wins
        ("/v1/orders/{orderId}", "/v1/orders/{orderId}/lines", None),
        ("/v1/orders", "/v1/invoices", None),
        ("/files/{name}.json", "/files/{name}", None),  # partly templated is more concrete
        ("/files/{a}.json", "/files/{b}.json", "identical"),
        ("/files/{a}.json", "/files/{b}.xml", None),
        ("/files/report.json", "/files/{name}.json", None),
        ("/files/{a}.json/x", "/files/report.json/{b}", "overlapping"),
    ],
)
def test_ambiguity(a: str, b: str, expected: str | None) -> None:
    split = [part for part in a.strip("/").split("/")], [part for part in b.strip("/").split("/")]
    assert ambiguity(*split) == expected
    assert ambiguity(split[1], split[0]) == expected


def test_path_params_defined_accepts_partly_templated_segments(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/reports/{reportId}.{format}:
            get:
              operationId: getReport
              parameters:
              - {name: reportId, in: path, required: true, schema: {type: string}}
              responses: {'200': {description: ok}}
        """,
    )
    findings = _lint([doc], "path-params-defined", "path-params-used")
    assert [f.message for f in findings] == [
        "path parameter `{format}` of GET /v1/reports/{reportId}.{format} is not declared"
    ]


# -- components ------------------------------------------------------------------------------


def test_components_used_by_another_document_are_used(tmp_path: Path) -> None:
    openapi = _doc(tmp_path, ORDERS, "orders/openapi.yaml")
    events = _doc(tmp_path, EVENTS, "orders/asyncapi.yaml")
    assert _lint([openapi, events], "no-unused-components") == []
    alone = _lint([openapi], "no-unused-components")
    assert _sites(alone) == [("openapi.yaml", "/components/schemas/OrderCancelledData", 21)]


def test_asyncapi_components_and_chains(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        """\
        asyncapi: 3.0.0
        info: {title: Events, version: 1.0.0}
        channels:
          orderSubmitted:
            address: orders.order.submitted.v1
            messages:
              orderSubmitted: {$ref: '#/components/messages/orderSubmitted'}
        operations:
          publishOrderSubmitted:
            action: send
            channel: {$ref: '#/channels/orderSubmitted'}
            messages:
            - {$ref: '#/channels/orderSubmitted/messages/orderSubmitted'}
        components:
          messages:
            orderSubmitted:
              payload: {$ref: '#/components/schemas/Envelope'}
            orderForgotten:
              payload: {$ref: '#/components/schemas/Forgotten'}
          schemas:
            Envelope:
              type: object
              properties:
                data: {$ref: '#/components/schemas/Alias'}
            Alias: {$ref: '#/components/schemas/OrderData'}
            OrderData: {type: object}
            Forgotten: {type: object}
        """,
        "asyncapi.yaml",
    )
    findings = _lint([doc], "no-unused-components")
    assert _sites(findings) == [
        ("asyncapi.yaml", "/components/messages/orderForgotten", 18),
        ("asyncapi.yaml", "/components/schemas/Forgotten", 27),
    ]


@pytest.mark.parametrize(
    ("pointer", "kind", "schema", "non_schema"),
    [
        ("/components/schemas/Order", "openapi", True, False),
        ("/components/schemas/Order/properties/total", "openapi", True, False),
        ("/components/schemas/Order/properties/parameters", "openapi", True, False),  # a property name
        ("/components/schemas/Order/allOf/0", "openapi", True, False),
        ("/paths/~1x/get/parameters/0", "openapi", False, True),
        ("/paths/~1x/get/responses/200", "openapi", False, True),
        ("/paths/~1x/get/responses/200/content/application~1json/schema", "openapi", True, False),
        ("/paths/~1x/get/responses/200/headers/ETag", "openapi", False, True),
        ("/paths/~1x/post/requestBody", "openapi", False, True),
        ("/paths/~1x", "openapi", False, True),
        ("/components/messages/m/headers", "asyncapi", True, False),
        ("/components/messages/m/payload", "asyncapi", True, False),
        ("/Money", "openapi", False, False),  # a fragment entry: unknown
    ],
)
def test_reference_positions(pointer: str, kind: str, schema: bool, non_schema: bool) -> None:
    assert is_schema_reference(pointer, kind) is schema
    assert is_non_schema_reference(pointer, kind) is non_schema


def _siblings_doc(tmp_path: Path, version: str) -> Document:
    return _doc(
        tmp_path,
        f"""\
        openapi: {version}
        info: {{title: T, version: 1.0.0}}
        paths:
          /v1/customers/{{customerId}}:
            parameters:
            - $ref: '#/components/parameters/CustomerId'
              description: Overridden description.
              required: true
            get:
              operationId: getCustomer
              responses:
                '200':
                  $ref: '#/components/responses/Customer'
                  summary: Overridden summary.
        components:
          parameters:
            CustomerId: {{name: customerId, in: path, required: true, schema: {{type: string}}}}
          responses:
            Customer:
              description: The customer.
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      limit:
                        $ref: '#/components/schemas/Money'
                        description: Credit limit.
          schemas:
            Money: {{type: object}}
        """,
    )


def test_ref_siblings_openapi_31_only_flags_non_schema_extras(tmp_path: Path) -> None:
    findings = _lint([_siblings_doc(tmp_path, "3.1.0")], "no-ref-siblings")
    assert _sites(findings) == [
        ("openapi.yaml", "/paths/~1v1~1customers~1{customerId}/parameters/0/required", 8)
    ]
    assert "only take `summary` and `description`" in findings[0].message


def test_ref_siblings_openapi_30_flags_every_sibling(tmp_path: Path) -> None:
    findings = _lint([_siblings_doc(tmp_path, "3.0.3")], "no-ref-siblings")
    assert [(p, line) for _, p, line in _sites(findings)] == [
        ("/paths/~1v1~1customers~1{customerId}/parameters/0/description", 7),
        ("/paths/~1v1~1customers~1{customerId}/get/responses/200/summary", 14),
        ("/components/responses/Customer/content/application~1json/schema/properties/limit/description", 28),
    ]
    assert "`description`, `required` beside `$ref` are ignored" in findings[0].message


def test_ref_siblings_follow_the_dialect_of_the_file_they_are_written_in(tmp_path: Path) -> None:
    # An AsyncAPI document using an OpenAPI 3.1 schema: its `$ref` + `description` is fine there.
    openapi = """\
    openapi: 3.1.0
    info: {title: T, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Money: {type: object}
        Order:
          type: object
          properties:
            total: {$ref: '#/components/schemas/Money', description: Order total.}
    """
    events = """\
    asyncapi: 3.0.0
    info: {title: E, version: 1.0.0}
    channels:
      c:
        address: a.b.c.v1
        messages:
          m:
            payload:
              type: object
              properties:
                order: {$ref: './openapi.yaml#/components/schemas/Order'}
                note: {$ref: './openapi.yaml#/components/schemas/Money', description: Ignored here.}
    operations: {}
    """
    _doc(tmp_path, openapi)
    doc = _doc(tmp_path, events, "asyncapi.yaml")
    findings = _lint([doc], "no-ref-siblings")
    assert _sites(findings) == [
        ("asyncapi.yaml", "/channels/c/messages/m/payload/properties/note/description", 12)
    ]


# -- examples --------------------------------------------------------------------------------


def test_examples_openapi_30_nullable_and_read_write_only(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        """\
        openapi: 3.0.3
        info: {title: T, version: 1.0.0}
        paths:
          /v1/users:
            post:
              operationId: createUser
              requestBody:
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/User'}
                    examples:
                      create: {value: {name: Ann, password: s3cret, nickname: null}}
              responses:
                '201':
                  description: Created.
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/User'}
                      examples:
                        created: {value: {id: u1, name: Ann, nickname: null}}
                        leaky: {value: {id: u1, name: Ann, age: null}}
        components:
          schemas:
            User:
              type: object
              required: [id, name, password]
              properties:
                id: {type: string, readOnly: true}
                name: {type: string}
                password: {type: string, writeOnly: true}
                nickname: {type: string, nullable: true}
                age: {type: integer, minimum: 0, exclusiveMinimum: true}
        """,
    )
    findings = _lint([doc], "examples-valid")
    assert _sites(findings) == [
        (
            "openapi.yaml",
            "/paths/~1v1~1users/post/responses/201/content/application~1json/examples/leaky/value",
            21,
        )
    ]
    assert 'at /age: null is not of type "integer"' in findings[0].message


def test_examples_of_asyncapi_messages(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        """\
        asyncapi: 3.0.0
        info: {title: E, version: 1.0.0}
        channels:
          c:
            address: a.b.c.v1
            messages:
              orderSubmitted: {$ref: '#/components/messages/orderSubmitted'}
              avro: {$ref: '#/components/messages/avro'}
        operations: {}
        components:
          messages:
            orderSubmitted:
              headers:
                type: object
                properties:
                  traceparent: {type: string, pattern: '^00-'}
              payload:
                type: object
                required: [id, time]
                properties:
                  id: {type: string}
                  time: {type: string, format: date-time}
              examples:
              - name: good
                headers: {traceparent: 00-abc}
                payload: {id: e1, time: '2025-03-14T09:30:00Z'}
              - name: badTime
                payload: {id: e2, time: yesterday}
              - headers: {traceparent: 01-abc}
                payload: {id: e3, time: '2025-03-14T09:30:00Z'}
            avro:
              payload:
                schemaFormat: application/vnd.apache.avro;version=1.9.0
                schema: {type: record, name: X, fields: []}
              examples:
              - payload: {anything: goes}
        """,
        "asyncapi.yaml",
    )
    findings = _lint([doc], "examples-valid")
    assert _sites(findings) == [
        ("asyncapi.yaml", "/components/messages/orderSubmitted/examples/1/payload", 28),
        ("asyncapi.yaml", "/components/messages/orderSubmitted/examples/2/headers", 29),
    ]
    assert findings[0].message.startswith("example `badTime` does not match its schema: at /time:")
    assert findings[1].message.startswith("example #3 does not match")


def test_examples_of_asyncapi_2_messages_follow_their_schema_format(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        """\
        asyncapi: 2.6.0
        info: {title: E, version: 1.0.0}
        channels:
          a.b.c.v1:
            subscribe:
              message:
                oneOf:
                - schemaFormat: application/vnd.apache.avro;version=1.9.0
                  payload: {type: record, name: X, fields: []}
                  examples: [{payload: {anything: goes}}]
                - schemaFormat: application/vnd.oai.openapi;version=3.0.0
                  payload: {type: string, nullable: true}
                  examples: [{payload: null}, {payload: 5}]
        """,
        "asyncapi.yaml",
    )
    findings = _lint([doc], "examples-valid")
    assert [f.location.pointer for f in findings] == [
        "/channels/a.b.c.v1/subscribe/message/oneOf/1/examples/1/payload"
    ]


def test_examples_report_at_most_three_errors(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths: {}
        components:
          schemas:
            Order:
              type: object
              required: [a, b, c, d]
              example: {}
        """,
    )
    (finding,) = _lint([doc], "examples-valid")
    assert finding.message.count("is a required property") == 3
    assert finding.message.endswith("(and more)")


def test_examples_with_unjudgeable_schemas_are_skipped(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/things:
            get:
              operationId: listThings
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {type: string, pattern: '[unclosed'}
                      example: anything
                    text/plain:
                      schema: {$ref: 'missing.yaml#/Nope'}
                      examples:
                        external: {externalValue: 'https://example.com/x.txt'}
                        plain: {value: 42}
        """,
    )
    assert _lint([doc], "examples-valid") == []


# -- robustness ------------------------------------------------------------------------------

WILD = {
    "broken.yaml": """\
        openapi: 3.0.0
        info: 5
        tags: [1, {name: x}, {description: 3}]
        paths:
          /v1/{a}/{b: []
          /v1/orders/{orderId}:
            parameters: {x: 1}
            get: string
            post:
              operationId: 7
              tags: notalist
              parameters: [1, {in: path}, {name: orderId, in: path, required: yes}]
              responses: [1, 2]
              requestBody:
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/Missing'}
                    example: {a: 1}
                    examples: [1, 2]
            put:
              responses:
                '200':
                  content:
                    application/json:
                      schema:
                        type: object
                        properties: [1]
                        enum: notalist
                        nullable: true
                      example: x
                      examples: {f: 5}
          "": {}
        components:
          schemas: [1, 2]
          responses: {R: 5}
        """,
    "v2.yaml": """\
        asyncapi: 2.6.0
        info: {title: t, version: '1'}
        channels:
          orders/{orderId}:
            subscribe:
              message:
                oneOf:
                - payload: {type: string}
                  examples: [{payload: 5}, 7, {headers: {a: 1}}]
                - 5
            publish: 5
        components:
          messages:
            m: 5
            n: {messageId: bad-id, payload: {type: object}, examples: [{payload: {}}]}
        """,
    "v3.yaml": """\
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        channels: [1]
        operations:
          x: 5
          y: {action: send, channel: 5, messages: [7, x]}
        components: {messages: [1], schemas: 5}
        """,
    "empty.yaml": "openapi: 3.1.0\n",
    "recursive.yaml": """\
        openapi: 3.1.0
        info: {title: t, version: '1'}
        paths:
          /v1/nodes:
            get:
              operationId: listNodes
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/Node'}
                      example: {children: [{children: []}]}
        components:
          schemas:
            Node:
              type: object
              example: {children: [{children: [{}]}]}
              properties:
                children: {type: array, items: {$ref: '#/components/schemas/Node'}}
                also: {allOf: [{$ref: '#/components/schemas/Node'}]}
        """,
}


def test_documents_in_the_wild_never_raise(tmp_path: Path) -> None:
    docs = [_doc(tmp_path, text, name) for name, text in WILD.items()]
    findings = _lint(docs, *FAMILY_RULES)
    by_rule = {f.rule_id for f in findings}
    assert {"operation-operationid", "info-description", "path-params-used"} <= by_rule
    recursive = [f for f in findings if f.location.file.endswith("recursive.yaml")]
    assert not [f for f in recursive if f.rule_id == "examples-valid"]


def test_every_family_rule_is_recommended_with_a_sane_severity() -> None:
    for rule_id in FAMILY_RULES:
        rule = RULES[rule_id]
        assert rule.recommended, rule_id
        assert rule.good != rule.bad


def test_caches_do_not_keep_documents_alive(tmp_path: Path) -> None:
    docs = [_doc(tmp_path, ORDERS, "orders/openapi.yaml"), _doc(tmp_path, EVENTS, "orders/asyncapi.yaml")]
    assert _lint(docs, *FAMILY_RULES) is not None
    refs = [weakref.ref(doc) for doc in docs]
    del docs
    gc.collect()
    assert [ref() for ref in refs] == [None, None]
