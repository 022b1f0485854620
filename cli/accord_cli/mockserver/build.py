"""Contracts -> a ready :class:`~accord_cli.mockserver.app.MockApp` (plans compiled once, here)."""

from __future__ import annotations

from collections.abc import Sequence

from accord.contracts import ContractSet
from accord.errors import AccordError, RefError, UsageError
from accord.events import InMemoryBroker, Transport
from accord.loader import Document
from accord.mock import Responder, compile_plan, event_mocks
from accord.model import Location
from accord_cli.mockserver.app import MockApp, now_rfc3339
from accord_cli.mockserver.events import EventPublisher


def select_documents(contract_set: ContractSet, domains: Sequence[str]) -> list[tuple[str, Document]]:
    """(domain, document) of the chosen domains (all by default), in catalogue order."""
    config = contract_set.config
    for error in contract_set.errors:
        if isinstance(error, AccordError) and error.message not in (
            "no such file",
            "no such file or directory",
        ):
            raise error
    if config.domains:
        unknown = [d for d in domains if d not in config.domains]
        if unknown:
            raise UsageError(
                f"unknown domain {unknown[0]!r} (known: {', '.join(config.domains)})",
                Location(config.file or "accord.yaml"),
            )
    chosen: list[tuple[str, Document]] = []
    for doc in contract_set.documents:
        domain = contract_set.domain_of(doc) or doc.display
        if domains and domain not in domains:
            continue
        if doc.ref_problems:
            problem = doc.ref_problems[0]
            raise RefError(problem.message, problem.file.location(problem.pointer))
        chosen.append((domain, doc))
    order = list(config.domains)
    chosen.sort(key=lambda item: (order.index(item[0]) if item[0] in order else len(order), item[1].kind))
    if not any(doc.kind == "openapi" for _, doc in chosen):
        raise UsageError("no OpenAPI document to serve for the chosen domains", Location(config.file or "."))
    return chosen


def build_app(
    contract_set: ContractSet,
    domains: Sequence[str] = (),
    *,
    stateful: bool = False,
    validate: bool = True,
    latency_ms: float = 0.0,
    error_rate: float = 0.0,
    fault_timeout: float = 30.0,
    events: bool = False,
    transport: Transport | None = None,
    event_interval: float | None = None,
    seed: int = 0,
) -> MockApp:
    """The mock application of ``domains``; with ``events`` it also publishes example events."""
    docs = select_documents(contract_set, domains)
    plan = compile_plan([(d, doc) for d, doc in docs if doc.kind == "openapi"], seed=seed)
    responder = Responder(plan, stateful=stateful, validate=validate, seed=seed)
    publisher = None
    if events:
        mocks = event_mocks([(d, doc) for d, doc in docs if doc.kind == "asyncapi"], seed=seed)
        publisher = EventPublisher(mocks, transport or InMemoryBroker(), now_rfc3339)
    return MockApp(
        responder,
        latency_ms=latency_ms,
        error_rate=error_rate,
        fault_timeout=fault_timeout,
        events=publisher,
        event_interval=event_interval,
    )
