"""The whole contract corpus: deterministic output, examples round-trip, services start and answer."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import httpx
import pytest
from accord_cli.commands.generate import format_sources

from accord.codegen import generate_sources
from accord.codegen.from_openapi import json_media
from accord.codegen.ir import OperationDef, Project
from accord.contracts import ContractSet
from accord.mock.fake import Faker
from accord.spec import iter_async_operations, iter_operations
from tests.codegen.conftest import ROOT, load, model_class


def test_generation_is_deterministic(corpus: ContractSet, corpus_files: dict[str, str]) -> None:
    again = generate_sources(corpus, formatter=format_sources)
    assert again == corpus_files
    for rel, text in corpus_files.items():
        assert "20" + "25-" not in text.splitlines()[0], rel  # no timestamp in the header line
        assert str(ROOT) not in text, f"{rel} embeds an absolute path"


def test_every_domain_gets_models_service_and_events(project: Project, corpus_files: dict[str, str]) -> None:
    assert {"common/models.py", "common/http.py", "__init__.py"} <= set(corpus_files)
    for domain in project.domains:
        for part in ("models", "service", "events"):
            assert f"{domain.package}/{part}.py" in corpus_files, (domain.name, part)


def test_common_types_are_defined_once(corpus_files: dict[str, str]) -> None:
    definitions = [rel for rel, text in corpus_files.items() if "\nclass Money(" in text]
    assert definitions == ["common/models.py"]


def _roundtrip(package: str, ref: Any, value: Any) -> None:
    model = model_class(package, ref)
    instance = model.model_validate(value)
    assert json.loads(instance.model_dump_json(by_alias=True, exclude_unset=True)) == value


def test_every_openapi_example_round_trips(
    corpus: ContractSet, project: Project, generated_package: str
) -> None:
    checked = 0
    for contract in corpus.contracts():
        if contract.openapi is None:
            continue
        service = project.domain(contract.domain).service
        assert service is not None
        ops = {o.operation_id: o for t in service.tags for o in t.operations}
        for op in iter_operations(contract.openapi):
            definition = ops[str(op.operation_id)]
            body = op.node.get("requestBody")
            if isinstance(body, dict) and definition.body is not None and definition.body.model is not None:
                media = json_media(body.get("content"))
                assert media is not None
                for example in (media[1].get("examples") or {}).values():
                    _roundtrip(generated_package, definition.body.model, example["value"])
                    checked += 1
            for status, response in op.node.get("responses", {}).items():
                reply = next(r for r in definition.replies if r.status == str(status))
                media = json_media(response.get("content"))
                if media is None or reply.model is None:
                    continue
                for name, example in (media[1].get("examples") or {}).items():
                    assert isinstance(name, str)
                    _roundtrip(generated_package, reply.model, example["value"])
                    checked += 1
    assert checked > 300


def test_every_asyncapi_message_example_round_trips(
    corpus: ContractSet, project: Project, generated_package: str
) -> None:
    checked = 0
    for contract in corpus.contracts():
        if contract.asyncapi is None:
            continue
        events = project.domain(contract.domain).events
        assert events is not None
        by_key = {(e.operation_id, e.message_name): e for e in events.events}
        for op in iter_async_operations(contract.asyncapi):
            for message in op.messages:
                event = by_key[(op.id, message.id)]
                for example in message.node.get("examples") or []:
                    _roundtrip(generated_package, event.model, example["payload"])
                    checked += 1
    assert checked >= 20


def _param_value(schema: dict[str, Any], example: Any, faker: Faker) -> str:
    value = example if example is not None else faker.value(schema)
    return str(value).lower() if isinstance(value, bool) else str(value)


class _Stub:
    """Answers every operation of a tag with its first documented success example."""

    def __init__(
        self, package: str, operations: list[OperationDef], examples: dict[str, tuple[int, Any]]
    ) -> None:
        http = load(package, "common.http")
        for op in operations:
            status, value = examples.get(op.operation_id, (op.default_status, None))
            reply = next((r for r in op.successes if r.status == str(status)), None)

            async def handler(
                *, _status: int = status, _value: Any = value, _reply: Any = reply, **_: Any
            ) -> Any:
                if _reply is None or _reply.model is None or _value is None:
                    return http.Reply(None, status=_status)
                return http.Reply(model_class(package, _reply.model).model_validate(_value), status=_status)

            setattr(self, op.python_name, handler)


def test_generated_services_start_and_answer(
    corpus: ContractSet, project: Project, generated_package: str
) -> None:
    faker = Faker(1)
    answered = 0
    for contract in corpus.contracts():
        if contract.openapi is None:
            continue
        domain = project.domain(contract.domain)
        assert domain.service is not None
        examples: dict[str, tuple[int, Any]] = {}
        requests: list[tuple[str, str, dict[str, str], dict[str, str], Any, int]] = []
        ops = {o.operation_id: o for t in domain.service.tags for o in t.operations}
        for op in iter_operations(contract.openapi):
            definition = ops[str(op.operation_id)]
            status = definition.default_status
            response = op.node.get("responses", {}).get(str(status), {})
            media = json_media(response.get("content"))
            value = next(iter((media[1].get("examples") or {}).values()), {}).get("value") if media else None
            examples[definition.operation_id] = (status, value)
            path, query, headers = op.path, {}, {}
            for param in op.parameters:
                schema = param.get("schema") or {}
                if param["in"] == "path":
                    path = path.replace(
                        "{" + param["name"] + "}", _param_value(schema, param.get("example"), faker)
                    )
                elif param.get("required") and param["in"] == "query":
                    query[param["name"]] = _param_value(schema, param.get("example"), faker)
                elif param.get("required") and param["in"] == "header":
                    headers[param["name"]] = _param_value(schema, param.get("example"), faker)
            body = None
            request_body = op.node.get("requestBody")
            if isinstance(request_body, dict):
                request_media = json_media(request_body.get("content"))
                if request_media is not None:
                    headers["content-type"] = request_media[0]
                    body = next(iter((request_media[1].get("examples") or {}).values()))["value"]
            requests.append((op.method.upper(), path, query, headers, body, status))
        service = load(generated_package, f"{domain.package}.service")
        handlers = {t.argument: _Stub(generated_package, t.operations, examples) for t in domain.service.tags}
        app = service.create_app(**handlers)

        async def call(app: Any = app, requests: list[Any] = requests) -> list[tuple[str, int, int]]:
            results = []
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://svc"
            ) as client:
                for method, path, query, headers, body, status in requests:
                    content = json.dumps(body).encode() if body is not None else None
                    answer = await client.request(
                        method, path, params=query, headers=headers, content=content
                    )
                    results.append((f"{method} {path}", answer.status_code, status))
            return results

        for key, got, want in asyncio.run(call()):
            assert got == want, f"{contract.domain}: {key} answered {got}, expected {want}"
            answered += 1
    assert answered > 50


def test_invalid_request_is_a_problem_with_pointers(project: Project, generated_package: str) -> None:
    service = load(generated_package, "items.service")
    domain = project.domain("items")
    assert domain.service is not None
    stubs = {t.argument: _Stub(generated_package, t.operations, {}) for t in domain.service.tags}
    app = service.create_app(**stubs)

    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
            return await client.get("/v1/items", params={"limit": "500"})

    answer = asyncio.run(call())
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert {"pointer": "/query/limit"}.items() <= answer.json()["errors"][0].items()


@pytest.mark.slow
def test_generated_code_passes_mypy_strict_and_ruff() -> None:
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "generated"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout[-3000:]
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "generated"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout[-3000:]


def test_checked_in_output_is_up_to_date(corpus_files: dict[str, str]) -> None:
    on_disk = {
        p.relative_to(ROOT / "generated").as_posix(): p.read_text(encoding="utf-8")
        for p in (ROOT / "generated").rglob("*.py")
    }
    stale = sorted(
        rel for rel in set(on_disk) | set(corpus_files) if on_disk.get(rel) != corpus_files.get(rel)
    )
    assert stale == [], f"generated/ is stale (run `accord generate`): {stale}"


def test_checked_in_package_imports_as_generated() -> None:
    import importlib

    service = importlib.import_module("generated.items.service")
    models = importlib.import_module("generated.common.models")
    assert callable(service.create_app)
    assert models.Money.model_validate({"amount": "1.00", "currency": "USD"}).currency == "USD"


def test_shared_parameters_and_responses_are_written_once_and_still_documented(
    corpus: ContractSet, project: Project, corpus_files: dict[str, str], generated_package: str
) -> None:
    source = corpus_files["orders/service.py"]
    for name in ("IdempotencyKeyHeader", "TraceparentHeader", "RESPONSE_400"):
        assert source.count(f"\n{name}") == 1, f"{name} is not defined exactly once"
    assert source.count(": IdempotencyKeyHeader") >= 2 and source.count(": RESPONSE_400") >= 2
    for contract in corpus.contracts():
        if contract.openapi is None:
            continue
        domain = project.domain(contract.domain)
        assert domain.service is not None
        service = load(generated_package, f"{domain.package}.service")
        app = service.create_app(**{t.argument: object() for t in domain.service.tags})
        documented = {
            operation["operationId"]: operation
            for path in app.openapi()["paths"].values()
            for operation in path.values()
        }
        for op in iter_operations(contract.openapi):
            generated = documented[str(op.operation_id)]
            wanted = {(p["name"], p["in"], bool(p.get("required"))) for p in op.parameters}
            got = {(p["name"], p["in"], bool(p.get("required"))) for p in generated.get("parameters", [])}
            assert got == wanted, f"{contract.domain} {op.operation_id}: parameters differ"
            statuses = {str(code) for code in op.node.get("responses", {})}
            assert statuses <= set(generated["responses"]), f"{contract.domain} {op.operation_id}: responses"
