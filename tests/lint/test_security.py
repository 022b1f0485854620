"""Security rules beyond their fixture pairs: AsyncAPI 2.6/3.0, options, inherited requirements."""

from __future__ import annotations

from pathlib import Path

from tests.lint._http_support import lint, load_text, spots

ASYNC_26 = """\
asyncapi: 2.6.0
info: {title: T, version: 1.0.0}
servers:
  production:
    url: broker.example.com:5671
    protocol: amqps
    security:
    - amqpUser: []
    - saslScram: []
  websocket:
    url: ws://events.example.com/stream
    protocol: ws
  local:
    url: localhost:5672
    protocol: amqp
channels:
  orders.order.created.v1:
    subscribe:
      security:
      - oauth2: [orders:read, orders:admin]
      message: {payload: {type: object}}
components:
  securitySchemes:
    amqpUser: {type: userPassword}
    oauth2:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: http://auth.example.com/token
          scopes: {orders:read: Read.}
    partnerKey: {type: httpApiKey, name: key, in: query}
"""


def test_asyncapi_26_requirements_are_checked(tmp_path: Path) -> None:
    doc = load_text(tmp_path, ASYNC_26)
    assert spots(lint(doc, "security-schemes-defined")) == [
        ("security-schemes-defined", "/servers/production/security/1/saslScram", 9)
    ]
    assert spots(lint(doc, "security-scopes-defined")) == [
        ("security-scopes-defined", "/channels/orders.order.created.v1/subscribe/security/0/oauth2/1", 20)
    ]


def test_asyncapi_clear_text_protocols_and_token_urls(tmp_path: Path) -> None:
    doc = load_text(tmp_path, ASYNC_26)
    # plain amqp is a broker protocol judged by its own security settings: not reported
    assert spots(lint(doc, "servers-https")) == [
        ("servers-https", "/servers/websocket/protocol", 12),
        ("servers-https", "/components/securitySchemes/oauth2/flows/clientCredentials/tokenUrl", 29),
    ]


def test_asyncapi_http_api_key_in_query(tmp_path: Path) -> None:
    doc = load_text(tmp_path, ASYNC_26)
    assert spots(lint(doc, "no-credentials-in-query")) == [
        ("no-credentials-in-query", "/components/securitySchemes/partnerKey/in", 31)
    ]


def test_asyncapi_30_scheme_scopes_must_be_available(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        asyncapi: 3.0.0
        info: {title: T, version: 1.0.0}
        servers:
          production:
            host: events.example.com
            protocol: http
            security:
            - $ref: '#/components/securitySchemes/oauth2'
        components:
          securitySchemes:
            oauth2:
              type: oauth2
              flows:
                clientCredentials:
                  tokenUrl: https://auth.example.com/token
                  availableScopes: {orders:read: Read.}
              scopes: [orders:read, orders:write]
        """,
    )
    assert spots(lint(doc, "security-scopes-defined")) == [
        ("security-scopes-defined", "/components/securitySchemes/oauth2/scopes/1", 17)
    ]
    assert spots(lint(doc, "servers-https")) == [("servers-https", "/servers/production/protocol", 6)]
    # 3.0 requirements are resolved scheme objects, not names: nothing to look up
    assert lint(doc, "security-schemes-defined") == []


def test_servers_https_allow_loopback_option(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        servers:
        - url: http://localhost:8080
        - url: http://127.0.0.1:9105/orders
        paths: {}
        """,
    )
    assert lint(doc, "servers-https") == []
    assert spots(lint(doc, "servers-https", options={"allow_loopback": False})) == [
        ("servers-https", "/servers/0/url", 4),
        ("servers-https", "/servers/1/url", 5),
    ]


def test_no_credentials_in_query_extra_names(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/orders:
            get:
              parameters:
              - {name: sig, in: query, schema: {type: string}}
              - {name: Password, in: query, schema: {type: string}}
        """,
    )
    assert spots(lint(doc, "no-credentials-in-query")) == [
        ("no-credentials-in-query", "/paths/~1v1~1orders/get/parameters/1", 8)
    ]
    found = lint(doc, "no-credentials-in-query", options={"extra_names": ["SIG"]})
    assert [f.location.line for f in found] == [7, 8]


def test_document_level_empty_security_is_reported_on_each_operation(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        security: []
        paths:
          /v1/orders:
            get: {responses: {'200': {description: OK}}}
            post:
              x-accord-public: true
              responses: {'201': {description: OK}}
        """,
    )
    [finding] = lint(doc, "operation-security")
    assert (finding.location.pointer, finding.location.line) == ("/paths/~1v1~1orders/get", 6)
    assert "(inherited from the document)" in finding.message


def test_public_operations_need_no_401_403_and_optional_auth_is_not_secured(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/orders:
            get:
              security: [{}, {apiKey: []}]
              responses: {'200': {description: OK}}
            post:
              responses: {'201': {description: OK}}
        """,
    )
    assert lint(doc, "secured-operation-401-403") == []


def test_scopes_used_ignores_components_only_fragments(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        components:
          securitySchemes:
            oauth2:
              type: oauth2
              flows: {clientCredentials: {tokenUrl: 'https://a.example.com/t', scopes: {x:read: R.}}}
        """,
    )
    assert lint(doc, "security-scopes-used") == []


def test_scope_matches_method_judges_the_inherited_requirement(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        security:
        - oauth2: [orders:read]
        paths:
          /v1/orders:
            get: {responses: {'200': {description: OK}}}
            delete: {responses: {'204': {description: OK}}}
        components:
          securitySchemes:
            oauth2:
              type: oauth2
              flows: {clientCredentials: {tokenUrl: 'https://a.example.com/t', scopes: {orders:read: R.}}}
        """,
    )
    [finding] = lint(doc, "security-scope-matches-method")
    assert (finding.location.pointer, finding.location.line) == ("/security/0/oauth2", 4)
    assert finding.message.startswith("DELETE /v1/orders changes data")
