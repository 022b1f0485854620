"""schemathesis against the mock of each domain, in-process and bounded: no conformance failure."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import schemathesis
from accord_cli.mockserver import MockApp, build_app
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks

from accord.contracts import ContractSet
from accord.mock import Answer
from tests.mock.conftest import ROOT
from tests.mock.test_stateful import DOMAINS

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]
MAX_EXAMPLES = 4
BUDGET_SECONDS = 60.0


def _case_runner(
    operation: Any, loop: asyncio.AbstractEventLoop, client: httpx.AsyncClient, failures: list[str]
) -> Any:
    label = operation.label

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        kwargs = case.as_transport_kwargs(base_url="http://mock")
        for key in ("timeout", "allow_redirects", "follow_redirects", "verify"):
            kwargs.pop(key, None)
        cookies = kwargs.pop("cookies", None)
        if cookies:  # per-request cookies are deprecated in httpx: send the header
            kwargs["headers"] = {
                **(kwargs.get("headers") or {}),
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            }
        response = loop.run_until_complete(client.request(**kwargs))
        check.sent += 1  # type: ignore[attr-defined]
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a Failure or a group of them
            failures.append(f"{label} -> {response.status_code}: {str(exc)[:400]}")

    check.sent = 0  # type: ignore[attr-defined]
    return check


def run_schemathesis(app: MockApp, contract: str) -> tuple[int, list[str]]:
    """(requests sent, failures) of a bounded run of every operation of ``contract``."""
    schema = schemathesis.openapi.from_path(contract)
    loop = asyncio.new_event_loop()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock")
    failures: list[str] = []
    sent = 0
    deadline = time.monotonic() + BUDGET_SECONDS
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            if time.monotonic() > deadline:
                break

            check = _case_runner(operation, loop, client, failures)
            check()
            sent += check.sent
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()
    return sent, failures


@pytest.mark.parametrize("domain", DOMAINS)
def test_mock_conforms_to_its_contract(corpus: ContractSet, domain: str) -> None:
    contract = ROOT / "contracts" / domain / "openapi.yaml"
    if not contract.is_file():
        pytest.skip(f"{domain} has no contract yet")
    sent, failures = run_schemathesis(build_app(corpus, [domain]), str(contract))
    assert sent >= 10
    assert failures == []


def test_a_broken_mock_is_caught(corpus: ContractSet) -> None:
    """Control: a mock that answers with an undocumented shape must fail the same run."""
    app = build_app(corpus, ["items"])
    original: Callable[..., Answer] = app.responder.handle

    def broken(*args: Any, **kwargs: Any) -> Answer:
        answer = original(*args, **kwargs)
        if answer.status == 200:
            return Answer(200, [("content-type", "application/json")], b'{"unexpected": true}')
        return answer

    app.responder.handle = broken  # type: ignore[method-assign]
    _, failures = run_schemathesis(app, str(ROOT / "contracts" / "items" / "openapi.yaml"))
    assert any("-> 200" in f for f in failures)
