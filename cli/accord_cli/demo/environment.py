"""The demo's world: stateful mocks of every domain behind the policy gateway, an event bus, tokens.

Everything runs in this process: the gateway calls the mock through an in-process ASGI upstream and
the client calls the gateway through ``httpx.ASGITransport``, so the demo needs no free ports.
``--broker`` and ``--redis`` swap the in-memory event bus and rate-limit/idempotency stores for
RabbitMQ and Redis.
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx
import jwt
from accord_gateway import AsgiClient, config_from_dict, create_app
from cryptography.hazmat.primitives.asymmetric import rsa

from accord.contracts import ContractSet, load_contract_set
from accord.events import InMemoryBroker, Transport
from accord_cli.mockserver.build import build_app

ISSUER = "https://auth.acme-distribution.example/"
AUDIENCE = "https://api.acme-distribution.example"
GATEWAY = "http://gateway.local"


@dataclass
class Environment:
    contract_set: ContractSet
    client: httpx.AsyncClient
    transport: Transport
    gateway: Any
    mock: Any
    upstream_calls: dict[str, AsgiClient]
    private_key: Any
    workdir: tempfile.TemporaryDirectory[str]
    closers: list[Any] = field(default_factory=list)

    def token(self, client_id: str, scopes: list[str], lifetime: int = 900) -> str:
        """An RS256 access token from the demo's identity provider."""
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": client_id,
            "client_id": client_id,
            "scope": " ".join(scopes),
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
        }
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": "demo-1"})

    def upstream_hits(self) -> int:
        return sum(client.calls for client in self.upstream_calls.values())

    async def close(self) -> None:
        await self.client.aclose()
        for closer in self.closers:
            result = closer()
            if hasattr(result, "__await__"):
                await result
        self.workdir.cleanup()


def _jwks(private_key: Any) -> dict[str, Any]:
    public = jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {"keys": [{**public, "kid": "demo-1", "use": "sig", "alg": "RS256"}]}


async def build_environment(
    contracts: Path, *, broker: str | None = None, redis_url: str | None = None
) -> Environment:
    """Load the contracts, start mocks + gateway in process and connect the event bus."""
    contract_set = load_contract_set([contracts])
    if contract_set.errors:
        raise contract_set.errors[0]
    transport: Transport
    if broker:
        from accord.events.amqp import AmqpTransport

        amqp = AmqpTransport(broker)
        await amqp.connect()
        transport = amqp
    else:
        transport = InMemoryBroker()
    mock = build_app(contract_set, stateful=True, validate=True, seed=7)
    workdir = tempfile.TemporaryDirectory(prefix="accord-demo-")
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    Path(workdir.name, "jwks.json").write_text(json.dumps(_jwks(private_key)))
    backend = "redis" if redis_url else "memory"
    config = config_from_dict(
        {
            "version": 1,
            "contracts": str(contracts.resolve()),
            "auth": {
                "realm": "acme-distribution",
                "jwt": {"jwks": "jwks.json", "issuer": ISSUER, "audience": AUDIENCE, "algorithms": ["RS256"]},
            },
            "rateLimit": {"backend": backend},
            "idempotency": {"backend": backend},
            # A prefix per run: quotas and idempotency keys of an earlier demo must not leak in.
            **(
                {"redis": {"url": redis_url, "prefix": f"accord-demo:{uuid.uuid4().hex[:8]}:"}}
                if redis_url
                else {}
            ),
            "validation": {"responses": "report"},
            "accessLog": {"enabled": False},
        },
        base_dir=Path(workdir.name),
    )
    domains = [name for name, entry in contract_set.config.domains.items() if entry.openapi]
    upstreams = {name: AsgiClient(mock) for name in domains}
    gateway = create_app(config, contract_set=contract_set, upstream_clients=upstreams)
    asgi = httpx.ASGITransport(app=cast(Any, gateway))
    client = httpx.AsyncClient(transport=asgi, base_url=GATEWAY, timeout=30)
    env = Environment(contract_set, client, transport, gateway, mock, upstreams, private_key, workdir)
    env.closers.append(gateway.close)
    closer = getattr(transport, "close", None)
    if callable(closer):
        env.closers.append(closer)
    return env
