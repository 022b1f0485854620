"""``accord gateway``: run the policy gateway (``serve``) or check its configuration (``check``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def _only(policies: list[Any], accepted: Callable[[Any], bool]) -> int:
    """How many operations can be satisfied only by schemes ``accepted`` picks out."""
    return sum(
        1
        for p in policies
        if p.auth and all(any(accepted(s) for s, _ in req.schemes) for req in p.auth if not req.anonymous)
    )


def _unusable_credentials(policies: list[Any], config: Any) -> list[str]:
    """Operations whose only way in is a credential the configuration cannot check."""
    found = []
    bearer = _only(policies, lambda scheme: scheme.bearer)
    if bearer and config.auth.jwt is None:
        found.append(f"{bearer} operation(s) accept only bearer tokens but auth.jwt is not configured")
    certificates = _only(policies, lambda scheme: scheme.type == "mutualTLS")
    tls = config.server.tls
    if certificates and (tls is None or tls.client_certs == "none"):
        found.append(
            f"{certificates} operation(s) accept only client certificates but server.tls.clientCerts is not set"
        )
    elif certificates and not config.auth.mutual_tls.clients:
        found.append(
            f"{certificates} operation(s) accept only client certificates but auth.mutualTls lists no client"
        )
    return found


@command.command("check")
@_CONFIG
@report_errors
def check(config_path: Path) -> None:
    """Load the configuration and contracts and compile every policy, as `serve` would, then stop."""
    from accord_gateway.config import load_gateway_config
    from accord_gateway.metrics import Metrics
    from accord_gateway.state import build_state

    out = console()
    config = load_gateway_config(config_path)
    state = build_state(config, Metrics())
    per_domain = Counter(policy.domain for policy in state.policies)
    for domain, upstream in sorted(state.upstreams.items()):
        out.out(f"{domain}: {per_domain[domain]} operations -> {upstream.base_url}")
    for warning in _unusable_credentials(state.policies, config):
        out.info(f"warning: {warning}")
    backend = config.rate_limit.backend if config.rate_limit.enabled else "off"
    out.info(f"{config.file}: ok ({len(state.policies)} operations, rate limit: {backend})")
