"""accord.policy: contracts -> per-operation policies, compiled once (pure, no server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.contracts import load_contract_set
from accord.errors import ConfigError
from accord.loader import load_document
from accord.policy import (
    CompileOptions,
    Parameter,
    Policy,
    PolicyErrors,
    SchemaCheck,
    coerce_parameter,
    compile_contract_set,
    compile_document,
)
from accord.spec.schema_export import to_json_schema

from .conftest import CONTRACTS, REAL_CONTRACTS


@pytest.fixture(scope="module")
def shop() -> dict[str, Policy]:
    doc = load_document(CONTRACTS / "shop" / "openapi.yaml")
    return {p.operation_id: p for p in compile_document(doc, "shop")}


def test_every_operation_gets_a_policy_with_its_location(shop: dict[str, Policy]) -> None:
    assert "createOrder" in shop and "getReport" in shop
    create = shop["createOrder"]
    assert (create.method, create.path, create.domain) == ("POST", "/v1/orders", "shop")
    assert create.location.file.endswith("shop/openapi.yaml")
    assert create.location.line == 34  # the `post:` line


def test_security_alternatives_and_inherited_api_key_scopes(shop: dict[str, Policy]) -> None:
    create = shop["createOrder"]
    (oauth, api_key) = create.auth
    assert oauth.schemes[0][0].bearer and oauth.schemes[0][1] == ("shop:write",)
    # `apiKey: []` inherits the OAuth2 scopes, so a read-only partner key cannot write.
    assert api_key.schemes[0][0].api_key and api_key.schemes[0][1] == ("shop:write",)
    assert shop["getPublic"].auth == ()
    # document-level security applies where the operation declares none
    assert shop["listOrders"].auth[0].schemes[0][1] == ("shop:read",)


def test_declared_api_key_scopes_option() -> None:
    doc = load_document(CONTRACTS / "shop" / "openapi.yaml")
    policies = {
        p.operation_id: p for p in compile_document(doc, "shop", CompileOptions(api_key_scopes="declared"))
    }
    assert policies["createOrder"].auth[1].schemes[0][1] == ()


def test_rate_limits_document_default_and_operation_override(shop: dict[str, Policy]) -> None:
    default = shop["listOrders"].rate_limit
    assert default is not None
    assert (default.limit, default.window, default.key, default.scope, default.name) == (
        1000,
        60.0,
        "client",
        "shop",
        "default",
    )
    own = shop["getLimited"].rate_limit
    assert own is not None and (own.limit, own.scope, own.name) == (3, "shop:getLimited", "getLimited")
    by_header = shop["getLimitedByTenant"].rate_limit
    assert by_header is not None and (by_header.key, by_header.header) == ("header", "x-tenant")


def test_idempotency_and_lifecycle(shop: dict[str, Policy]) -> None:
    assert shop["createOrder"].idempotency_header == "Idempotency-Key"
    assert shop["listOrders"].idempotency_header is None
    old = shop["getOldReport"].lifecycle
    assert old.deprecated and old.sunset is not None and old.sunset.year == 2020
    assert old.deprecated_at is not None and old.deprecated_at.isoformat().startswith("2019-06-01")
    assert old.link == "https://developer.example.com/old-report"
    assert not shop["listOrders"].lifecycle.deprecated


def test_body_validator_reports_every_violation_with_pointers(shop: dict[str, Policy]) -> None:
    body = shop["createOrder"].body
    assert body is not None and body.required
    media = body.match("application/json; charset=utf-8")
    assert media is not None and media.check is not None
    bad = {"lines": [{"sku": "A", "quantity": 0, "price": {"amount": "1.0", "currency": "usd"}}], "extra": 1}
    found = {(v.pointer, v.code) for v in media.check.violations(bad)}
    assert found == {
        ("/customerId", "required"),
        ("/extra", "unexpected_property"),
        ("/lines/0/quantity", "value_out_of_range"),
        ("/lines/0/price/currency", "pattern_mismatch"),
    }
    assert body.match("text/plain") is None
    assert body.match("") is None


def test_formats_are_asserted(shop: dict[str, Policy]) -> None:
    media = shop["createOrder"].body.match("application/json")  # type: ignore[union-attr]
    assert media is not None and media.check is not None
    order = {
        "customerId": "C1",
        "lines": [{"sku": "A", "quantity": 1, "price": {"amount": "1", "currency": "USD"}}],
    }
    assert media.check.is_valid(order)
    assert not media.check.is_valid({**order, "requestedDate": "2025-02-30"})


def test_recursive_schema_compiles_to_a_self_reference(shop: dict[str, Policy]) -> None:
    media = shop["createCategory"].body.match("application/json")  # type: ignore[union-attr]
    assert media is not None and media.check is not None
    schema = media.check.schema
    assert schema["properties"]["children"]["items"] == {"$ref": "#"}
    deep = {"name": "a", "children": [{"name": "b", "children": [{"name": "c", "children": []}]}]}
    assert media.check.is_valid(deep)
    bad = {"name": "a", "children": [{"name": "b", "children": [{"nom": "c"}]}]}
    pointers = {v.pointer for v in media.check.violations(bad)}
    assert pointers == {"/children/0/children/0/name", "/children/0/children/0/nom"}


def test_read_only_not_required_in_requests_write_only_not_in_responses(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(
        """\
openapi: 3.1.0
info: {title: T, version: 1.0.0}
paths:
  /v1/users:
    post:
      operationId: createUser
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/User'}
      responses:
        '201':
          description: Created.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/User'}
components:
  schemas:
    User:
      type: object
      required: [id, secret, name]
      properties:
        id: {type: string, readOnly: true}
        secret: {type: string, writeOnly: true}
        name: {type: string}
""",
        encoding="utf-8",
    )
    options = CompileOptions(response_validation=True)
    (policy,) = compile_document(load_document(tmp_path / "openapi.yaml"), "users", options)
    request = policy.body.match("application/json").check  # type: ignore[union-attr]
    response = policy.responses[0].media[0].check
    assert request is not None and response is not None
    assert request.schema["required"] == ["secret", "name"]
    assert response.schema["required"] == ["id", "name"]
    assert request.is_valid({"secret": "s", "name": "n"}) and not request.is_valid({"id": "u1", "name": "n"})
    assert response.is_valid({"id": "u1", "name": "n"}) and not response.is_valid(
        {"secret": "s", "name": "n"}
    )


def test_openapi_30_dialect_is_rewritten() -> None:
    doc = load_document(CONTRACTS / "legacy" / "openapi.yaml")
    (policy,) = compile_document(doc, "legacy")
    check = policy.body.match("application/json").check  # type: ignore[union-attr]
    assert check is not None
    assert check.is_valid({"name": None, "weight": 1.5, "color": None})
    assert not check.is_valid({"name": "w", "weight": 0})  # exclusiveMinimum: true with minimum 0
    assert check.is_valid({"name": "w", "weight": 0.001})
    assert policy.auth[0].schemes[0][0].location == "query"


def test_mutually_recursive_schemas_terminate() -> None:
    a: dict[str, object] = {"type": "object", "properties": {}}
    b: dict[str, object] = {"type": "object", "properties": {"a": a}}
    a["properties"] = {"b": b, "self": a}
    check = SchemaCheck(to_json_schema(a, name_of=lambda node: "A" if node is a else "B"))
    assert check.is_valid({"b": {"a": {"self": {}}}})
    assert not check.is_valid({"b": {"a": {"self": 3}}})


@pytest.mark.parametrize(
    ("json_type", "raw", "expected"),
    [
        ("integer", ["42"], 42),
        ("integer", ["4.2"], "4.2"),
        ("integer", ["9" * 40], "9" * 40),  # not parsed: a huge integer stays text and fails its type
        ("number", ["1e3"], 1000.0),
        ("number", ["nan"], "nan"),
        ("boolean", ["true"], True),
        ("boolean", ["yes"], "yes"),
        ("string", ["x", "y"], "x"),
    ],
)
def test_parameter_coercion(json_type: str, raw: list[str], expected: object) -> None:
    param = Parameter("p", "query", False, None, json_type)
    assert coerce_parameter(param, raw) == expected


def test_array_parameter_styles() -> None:
    exploded = Parameter("ids", "query", False, None, "array", "integer", explode=True)
    assert coerce_parameter(exploded, ["1", "2"]) == [1, 2]
    joined = Parameter("ids", "header", False, None, "array", "integer", explode=False, style="simple")
    assert coerce_parameter(joined, ["1,2,x"]) == [1, 2, "x"]
    piped = Parameter("ids", "query", False, None, "array", "string", explode=False, style="pipeDelimited")
    assert coerce_parameter(piped, ["a|b"]) == ["a", "b"]


def test_real_contracts_compile() -> None:
    contract_set = load_contract_set([REAL_CONTRACTS])
    policies = compile_contract_set(contract_set)
    domains = {p.domain for p in policies}
    assert {"customers", "items", "inventory", "shipments", "invoices"} <= domains
    keys = {p.key for p in policies}
    assert len(keys) == len(policies)
    for policy in policies:
        assert policy.rate_limit is not None, policy.key
        assert policy.auth, policy.key
        if policy.method == "POST" and policy.body is not None and policy.path.count("/") == 2:
            assert policy.idempotency_header is not None, policy.key


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "openapi.yaml"
    path.write_text(text)
    return path


BAD_LIMIT = """openapi: 3.1.0
info: {title: t, version: 1.0.0}
paths:
  /v1/things:
    get:
      x-accord-rate-limit:
        limit: 0
        window: 60
      responses:
        '200': {description: ok}
"""


def test_invalid_rate_limit_is_located(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, BAD_LIMIT))
    with pytest.raises(PolicyErrors) as caught:
        compile_document(doc, "things")
    assert "limit must be a positive integer" in str(caught.value)
    assert caught.value.location is not None and caught.value.location.line == 7


BAD_KEY = BAD_LIMIT.replace("limit: 0", "limit: 5\n        key: tenant")
UNKNOWN_SCHEME = """openapi: 3.1.0
info: {title: t, version: 1.0.0}
paths:
  /v1/things:
    get:
      security:
        - nosuch: []
      responses:
        '200': {description: ok}
"""
BAD_SUNSET = """openapi: 3.1.0
info: {title: t, version: 1.0.0}
paths:
  /v1/things:
    get:
      deprecated: true
      x-sunset: next tuesday
      responses:
        '200': {description: ok}
"""
BAD_PATTERN = """openapi: 3.1.0
info: {title: t, version: 1.0.0}
paths:
  /v1/things:
    get:
      parameters:
        - name: q
          in: query
          schema: {type: string, pattern: '(unclosed'}
      responses:
        '200': {description: ok}
"""


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (BAD_KEY, "key must be client, ip or header:<Name>", 8),
        (UNKNOWN_SCHEME, "security scheme 'nosuch' is not defined", 6),
        (BAD_SUNSET, "x-sunset must be an RFC 3339 date", 7),
        (BAD_PATTERN, "schema cannot be compiled", 9),
    ],
)
def test_contract_errors_are_located(tmp_path: Path, text: str, message: str, line: int) -> None:
    doc = load_document(_write(tmp_path, text))
    with pytest.raises(ConfigError) as caught:
        compile_document(doc, "things")
    assert message in str(caught.value)
    assert caught.value.location is not None
    assert caught.value.location.line == line, str(caught.value)


def test_schema_too_deep_to_compile_is_refused_where_it_is_written(tmp_path: Path) -> None:
    # A chain of 600 components, each one level below the previous: no Python recursion on the
    # way, and jsonschema-rs refuses the nesting, which the compiler reports at the schema.
    chain = "\n".join(
        f"    L{n}:\n      type: object\n      properties:\n        next: {{$ref: '#/components/schemas/L{n + 1}'}}"
        for n in range(600)
    )
    (tmp_path / "openapi.yaml").write_text(
        f"""\
openapi: 3.1.0
info: {{title: T, version: 1.0.0}}
paths:
  /v1/deep:
    post:
      operationId: deep
      requestBody:
        content:
          application/json:
            schema: {{$ref: '#/components/schemas/L0'}}
      responses:
        '204': {{description: Done.}}
components:
  schemas:
{chain}
    L600: {{type: string}}
""",
        encoding="utf-8",
    )
    with pytest.raises(PolicyErrors, match="schema cannot be compiled") as caught:
        compile_document(load_document(tmp_path / "openapi.yaml"), "deep")
    assert caught.value.location is not None and caught.value.location.pointer == "/components/schemas/L0"
