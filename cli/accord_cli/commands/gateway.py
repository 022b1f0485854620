"""``accord gateway``: run the policy gateway (``serve``) or check its configuration (``check``)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from accord_cli._errors import report_errors
from accord_cli._output import console

_CONFIG = click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The gateway configuration (gateway.yaml).",
)


@click.group("gateway")
def command() -> None:
    """Enforce the contracts' policies in front of their upstreams."""


@command.command("serve")
@_CONFIG
@click.option("--host", default=None, help="Address to listen on (default: server.host of the config).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (default: server.port).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes sharing the port (needs the redis backend for rate limits and idempotency).",
)
@report_errors
def serve(config_path: Path, host: str | None, port: int | None, workers: int) -> None:
    """Start the gateway (HTTP/1.1, no TLS); SIGHUP reloads configuration and contracts."""
    from accord_gateway.config import load_gateway_config
    from accord_gateway.server import run

    load_gateway_config(config_path)  # fail fast, located, before the server starts
    out = console()
    run(
        config_path,
        host,
        port,
        announce=lambda url: out.info(f"accord gateway listening on {url}"),
        workers=workers,
    )


@command.command("check")
@_CONFIG
@report_errors
def check(config_path: Path) -> None:
    """Load the configuration and contracts and compile every policy, as `serve` would, then stop."""
    from accord_gateway.config import load_gateway_config
    from accord_gateway.metrics import Metrics
    from accord_gateway.state import build_state, unusable_credentials

    out = console()
    config = load_gateway_config(config_path)
    state = build_state(config, Metrics())
    per_domain = Counter(policy.domain for policy in state.policies)
    for domain, upstream in sorted(state.upstreams.items()):
        out.out(f"{domain}: {per_domain[domain]} operations -> {upstream.base_url}")
    for warning in unusable_credentials(state.policies, config):
        out.info(f"warning: {warning}")
    backend = config.rate_limit.backend if config.rate_limit.enabled else "off"
    out.info(f"{config.file}: ok ({len(state.policies)} operations, rate limit: {backend})")
