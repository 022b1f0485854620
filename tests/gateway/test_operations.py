"""Operations: Prometheus metrics with bounded labels, JSON access log, health, readiness, reload."""

from __future__ import annotations

import asyncio
import random
import string
from pathlib import Path

import pytest
import yaml
from accord_gateway import config_from_dict

from accord.errors import ConfigError

from .conftest import CONTRACTS, FULL_KEY, FakeUpstream, HarnessFactory, base_config

pytestmark = pytest.mark.anyio
AUTH = {"x-api-key": FULL_KEY}


def _series(metrics: str, name: str) -> list[str]:
    return [line for line in metrics.splitlines() if line.startswith(name + "{")]


async def test_labels_stay_bounded_under_random_paths(gateway: HarnessFactory) -> None:
    h = gateway()
    rng = random.Random(7)
    for _ in range(300):
        segment = "".join(rng.choices(string.ascii_letters + string.digits, k=12))
        method = rng.choice(["GET", "POST", "BREW", "PURGE", "DELETE"])
        await h.client.request(method, f"/v1/{segment}/{segment[::-1]}", headers=AUTH)
        await h.client.get(f"/v1/orders/ORD-{rng.randrange(10_000):04d}", headers=AUTH)
    metrics = (await h.client.get("/metrics")).text
    series = _series(metrics, "accord_gateway_requests_total")
    routes = {line.split('route="')[1].split('"')[0] for line in series}
    assert routes == {"unmatched", "/v1/orders/{orderId}"}
    assert len(series) <= 5  # (route, method, status) combinations, not one per path
    methods = {line.split('method="')[1].split('"')[0] for line in series}
    assert methods <= {"GET", "POST", "DELETE", "OTHER"}
    assert len(_series(metrics, "accord_gateway_request_duration_seconds_bucket")) <= 5 * 15


async def test_latency_histogram_and_rejections(gateway: HarnessFactory) -> None:
    h = gateway()
    await h.client.get("/v1/orders", headers=AUTH)
    await h.client.get("/v1/orders")
    metrics = (await h.client.get("/metrics")).text
    assert (
        'accord_gateway_request_duration_seconds_count{method="GET",route="/v1/orders",status="200"} 1.0'
        in metrics
    )
    assert 'accord_gateway_policy_rejections_total{policy="auth",reason="missing_credential"} 1.0' in metrics


async def test_access_log_line(gateway: HarnessFactory) -> None:
    h = gateway()
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    await h.client.get(
        "/v1/orders?limit=5", headers={**AUTH, "traceparent": f"00-{trace}-00f067aa0ba902b7-01"}
    )
    entry = h.last_log()
    assert entry["traceId"] == trace and entry["client"] == "full-client"
    assert entry["route"] == "/v1/orders" and entry["path"] == "/v1/orders" and entry["status"] == 200
    assert entry["latencyMs"] > 0
    assert entry["decisions"] == {
        "trace": "continued",
        "auth": "api_key",
        "rate_limit": "allowed",
        "validation": "passed",
        "upstream": "200",
    }


async def test_health_and_readiness(gateway: HarnessFactory) -> None:
    h = gateway()
    assert (await h.client.get("/healthz")).json() == {"status": "ok"}
    ready = await h.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert h.upstream.calls == []


async def test_reload_swaps_policies_without_dropping_in_flight(
    gateway: HarnessFactory, upstream: FakeUpstream, tmp_path: Path
) -> None:
    release = asyncio.Event()

    async def slow(_: dict[str, object]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        await release.wait()
        return 200, [(b"content-type", b"application/json")], b'{"slow": true}'

    upstream.routes["/v1/public"] = slow
    h = gateway()
    in_flight = asyncio.ensure_future(h.client.get("/v1/public"))
    await asyncio.sleep(0.05)
    old_state = h.app.state
    assert old_state.inflight == 1
    await h.app.reload(config_from_dict(base_config(None, domains=["legacy"])))
    assert h.app.state is not old_state and h.app.reloads == 1
    # new requests see the new configuration (shop is no longer mounted) ...
    assert (await h.client.get("/v1/public")).status_code == 404
    # ... while the request that started before the reload completes normally
    release.set()
    response = await in_flight
    assert response.status_code == 200 and response.json() == {"slow": True}
    await asyncio.sleep(0.1)
    assert old_state.closed


async def test_failed_reload_keeps_running_configuration(gateway: HarnessFactory, tmp_path: Path) -> None:
    h = gateway()
    broken = tmp_path / "gateway.yaml"
    broken.write_text(yaml.safe_dump({"contracts": str(CONTRACTS), "rateLimit": {"backend": "etcd"}}))
    before = h.app.state
    with pytest.raises(ConfigError) as caught:
        await h.app.reload(broken)
    assert caught.value.location is not None and caught.value.location.line == 3
    assert h.app.state is before
    assert (await h.client.get("/v1/public")).status_code == 200
