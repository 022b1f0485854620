"""Deprecation / Sunset / Link headers, 410 after sunset, and W3C Trace Context propagation."""

from __future__ import annotations

import pytest
from accord_gateway.middleware.trace import parse_traceparent

from .conftest import FULL_KEY, HarnessFactory

pytestmark = pytest.mark.anyio
VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def test_deprecated_operation_headers(gateway: HarnessFactory) -> None:
    h = gateway()
    response = await h.client.get("/v1/old-report")
    assert response.status_code == 200
    assert response.headers["deprecation"] == "@1559347200"  # 2019-06-01T00:00:00Z, RFC 9745
    assert response.headers["sunset"] == "Wed, 01 Jan 2020 00:00:00 GMT"  # RFC 8594 HTTP-date
    assert (
        response.headers["link"]
        == '<https://developer.example.com/old-report>; rel="deprecation"; type="text/html"'
    )
    plain = await h.client.get("/v1/public")
    assert "deprecation" not in plain.headers and "sunset" not in plain.headers


async def test_deprecation_without_date_and_configured_link(gateway: HarnessFactory) -> None:
    h = gateway(lifecycle={"deprecationLink": "https://docs.test/deprecations/{operationId}"})
    response = await h.client.get("/v1/report")
    assert response.headers["deprecation"] == "@0"
    assert response.headers["sunset"] == "Thu, 31 Dec 2099 23:59:59 GMT"
    assert (
        response.headers["link"]
        == '<https://docs.test/deprecations/getReport>; rel="deprecation"; type="text/html"'
    )


async def test_gone_after_sunset(gateway: HarnessFactory) -> None:
    h = gateway(lifecycle={"goneAfterSunset": True})
    gone = await h.client.get("/v1/old-report")
    assert gone.status_code == 410
    assert gone.headers["sunset"] == "Wed, 01 Jan 2020 00:00:00 GMT"
    assert gone.json()["type"] == "/problems/operation-sunset"
    assert h.upstream.calls == []
    assert (await h.client.get("/v1/report")).status_code == 200  # sunset in the future


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (VALID, True),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", True),
        ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", True),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", False),
        ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", False),
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", False),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", False),
        ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", False),
        ("00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01", False),
        ("garbage", False),
    ],
)
def test_traceparent_parsing(value: str, valid: bool) -> None:
    assert (parse_traceparent(value.encode()) is not None) is valid


async def test_valid_traceparent_is_continued_with_a_new_span(gateway: HarnessFactory) -> None:
    h = gateway()
    await h.client.get("/v1/public", headers={"traceparent": VALID, "tracestate": "vendor=abc"})
    sent = h.upstream.headers_of()
    version, trace, span, flags = sent["traceparent"].split("-")
    assert (version, trace, flags) == ("00", "4bf92f3577b34da6a3ce929d0e0e4736", "01")
    assert span != "00f067aa0ba902b7" and len(span) == 16
    assert sent["tracestate"] == "vendor=abc"
    assert h.last_log()["traceId"] == trace


async def test_invalid_traceparent_starts_a_new_trace_and_drops_tracestate(gateway: HarnessFactory) -> None:
    h = gateway()
    await h.client.get("/v1/public", headers={"traceparent": "00-zzz-1-01", "tracestate": "vendor=abc"})
    sent = h.upstream.headers_of()
    trace = sent["traceparent"].split("-")[1]
    assert len(trace) == 32 and trace != "4bf92f3577b34da6a3ce929d0e0e4736"
    assert "tracestate" not in sent
    assert h.last_log()["decisions"]["trace"] == "replaced"


async def test_trace_id_in_problem_matches_log(gateway: HarnessFactory) -> None:
    h = gateway()
    response = await h.client.get("/v1/orders", headers={"traceparent": VALID})
    assert response.status_code == 401
    assert response.json()["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736" == h.last_log()["traceId"]


async def test_forwarding_headers(gateway: HarnessFactory) -> None:
    h = gateway()
    await h.client.get(
        "/v1/orders",
        headers={
            "x-api-key": FULL_KEY,
            "x-forwarded-for": "203.0.113.7",
            "forwarded": "for=203.0.113.7",
            "connection": "keep-alive, x-secret-hop",
            "x-secret-hop": "1",
            "keep-alive": "timeout=5",
            "te": "trailers",
            "proxy-authorization": "Basic eA==",
        },
    )
    sent = h.upstream.headers_of()
    assert sent["x-forwarded-for"] == "203.0.113.7, 127.0.0.1"
    assert sent["forwarded"] == 'for=203.0.113.7, for=127.0.0.1;proto=http;host="gateway.test"'
    assert sent["x-forwarded-host"] == "gateway.test" and sent["x-forwarded-proto"] == "http"
    for hop in ("connection", "x-secret-hop", "keep-alive", "te", "proxy-authorization"):
        assert hop not in sent, hop
    assert sent["host"] == "127.0.0.1:9"  # the upstream's own authority
