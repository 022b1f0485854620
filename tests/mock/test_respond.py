"""The responder (pure): routing, Prefer, validation problems with pointers, faults, headers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from accord.contracts import ContractSet
from accord.loader import load_document
from accord.mock import MockRequest, Responder, compile_plan, parse_prefer
from accord.mock.plan import MockPlan


@pytest.fixture(scope="module")
def plan(widgets: ContractSet) -> MockPlan:
    docs = [(c.domain, c.openapi) for c in widgets.contracts() if c.openapi is not None]
    return compile_plan(docs)


def _json(body: bytes) -> object:
    return orjson.loads(body)


def test_prefer_parsing() -> None:
    prefer = parse_prefer('code=404, example="notFound"; fault=Timeout, dynamic=true, respond-async')
    assert (prefer.code, prefer.example, prefer.fault, prefer.dynamic) == (404, "notFound", "timeout", True)
    assert parse_prefer(None).code is None


def test_first_example_of_first_success_by_default(plan: MockPlan) -> None:
    answer = Responder(plan).handle(MockRequest("GET", "/v1/widgets/WID-0001"))
    assert answer.status == 200
    assert ("content-type", "application/json") in answer.headers
    assert _json(answer.body) == {
        "widgetId": "WID-0001",
        "name": "Sprocket",
        "price": {"amount": "9.50", "currency": "USD"},
        "colour": "red",
    }


def test_prefer_code_and_example(plan: MockPlan) -> None:
    responder = Responder(plan)
    answer = responder.handle(MockRequest("GET", "/v1/widgets", headers={"prefer": "example=two"}))
    assert answer.status == 200 and len(_json(answer.body)["items"]) == 2  # type: ignore[index]
    missing = responder.handle(MockRequest("GET", "/v1/widgets", headers={"prefer": "example=three"}))
    assert missing.status == 404 and "no example named 'three'" in _json(missing.body)["detail"]  # type: ignore[index]
    coded = responder.handle(MockRequest("GET", "/v1/widgets/WID-0001", headers={"prefer": "code=404"}))
    assert coded.status == 404
    assert ("content-type", "application/problem+json") in coded.headers


def test_schema_driven_body_without_examples(plan: MockPlan) -> None:
    answer = Responder(plan).handle(
        MockRequest("GET", "/v1/widgets/WID-0001", headers={"prefer": "dynamic=true"})
    )
    body = _json(answer.body)
    assert answer.status == 200
    assert set(body) >= {"widgetId", "name", "price"}  # type: ignore[arg-type]


def test_validation_problem_points_at_each_error(plan: MockPlan) -> None:
    request = MockRequest(
        "POST",
        "/v1/widgets",
        "limit=1",
        headers={"content-type": "application/json"},
        body=b'{"name": "", "price": {"amount": "x", "currency": "usd"}, "extra": 1}',
    )
    answer = Responder(plan).handle(request)
    problem = _json(answer.body)
    assert answer.status == 400
    assert ("content-type", "application/problem+json") in answer.headers
    pointers = sorted(e["pointer"] for e in problem["errors"])  # type: ignore[index]
    assert pointers == ["", "/header/Idempotency-Key", "/name", "/price/amount", "/price/currency"]
    assert problem["instance"] == "/v1/widgets" and problem["status"] == 400  # type: ignore[index]
    codes = {e["pointer"]: e["code"] for e in problem["errors"]}  # type: ignore[index]
    assert codes["/name"] == "min_length" and codes[""] == "additional_properties"


def test_query_and_path_parameters_are_typed_then_validated(plan: MockPlan) -> None:
    responder = Responder(plan)
    assert responder.handle(MockRequest("GET", "/v1/widgets", "limit=10&colour=red")).status == 200
    bad = responder.handle(MockRequest("GET", "/v1/widgets", "limit=ten&colour=green"))
    assert sorted(e["pointer"] for e in _json(bad.body)["errors"]) == ["/query/colour", "/query/limit"]  # type: ignore[index]
    path = responder.handle(MockRequest("GET", "/v1/widgets/nope"))
    assert _json(path.body)["errors"][0]["pointer"] == "/path/widgetId"  # type: ignore[index]


def test_invalid_json_body(plan: MockPlan) -> None:
    answer = Responder(plan).handle(
        MockRequest(
            "POST",
            "/v1/widgets",
            headers={"content-type": "application/json", "idempotency-key": "abcdefgh"},
            body=b"{not json",
        )
    )
    assert answer.status == 400 and _json(answer.body)["errors"][0]["code"] == "invalid_json"  # type: ignore[index]


def test_validation_can_be_turned_off(plan: MockPlan) -> None:
    assert Responder(plan, validate=False).handle(MockRequest("GET", "/v1/widgets/nope")).status == 200


def test_unknown_path_and_method(plan: MockPlan) -> None:
    responder = Responder(plan)
    assert responder.handle(MockRequest("GET", "/v2/nothing")).status == 404
    assert responder.handle(MockRequest("PUT", "/v1/widgets")).status == 405


def test_documented_headers_are_sent(plan: MockPlan) -> None:
    answer = Responder(plan).handle(
        MockRequest(
            "POST",
            "/v1/widgets",
            headers={"content-type": "application/json", "idempotency-key": "abcdefgh"},
            body=b'{"name": "Gear", "price": {"amount": "1.00", "currency": "EUR"}}',
        )
    )
    assert answer.status == 201
    assert ("Location", "/v1/widgets/WID-0001") in answer.headers


@pytest.mark.parametrize(("fault", "status"), [("500", 500), ("503", 503)])
def test_fault_statuses(plan: MockPlan, fault: str, status: int) -> None:
    answer = Responder(plan).handle(MockRequest("GET", "/v1/widgets", headers={"prefer": f"fault={fault}"}))
    assert answer.status == status
    assert ("content-type", "application/problem+json") in answer.headers
    if status == 503:
        assert ("retry-after", "1") in answer.headers


@pytest.mark.parametrize("fault", ["timeout", "reset"])
def test_timing_faults_are_left_to_the_server(plan: MockPlan, fault: str) -> None:
    answer = Responder(plan).handle(MockRequest("GET", "/v1/widgets", headers={"prefer": f"fault={fault}"}))
    assert answer.fault == fault


def test_problem_keeps_the_trace_id(plan: MockPlan) -> None:
    trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    answer = Responder(plan).handle(MockRequest("GET", "/v1/widgets/x", headers={"traceparent": trace}))
    assert _json(answer.body)["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736"  # type: ignore[index]


def _poster(folder: Path, document: str) -> Callable[[bytes], int]:
    """POST /v1/widgets against a mock of ``document``; returns the status of each body posted."""
    (folder / "openapi.yaml").write_text(document, encoding="utf-8")
    responder = Responder(compile_plan([("widgets", load_document(folder / "openapi.yaml"))]))

    def post(body: bytes) -> int:
        headers = {"content-type": "application/json"}
        return responder.handle(MockRequest("POST", "/v1/widgets", headers=headers, body=body)).status

    return post


def test_openapi_30_schemas_are_read_in_their_dialect(tmp_path: Path) -> None:
    post = _poster(
        tmp_path,
        """\
openapi: 3.0.3
info: {title: Legacy, version: 1.0.0}
paths:
  /v1/widgets:
    post:
      operationId: createWidget
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [weight]
              properties:
                weight: {type: number, minimum: 0, exclusiveMinimum: true}
                color: {type: string, enum: [red, blue], nullable: true}
      responses:
        '201': {description: Created.}
""",
    )
    assert post(b'{"weight": 0.5, "color": null}') == 201
    assert post(b'{"weight": 0}') == 400  # exclusiveMinimum: true with minimum 0
    assert post(b'{"weight": 1, "color": "green"}') == 400


def test_read_only_fields_are_not_required_in_requests(tmp_path: Path) -> None:
    post = _poster(
        tmp_path,
        """\
openapi: 3.1.0
info: {title: Widgets, version: 1.0.0}
paths:
  /v1/widgets:
    post:
      operationId: createWidget
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Widget'}
      responses:
        '201':
          description: Created.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Widget'}
components:
  schemas:
    Widget:
      type: object
      required: [widgetId, name]
      properties:
        widgetId: {type: string, readOnly: true}
        name: {type: string}
""",
    )
    assert post(b'{"name": "bolt"}') == 201  # the server assigns widgetId
    assert post(b"{}") == 400  # name is still required
