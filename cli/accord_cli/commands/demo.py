"""``accord demo``: the whole product on one realistic flow (order to shipment), on embedded defaults."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from pathlib import Path
from typing import Any

import click
import orjson

from accord.errors import UsageError
from accord_cli._errors import Failed, report_errors
from accord_cli._output import console


async def _run(contracts: Path, broker: str | None, redis_url: str | None) -> tuple[Any, ...]:
    from accord_cli.demo.environment import build_environment
    from accord_cli.demo.events import event_desk
    from accord_cli.demo.proposal import propose_breaking_change
    from accord_cli.demo.scenario import Scenario

    started = time.perf_counter()
    env = await build_environment(contracts, broker=broker, redis_url=redis_url)
    try:
        docs = [
            (env.contract_set.domain_of(doc) or doc.display, doc)
            for doc in env.contract_set.documents
            if doc.kind == "asyncapi"
        ]
        desk = event_desk(env.transport, docs)
        await desk.start()
        scenario = Scenario(env, desk)
        await scenario.run()
        # Let the bus deliver what is in flight (AMQP is asynchronous).
        expected = sum(len(entry.events) for entry in scenario.timeline)
        deadline = time.monotonic() + 10
        while len(desk.received) < expected and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        verdict = propose_breaking_change(contracts, date.today())
        return scenario.timeline, desk.received, scenario.trace_id, verdict, time.perf_counter() - started
    finally:
        await env.close()


@click.command("demo")
@click.option("--contracts", default="contracts", show_default=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
@click.option("--broker", help="AMQP URL (e.g. amqp://guest:guest@127.0.0.1:5672/); default: in-memory bus.")
@click.option("--redis", "redis_url", help="Redis URL for rate limits and idempotency; default: in memory.")
@report_errors
def command(contracts: Path, as_json: bool, broker: str | None, redis_url: str | None) -> None:
    """Run the customer-order-to-shipment scenario through mocks, the gateway and the event bus.

    Shows the governance at work (idempotent replay, validation, scopes, throttling), every event
    with one trace id, and a breaking contract change blocked by `accord diff`. Exit 0 when every
    step behaved as the contracts say.
    """
    if broker and not broker.startswith(("amqp://", "amqps://")):
        raise UsageError(f"--broker must be an amqp:// URL, got {broker!r}")
    if redis_url and not redis_url.startswith("redis://"):
        raise UsageError(f"--redis must be a redis:// URL, got {redis_url!r}")
    if not (contracts / "accord.yaml").is_file():
        raise UsageError(f"{contracts} has no accord.yaml catalogue")
    try:
        entries, events, trace_id, verdict, seconds = asyncio.run(_run(contracts, broker, redis_url))
    except OSError as exc:
        raise UsageError(f"cannot reach a service the demo needs: {exc}") from None
    from accord_cli.demo.timeline import as_json as to_json
    from accord_cli.demo.timeline import render_rich

    out = console()
    if as_json:
        out.out(
            orjson.dumps(
                to_json(entries, events, trace_id, verdict, seconds), option=orjson.OPT_INDENT_2
            ).decode()
        )
    else:
        from rich.console import Console

        render_rich(
            Console(no_color=not out.color, soft_wrap=False, width=160),
            entries,
            events,
            trace_id,
            verdict,
            seconds,
        )
    expected_events = sum(len(e.events) for e in entries)
    if not all(e.ok for e in entries) or not verdict.blocked or len(events) < expected_events:
        raise Failed()
