"""`accord demo`: the order-to-shipment scenario shows each governance policy and one trace id."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from accord_cli.main import cli
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]


def _demo(*extra: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["demo", "--json", "--contracts", str(ROOT / "contracts"), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


def _assert_story(payload: dict[str, Any]) -> None:
    steps = payload["steps"]
    assert all(step["ok"] for step in steps), [s for s in steps if not s["ok"]]
    by_policy = {step["governance"]: step for step in steps if step["governance"]}
    assert "replayed from the idempotency store" in by_policy["idempotency"]["detail"]
    malformed, missing_if_match = [step for step in steps if step["governance"] == "validation"]
    assert malformed["status"] == missing_if_match["status"] == 400
    assert "/lines/0/quantity/value" in malformed["detail"] and "/currency" in malformed["detail"]
    assert "/header/If-Match" in missing_if_match["detail"]
    assert by_policy["authorization"]["status"] == 403
    assert "insufficient_scope" in by_policy["authorization"]["detail"]
    burst = by_policy["rate limit"]
    assert burst["status"] == 429 and "Retry-After" in burst["detail"]
    # GCRA refills one request every 0.5 s (120 per 60 s) while the burst runs: 120 and a few more.
    admitted = int(burst["detail"].split(" admitted")[0])
    assert 120 <= admitted < 125
    events = payload["events"]
    emitted = [event for step in steps for event in step["events"]]
    assert len(events) == len(emitted) >= 15
    assert {e["type"] for e in events} == set(emitted)
    assert {e["traceparent"].split("-")[1] for e in events} == {payload["traceId"]}
    assert len({(e["source"], e["id"]) for e in events}) == len(events)
    proposal = payload["proposal"]
    assert proposal["blocked"] is True and proposal["suggestedVersion"] == "2.0.0"
    ids = {change["id"] for change in proposal["changes"]}
    assert {"new-required-request-property", "response-property-removed", "version-bump-required"} <= ids
    assert "## orders" in proposal["changelog"]


def test_demo_on_embedded_defaults() -> None:
    code, payload = _demo()
    assert code == 0
    assert payload["ok"] is True
    _assert_story(payload)


@pytest.mark.redis
@pytest.mark.rabbitmq
def test_demo_on_real_services(redis_url: str, amqp_url: str) -> None:
    code, payload = _demo("--broker", amqp_url, "--redis", redis_url)
    assert code == 0
    _assert_story(payload)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--broker", "http://x"], "--broker must be an amqp:// URL"),
        (["--redis", "rediss//x"], "--redis must be a redis:// URL"),
        (["--contracts", "/nonexistent"], "has no accord.yaml catalogue"),
    ],
)
def test_bad_options_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["demo", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_unreachable_broker_is_a_clear_error() -> None:
    result = CliRunner().invoke(cli, ["demo", "--broker", "amqp://guest:guest@127.0.0.1:9/"])
    assert result.exit_code == 2
    assert "cannot reach a service" in result.stderr
