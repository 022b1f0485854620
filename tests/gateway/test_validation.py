"""Request validation (every violation, with its pointer) and optional response validation."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from .conftest import FULL_KEY, FakeUpstream, HarnessFactory

pytestmark = pytest.mark.anyio
AUTH = {"x-api-key": FULL_KEY}
IDEM = {**AUTH, "idempotency-key": "key-00000001"}
ORDER = {
    "customerId": "C-1",
    "lines": [{"sku": "A", "quantity": 1, "price": {"amount": "9.50", "currency": "USD"}}],
}


async def test_valid_request_passes_unchanged(gateway: HarnessFactory) -> None:
    h = gateway()
    response = await h.client.post("/v1/orders", headers=IDEM, json=ORDER)
    assert response.status_code == 200, response.text
    (call,) = h.upstream.calls
    assert orjson.loads(call["body"]) == ORDER
    assert call["headers"]["content-length"] == str(len(call["body"]))


async def test_every_body_violation_is_listed(gateway: HarnessFactory) -> None:
    h = gateway()
    body = {
        "lines": [{"sku": "A" * 40, "quantity": 0, "price": {"amount": "x", "currency": "USD"}}],
        "vip": True,
    }
    response = await h.client.post("/v1/orders", headers=IDEM, json=body)
    assert response.status_code == 400
    problem = response.json()
    assert problem["title"] == "Request validation failed"
    assert {(e["pointer"], e["code"]) for e in problem["errors"]} == {
        ("/customerId", "required"),
        ("/vip", "unexpected_property"),
        ("/lines/0/sku", "length_out_of_range"),
        ("/lines/0/quantity", "value_out_of_range"),
        ("/lines/0/price/amount", "pattern_mismatch"),
    }
    assert all(
        "x" not in e["detail"] for e in problem["errors"] if e["pointer"].endswith("amount")
    )  # no echo
    assert h.upstream.calls == []
    assert h.last_log()["decisions"]["validation"] == "failed"


async def test_parameters_path_query_header(gateway: HarnessFactory) -> None:
    h = gateway()
    response = await h.client.get("/v1/orders/BAD-1", headers=AUTH)
    assert response.status_code == 400
    assert [e["pointer"] for e in response.json()["errors"]] == ["/path/orderId"]
    response = await h.client.get("/v1/orders?limit=500&status=open&status=lost", headers=AUTH)
    assert response.status_code == 400
    assert {e["pointer"] for e in response.json()["errors"]} == {"/query/limit", "/query/status/1"}
    response = await h.client.get("/v1/orders?limit=abc", headers=AUTH)
    assert response.json()["errors"][0]["code"] == "type_mismatch"
    ok = await h.client.get("/v1/orders?limit=10&status=open&status=closed", headers=AUTH)
    assert ok.status_code == 200
    missing = await h.client.post("/v1/orders", headers=AUTH, json=ORDER)
    assert missing.status_code == 400
    assert missing.json()["errors"] == [
        {"pointer": "/header/Idempotency-Key", "detail": "is required", "code": "required"}
    ]
    assert len(h.upstream.calls) == 1


async def test_repeated_scalar_query_parameter_is_refused(gateway: HarnessFactory) -> None:
    h = gateway()
    response = await h.client.get("/v1/orders?limit=1&limit=2", headers=AUTH)
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "repeated"


@pytest.mark.parametrize(
    ("content_type", "status"),
    [("text/plain", 415), ("application/xml", 415), ("", 415), ("application/json; charset=utf-8", 200)],
)
async def test_content_type(gateway: HarnessFactory, content_type: str, status: int) -> None:
    h = gateway()
    headers = {**IDEM, "content-type": content_type} if content_type else IDEM
    response = await h.client.post("/v1/orders", headers=headers, content=orjson.dumps(ORDER))
    assert response.status_code == status, response.text
    if status == 415:
        assert response.headers["accept-post"] == "application/json"
        assert h.upstream.calls == []


async def test_merge_patch_media_type(gateway: HarnessFactory) -> None:
    h = gateway()
    wrong = await h.client.patch("/v1/orders/ORD-0001", headers=AUTH, json={"note": "x"})
    assert wrong.status_code == 415 and wrong.headers["accept-patch"] == "application/merge-patch+json"
    headers = {**AUTH, "content-type": "application/merge-patch+json"}
    right = await h.client.patch("/v1/orders/ORD-0001", headers=headers, content=b'{"note": "x"}')
    assert right.status_code == 200


async def test_invalid_json_and_missing_body(gateway: HarnessFactory) -> None:
    h = gateway()
    broken = await h.client.post(
        "/v1/orders", headers={**IDEM, "content-type": "application/json"}, content=b'{"a":'
    )
    assert broken.status_code == 400 and broken.json()["errors"][0]["code"] == "invalid_json"
    empty = await h.client.post("/v1/orders", headers=IDEM)
    assert empty.status_code == 400 and empty.json()["errors"][0]["detail"] == "a request body is required"
    assert h.upstream.calls == []


async def test_body_on_an_operation_without_one(gateway: HarnessFactory) -> None:
    h = gateway()
    response = await h.client.request("GET", "/v1/orders", headers=AUTH, content=b"{}")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "unexpected_body"


async def test_body_size_limit(gateway: HarnessFactory) -> None:
    h = gateway(validation={"maxBodyBytes": 1000})
    big = {**ORDER, "note": "x" * 1500}
    response = await h.client.post("/v1/orders", headers=IDEM, json=big)
    assert response.status_code == 413 and response.json()["type"] == "/problems/payload-too-large"

    async def chunks() -> Any:
        for _ in range(20):
            yield b"x" * 100

    streamed = await h.client.post(
        "/v1/orders", headers={**IDEM, "content-type": "application/json"}, content=chunks()
    )
    assert streamed.status_code == 413
    assert h.upstream.calls == []


async def test_non_json_body_is_streamed_through(gateway: HarnessFactory) -> None:
    h = gateway()
    payload = bytes(range(256)) * 64
    response = await h.client.put(
        "/v1/orders/ORD-1/documents",
        headers={**AUTH, "content-type": "application/octet-stream"},
        content=payload,
    )
    assert response.status_code == 200
    assert h.upstream.calls[0]["body"] == payload


async def test_recursive_body(gateway: HarnessFactory) -> None:
    h = gateway()
    tree: dict[str, Any] = {"name": "leaf"}
    for depth in range(30):
        tree = {"name": f"n{depth}", "children": [tree]}
    assert (await h.client.post("/v1/categories", headers=AUTH, json=tree)).status_code == 200
    tree["children"][0]["colour"] = "red"
    bad = await h.client.post("/v1/categories", headers=AUTH, json=tree)
    assert bad.status_code == 400 and bad.json()["errors"][0]["pointer"] == "/children/0/colour"


async def test_openapi_30_contract(gateway: HarnessFactory) -> None:
    h = gateway()
    url = f"/v1/widgets?api_key={FULL_KEY}"
    assert (await h.client.post(url, json={"name": None, "weight": 1})).status_code == 200
    bad = await h.client.post(url, json={"name": "w", "weight": 0, "color": "green"})
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/weight", "/color"}


async def test_errors_are_capped_at_100(gateway: HarnessFactory) -> None:
    h = gateway()
    body = {**ORDER, "lines": [{"sku": 1, "quantity": "x", "price": 3}] * 150}
    response = await h.client.post("/v1/orders", headers=IDEM, json={**body, "lines": body["lines"][:200]})
    problem = response.json()
    assert response.status_code == 400 and len(problem["errors"]) == 100
    assert "450 errors" in problem["detail"]


# -- response validation ---------------------------------------------------------------------------
def _bad_order_upstream(upstream: FakeUpstream) -> None:
    async def bad(_: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        return 200, [(b"content-type", b"application/json")], b'{"orderId": "ORD-1", "status": "lost"}'

    upstream.routes["/v1/orders/ORD-0001"] = bad


@pytest.mark.parametrize("mode", ["report", "enforce"])
async def test_response_validation(gateway: HarnessFactory, upstream: FakeUpstream, mode: str) -> None:
    _bad_order_upstream(upstream)
    h = gateway(validation={"responses": mode})
    response = await h.client.get("/v1/orders/ORD-0001", headers=AUTH)
    if mode == "report":
        assert response.status_code == 200 and response.json()["status"] == "lost"
    else:
        assert response.status_code == 502
        assert response.json()["errors"][0]["pointer"] == "/status"
    assert h.last_log()["decisions"]["response_validation"] == "failed"
    metrics = (await h.client.get("/metrics")).text
    assert 'accord_gateway_response_violations_total{route="/v1/orders/{orderId}"} 1.0' in metrics
    good = await h.client.get("/v1/orders", headers=AUTH)  # {"ok": ...} lacks `items`
    assert (good.status_code == 200) == (mode == "report")
