"""Hostile input: nothing here may produce a 500, and nothing invalid may reach the upstream."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import orjson
import pytest
from accord_gateway import AsgiClient, Gateway, config_from_dict, create_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import FULL_KEY, FakeUpstream, HarnessFactory, base_config

pytestmark = pytest.mark.anyio
AUTH = {"x-api-key": FULL_KEY}


async def call_raw(
    app: Gateway,
    method: str,
    raw_path: bytes,
    headers: list[tuple[bytes, bytes]] | None = None,
    body: bytes = b"",
    query: bytes = b"",
) -> tuple[int, dict[bytes, bytes], bytes]:
    """Call the ASGI app with exactly these bytes (httpx would normalise paths and refuse CR/LF)."""
    from urllib.parse import unquote

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(raw_path.decode("latin-1"), errors="replace"),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"gateway.test"), *(headers or [])],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }
    sent = False
    status = 0
    out_headers: dict[bytes, bytes] = {}
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            out_headers.update(dict(message["headers"]))
        else:
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, out_headers, b"".join(chunks)


@pytest.mark.parametrize(
    "raw_path",
    [
        b"/v1/orders/%2e%2e/%2e%2e/admin",
        b"/v1/orders/..%2Fadmin",
        b"/v1/orders/ORD-0001%2F..%2F..%2Fsecret",
        b"/v1/orders/%2E%2E",
        b"/v1/orders/..",
        b"/v1/orders/.",
        b"/v1//orders",
        b"//v1/orders",
        b"/v1/orders/ORD-0001/",
        b"/v1/orders/ORD%00-0001",
        b"/v1/orders/%ff%fe",
        b"/v1/orders\\..\\admin",
        b"/" + b"a/" * 2000,
        b"/v1/orders/" + b"%" * 50,
        b"*",
        b"",
    ],
)
async def test_path_attacks_never_reach_the_upstream(gateway: HarnessFactory, raw_path: bytes) -> None:
    h = gateway()
    status, headers, body = await call_raw(h.app, "GET", raw_path, [(b"x-api-key", FULL_KEY.encode())])
    assert status in (400, 404), (status, body)
    assert headers[b"content-type"] == b"application/problem+json"
    assert h.upstream.calls == []


@pytest.mark.parametrize(
    "header",
    [
        (b"x-custom", b"a\r\nx-injected: 1"),
        (b"x-custom", b"a\nb"),
        (b"x-custom", b"a\x00b"),
        (b"authorization", b"Bearer a\r\nx: y"),
    ],
)
async def test_header_injection_is_refused(gateway: HarnessFactory, header: tuple[bytes, bytes]) -> None:
    h = gateway()
    status, _, _ = await call_raw(h.app, "GET", b"/v1/public", [header])
    assert status == 400
    assert h.upstream.calls == []


async def test_oversized_headers_are_431(gateway: HarnessFactory) -> None:
    h = gateway()
    status, _, body = await call_raw(h.app, "GET", b"/v1/public", [(b"x-big", b"a" * 20_000)])
    assert status == 431 and orjson.loads(body)["status"] == 431
    many = [(f"x-h{i}".encode(), b"v" * 100) for i in range(200)]
    assert (await call_raw(h.app, "GET", b"/v1/public", many))[0] == 431
    assert h.upstream.calls == []


@pytest.mark.parametrize(
    "name", [b"content-length", b"authorization", b"host", b"transfer-encoding", b"x-api-key"]
)
async def test_duplicated_sensitive_headers_are_refused(gateway: HarnessFactory, name: bytes) -> None:
    h = gateway()
    status, _, _ = await call_raw(h.app, "GET", b"/v1/public", [(name, b"1"), (name, b"2")])
    assert status == 400
    assert h.upstream.calls == []


@pytest.mark.parametrize("value", [b"-1", b"abc", b"1e3", b"99999999999999999999", b" 5"])
async def test_bad_content_length(gateway: HarnessFactory, value: bytes) -> None:
    h = gateway()
    status, _, _ = await call_raw(h.app, "GET", b"/v1/public", [(b"content-length", value)])
    assert status == 400


async def test_ten_megabyte_body_is_413_without_reading_it(gateway: HarnessFactory) -> None:
    h = gateway()
    big = b"[" + b"1," * (5 * 1024 * 1024) + b"1]"
    response = await h.client.post(
        "/v1/orders",
        headers={**AUTH, "idempotency-key": "key-00000001", "content-type": "application/json"},
        content=big,
    )
    assert response.status_code == 413
    assert h.upstream.calls == []


@pytest.mark.parametrize(
    "payload",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deep nesting: orjson refuses past its recursion limit
        b'{"customerId": "C", "lines": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b"\xff\xfe not utf-8",
        b'{"customerId": "\\ud800", "lines": []}',
        b"NaN",
        b'{"a": 1, "a": 2}',
        b"",
        b"null",
        b"1" * 5000,
    ],
)
async def test_malformed_json_never_500(gateway: HarnessFactory, payload: bytes) -> None:
    h = gateway()
    response = await h.client.post(
        "/v1/orders",
        headers={**AUTH, "idempotency-key": "key-00000001", "content-type": "application/json"},
        content=payload,
    )
    assert response.status_code == 400, response.text
    assert h.upstream.calls == []


async def test_deeply_nested_valid_json_against_recursive_schema(gateway: HarnessFactory) -> None:
    h = gateway()
    tree: dict[str, Any] = {"name": "x"}
    for _ in range(400):
        tree = {"name": "x", "children": [tree]}
    headers = {**AUTH, "content-type": "application/json"}
    response = await h.client.post("/v1/categories", headers=headers, content=json.dumps(tree))
    assert response.status_code == 200


async def test_query_string_flood(gateway: HarnessFactory) -> None:
    h = gateway()
    status, _, body = await call_raw(
        h.app, "GET", b"/v1/orders", [(b"x-api-key", FULL_KEY.encode())], query=b"a=1&" * 5000
    )
    assert status == 400 and b"more than 256 fields" in body


async def test_weird_methods(gateway: HarnessFactory) -> None:
    h = gateway()
    for method in ("PROPFIND", "CONNECT", "TRACE", "get"):
        status, headers, _ = await call_raw(h.app, method, b"/v1/public")
        assert status == 405 and headers[b"allow"] == b"GET"
    assert h.upstream.calls == []


_PATH_CHARS = st.sampled_from(
    ["/", ".", "%", "2", "e", "F", "f", "\\", "v1", "orders", "ORD-0001", "~", ";", "%00", "?"]
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    segments=st.lists(_PATH_CHARS, max_size=12),
    method=st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT"]),
    body=st.binary(max_size=64),
)
def test_fuzzed_requests_never_500(segments: list[str], method: str, body: bytes) -> None:
    upstream = FakeUpstream()
    app = _fuzz_app(upstream)
    raw = ("/" + "".join(segments)).encode()
    headers = [
        (b"x-api-key", FULL_KEY.encode()),
        (b"content-type", b"application/json"),
        (b"idempotency-key", b"k" * 10),
    ]
    headers.append((b"content-length", str(len(body)).encode()))
    status, _, _ = asyncio.run(call_raw(app, method, raw, headers, body))
    assert status != 500 and status != 0
    if status >= 400:
        assert upstream.calls == []


def _fuzz_app(upstream: FakeUpstream) -> Gateway:
    config = config_from_dict(base_config(None))
    app = create_app(config, upstream_clients={"*": AsgiClient(upstream)}, access_log=lambda _: None)
    return app
