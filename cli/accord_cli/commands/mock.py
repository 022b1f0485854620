"""``accord mock``: serve the contracts' operations from their examples (and publish example events).

Exit codes: 0 after a clean shutdown, 2 for usage errors or unreadable contracts.
"""

from __future__ import annotations

import click

from accord.contracts import load_contract_set
from accord.errors import UsageError
from accord.events import Transport
from accord.model import Location
from accord.serve.tls import server_context
from accord_cli._errors import report_errors
from accord_cli._output import console


def _transport(broker: str) -> Transport:
    if broker == "memory":
        from accord.events import InMemoryBroker

        return InMemoryBroker()
    if broker.startswith(("amqp://", "amqps://")):
        from accord.events.amqp import AmqpTransport

        return AmqpTransport(broker)
    raise UsageError(f"--broker must be `memory` or an amqp:// URL, not {broker!r}", Location("--broker"))


@click.command("mock")
@click.argument("domains", nargs=-1)
@click.option("--port", type=click.IntRange(0, 65535), default=4010, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--contracts",
    default=None,
    type=click.Path(exists=True),
    help="Contract catalogue folder or accord.yaml (default: ./contracts).",
)
@click.option("--stateful", is_flag=True, help="POST creates, GET reads back, PATCH updates, DELETE removes.")
@click.option(
    "--latency",
    "latency",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Milliseconds to wait before every answer.",
)
@click.option(
    "--error-rate",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Share of requests answered 503 with Retry-After.",
)
@click.option(
    "--fault-timeout",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds a `Prefer: fault=timeout` request is held before its 504.",
)
@click.option("--no-validation", is_flag=True, help="Do not validate requests against the contracts.")
@click.option("--events", is_flag=True, help="Publish example events of every `send` operation.")
@click.option(
    "--events-interval",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="With --events: publish one example every N seconds (0: only on POST /_mock/events/{operationId}).",
)
@click.option("--broker", default="memory", show_default=True, help="`memory` or an amqp:// URL (RabbitMQ).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of generated data.")
@click.option(
    "--tls-cert",
    type=click.Path(dir_okay=False),
    default=None,
    help="Serve HTTPS with this PEM certificate (with --tls-key), like the service being mocked.",
)
@click.option(
    "--tls-key", type=click.Path(dir_okay=False), default=None, help="PEM private key of --tls-cert."
)
@report_errors
def command(
    domains: tuple[str, ...],
    port: int,
    host: str,
    contracts: str | None,
    stateful: bool,
    latency: float,
    error_rate: float,
    fault_timeout: float,
    no_validation: bool,
    events: bool,
    events_interval: float,
    broker: str,
    seed: int,
    tls_cert: str | None,
    tls_key: str | None,
) -> None:
    """Serve mock APIs for DOMAINS (default: all) from their contracts.

    Responses come from named examples (choose with `Prefer: example=<name>` or `Prefer: code=<status>`),
    else from data generated from the schema; requests are validated (RFC 9457 problems on errors).
    `Prefer: fault=timeout|reset|500|503` injects a fault into one request.
    """
    from accord_cli.commands.generate import _contracts_path
    from accord_cli.mockserver import build_app
    from accord_cli.mockserver.server import run

    output = console()
    if (tls_cert is None) != (tls_key is None):
        raise UsageError("--tls-cert and --tls-key go together")
    context = server_context(tls_cert, tls_key) if tls_cert and tls_key else None
    transport = _transport(broker) if events else None
    contract_set = load_contract_set([_contracts_path(contracts)])
    app = build_app(
        contract_set,
        domains,
        stateful=stateful,
        validate=not no_validation,
        latency_ms=latency,
        error_rate=error_rate,
        fault_timeout=fault_timeout,
        events=events,
        transport=transport,
        event_interval=events_interval or None,
        seed=seed,
    )
    served = sorted({op.domain for op in app.responder.plan.operations})
    output.info(
        f"mocking {len(app.responder.plan.operations)} operations of {', '.join(served)} "
        f"on {'https' if context else 'http'}://{host}:{port}"
        + (" (stateful)" if stateful else "")
        + (f"; events via {broker}" if events else "")
    )
    run(app, host=host, port=port, ssl_context=context)
