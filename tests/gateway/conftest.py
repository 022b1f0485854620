"""Shared fixtures of the gateway tests: fixture contracts, keys and tokens, a fake upstream, Redis."""

from __future__ import annotations

import copy
import hashlib
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import orjson
import pytest
from accord_gateway import AsgiClient, Gateway, config_from_dict, create_app
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

FIXTURES = Path(__file__).parent / "fixtures"
CONTRACTS = FIXTURES / "contracts"
REAL_CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
ISSUER = "https://auth.test/"
AUDIENCE = "https://api.test"

FULL_KEY = "full-access-key-0001"
READ_KEY = "read-only-key-0002"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# -- Redis -----------------------------------------------------------------------------------------
def redis_available(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_prefix() -> str:
    """A Redis key prefix of this test's own (tests share one Redis)."""
    if not redis_available():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is required at 127.0.0.1:6379 when CI=true")
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    return f"accord-test:{uuid.uuid4().hex[:12]}:"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# -- keys and tokens -------------------------------------------------------------------------------
class Keys:
    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.rsa2 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.ed = ed25519.Ed25519PrivateKey.generate()
        self.attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @staticmethod
    def jwk(private: Any, kid: str) -> dict[str, Any]:
        if isinstance(private, rsa.RSAPrivateKey):
            data = orjson.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
        elif isinstance(private, ec.EllipticCurvePrivateKey):
            data = orjson.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
        else:
            data = orjson.loads(jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key()))
        data["kid"] = kid
        data["use"] = "sig"
        return data

    def jwks(self, *pairs: tuple[Any, str]) -> bytes:
        return orjson.dumps({"keys": [self.jwk(key, kid) for key, kid in pairs]})

    def default_jwks(self) -> bytes:
        return self.jwks((self.rsa, "rsa-1"), (self.ec, "ec-1"), (self.ed, "ed-1"))


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys()


TokenFactory = Callable[..., str]


@pytest.fixture(scope="session")
def make_token(keys: Keys) -> TokenFactory:
    """``make_token(scope="shop:read", alg="RS256", kid="rsa-1", **claims)`` -> a signed JWT."""

    def make(
        scope: str = "shop:read shop:write",
        *,
        alg: str = "RS256",
        kid: str | None = "rsa-1",
        key: Any = None,
        headers: dict[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "svc-orders",
            "client_id": "orders-service",
            "scope": scope,
            "iat": now,
            "nbf": now,
            "exp": now + 300,
        }
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        signing = key
        if signing is None:
            signing = {"RS256": keys.rsa, "ES256": keys.ec, "EdDSA": keys.ed}[alg]
        extra = dict(headers or {})
        if kid is not None:
            extra["kid"] = kid
        return jwt.encode(payload, signing, algorithm=alg, headers=extra)

    return make


@pytest.fixture
def jwks_file(tmp_path: Path, keys: Keys) -> Path:
    path = tmp_path / "jwks.json"
    path.write_bytes(keys.default_jwks())
    return path


# -- fake upstream ---------------------------------------------------------------------------------
class FakeUpstream:
    """An ASGI upstream that records what it receives and answers as configured per path."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.routes: dict[str, Callable[[dict[str, Any]], Any]] = {}
        self.status = 200

    def headers_of(self, index: int = -1) -> dict[str, str]:
        headers: dict[str, str] = self.calls[index]["headers"]
        return headers

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        call = {
            "method": scope["method"],
            "path": scope["path"],
            "raw_path": scope["raw_path"],
            "query": scope["query_string"].decode(),
            "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
            "body": body,
        }
        self.calls.append(call)
        handler = self.routes.get(scope["path"])
        result = await handler(call) if handler is not None else None
        if result is None:
            status, headers, payload = (
                self.status,
                [(b"content-type", b"application/json")],
                orjson.dumps({"ok": True, "path": scope["path"], "n": len(self.calls)}),
            )
        else:
            status, headers, payload = result
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


@pytest.fixture
def upstream() -> FakeUpstream:
    return FakeUpstream()


# -- gateway ---------------------------------------------------------------------------------------
def base_config(jwks: Path | None = None, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "contracts": str(CONTRACTS),
        "auth": {
            "apiKeys": {
                "clients": [
                    {
                        "id": "full-client",
                        "sha256": hashlib.sha256(FULL_KEY.encode()).hexdigest(),
                        "scopes": ["shop:read", "shop:write"],
                    },
                    {
                        "id": "reader",
                        "sha256": hashlib.sha256(READ_KEY.encode()).hexdigest(),
                        "scopes": ["shop:read"],
                    },
                ]
            },
        },
        "accessLog": {"enabled": True},
    }
    if jwks is not None:
        config["auth"]["jwt"] = {
            "jwks": str(jwks),
            "issuer": ISSUER,
            "audience": AUDIENCE,
            "leeway": 5,
            "minRefreshInterval": 0.5,
        }
    return merge(config, overrides)


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


class Harness:
    """A gateway app, the fake upstream behind it, its access log lines and an httpx client."""

    def __init__(self, app: Gateway, upstream: FakeUpstream, log: list[bytes]) -> None:
        self.app = app
        self.upstream = upstream
        self.log = log
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway.test"
        )

    def last_log(self) -> dict[str, Any]:
        entry: dict[str, Any] = orjson.loads(self.log[-1])
        return entry

    async def close(self) -> None:
        await self.client.aclose()
        await self.app.close()


HarnessFactory = Callable[..., Harness]


@pytest.fixture
async def gateway(upstream: FakeUpstream, jwks_file: Path) -> AsyncIterator[HarnessFactory]:
    """``gateway(**config_overrides)`` -> a :class:`Harness` (closed after the test)."""
    made: list[Harness] = []

    def factory(*, upstream_app: Any = None, with_jwt: bool = True, **overrides: Any) -> Harness:
        config = config_from_dict(base_config(jwks_file if with_jwt else None, **overrides))
        log: list[bytes] = []
        target = upstream_app if upstream_app is not None else upstream
        app = create_app(config, upstream_clients={"*": AsgiClient(target)}, access_log=log.append)
        harness = Harness(app, upstream, log)
        made.append(harness)
        return harness

    yield factory
    for harness in made:
        await harness.close()


@pytest.fixture
def full_headers() -> dict[str, str]:
    return {"x-api-key": FULL_KEY}
