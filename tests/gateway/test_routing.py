"""Routing: one lookup per request, 404 / 405 with Allow, problem+json with a trace id."""

from __future__ import annotations

import pytest
from accord_gateway.routing import BadPath, Router

from accord.errors import ConfigError
from accord.model import Location
from accord.policy import Policy

from .conftest import FULL_KEY, HarnessFactory

pytestmark = pytest.mark.anyio


def _policy(method: str, path: str, domain: str = "d") -> Policy:
    return Policy(domain, f"{method}{path}", method, path, Location(f"{domain}.yaml", "", 3, 1))


def test_static_segments_win_over_parameters() -> None:
    router = Router([_policy("GET", "/v1/items/{itemId}"), _policy("GET", "/v1/items/search")])
    static = router.match("GET", b"/v1/items/search")
    assert static is not None and static.policy is not None and static.policy.path == "/v1/items/search"
    param = router.match("GET", b"/v1/items/A%20B")
    assert param is not None and param.params == {"itemId": "A B"}


def test_backtracking_finds_the_deeper_template() -> None:
    router = Router([_policy("GET", "/v1/a/{x}/c"), _policy("GET", "/v1/a/b")])
    found = router.match("GET", b"/v1/a/b/c")
    assert found is not None and found.params == {"x": "b"}


def test_method_not_allowed_lists_methods() -> None:
    router = Router([_policy("GET", "/v1/x"), _policy("POST", "/v1/x")])
    found = router.match("DELETE", b"/v1/x")
    assert found is not None and found.policy is None and found.allowed == ("GET", "POST")


@pytest.mark.parametrize(
    "raw",
    [
        b"/v1/items/a%2Fb",
        b"/v1/items/%2e%2e",
        b"/v1/items/..",
        b"/v1/items/%2E",
        b"/v1/items/a%00",
        b"/v1/items/%5C",
    ],
)
def test_traversal_and_encoded_separators_are_refused(raw: bytes) -> None:
    router = Router([_policy("GET", "/v1/items/{itemId}")])
    with pytest.raises(BadPath):
        router.match("GET", raw)


@pytest.mark.parametrize(
    "raw", [b"//v1/items/1", b"/v1//items/1", b"/v1/items/", b"v1/items/1", b"/v1/items/1/"]
)
def test_empty_segments_do_not_match(raw: bytes) -> None:
    router = Router([_policy("GET", "/v1/items/{itemId}")])
    assert router.match("GET", raw) is None


def test_colliding_operations_across_domains_are_located() -> None:
    with pytest.raises(ConfigError) as caught:
        Router([_policy("GET", "/v1/x/{a}", "one"), _policy("GET", "/v1/x/{b}", "two")])
    assert "collides" in str(caught.value)
    assert caught.value.location == Location("two.yaml", "", 3, 1)


def test_mixed_segment_templates_are_refused() -> None:
    with pytest.raises(ConfigError, match="mixes text and a parameter"):
        Router([_policy("GET", "/v1/files/{name}.json")])


async def test_unknown_path_is_404_problem_with_trace_id(gateway: HarnessFactory) -> None:
    h = gateway()
    response = await h.client.get("/v1/nothing-here", headers={"x-api-key": FULL_KEY})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["instance"] == "/v1/nothing-here"
    assert len(body["traceId"]) == 32
    assert h.upstream.calls == []
    assert h.last_log()["route"] == "unmatched"


async def test_wrong_method_is_405_with_allow(gateway: HarnessFactory) -> None:
    h = gateway()
    response = await h.client.delete("/v1/orders/ORD-0001", headers={"x-api-key": FULL_KEY})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH"
    assert response.json()["type"] == "/problems/method-not-allowed"
    assert h.upstream.calls == []


async def test_known_operation_is_proxied_with_path_and_query(gateway: HarnessFactory) -> None:
    h = gateway()
    response = await h.client.get("/v1/orders/ORD-0042?verbose=1", headers={"x-api-key": FULL_KEY})
    assert response.status_code == 200, response.text
    (call,) = h.upstream.calls
    assert (call["method"], call["path"], call["query"]) == ("GET", "/v1/orders/ORD-0042", "verbose=1")
    log = h.last_log()
    assert log["route"] == "/v1/orders/{orderId}" and log["operationId"] == "getOrder"
    assert log["client"] == "full-client" and log["status"] == 200


async def test_problem_type_base_is_configurable(gateway: HarnessFactory) -> None:
    h = gateway(problemTypeBase="https://api.example.com/problems/")
    response = await h.client.get("/nope")
    assert response.json()["type"] == "https://api.example.com/problems/not-found"
