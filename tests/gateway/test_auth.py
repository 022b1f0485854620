"""Authentication and authorisation: API keys, JWT bearer tokens and the attacks on them."""

from __future__ import annotations

import asyncio
import base64
import hmac
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from accord_gateway.auth.apikeys import ApiKeys, hash_key
from accord_gateway.auth.jwks import parse_jwks
from accord_gateway.config import ApiKeyClient
from aiohttp import web
from cryptography.hazmat.primitives import serialization

from .conftest import FULL_KEY, READ_KEY, HarnessFactory, Keys, TokenFactory, free_port

pytestmark = pytest.mark.anyio


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


# -- API keys --------------------------------------------------------------------------------------
def test_api_keys_are_looked_up_by_hash() -> None:
    keys = ApiKeys([ApiKeyClient(id="p", sha256=hash_key("s3cret-value"), scopes=["a"])])
    found = keys.lookup("s3cret-value")
    assert found is not None and found.client_id == "p" and found.scopes == {"a"}
    assert keys.lookup("s3cret-valuE") is None
    assert keys.lookup("") is None
    assert keys.lookup("x" * 10_000) is None


async def test_missing_credentials_get_401_with_challenges(gateway: HarnessFactory) -> None:
    h = gateway()
    response = await h.client.get("/v1/orders")
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="accord"')
    assert "error=" not in challenge  # RFC 6750 §3.1: no error code when no credentials were sent
    assert 'ApiKey realm="accord", in="header", name="X-API-Key"' in challenge
    assert h.upstream.calls == []
    assert h.last_log()["decisions"]["auth"] == "missing"


async def test_api_key_scopes_give_200_or_403(gateway: HarnessFactory) -> None:
    h = gateway()
    ok = await h.client.get("/v1/orders", headers={"x-api-key": READ_KEY})
    assert ok.status_code == 200
    assert h.upstream.headers_of()["x-accord-client"] == "reader"
    denied = await h.client.post(
        "/v1/orders", headers={"x-api-key": READ_KEY, "idempotency-key": "key-00000001"}, json={}
    )
    assert denied.status_code == 403
    assert denied.json()["errors"][0]["code"] == "insufficient_scope"
    assert "www-authenticate" not in denied.headers  # not a bearer credential
    assert len(h.upstream.calls) == 1


async def test_wrong_api_key_is_401(gateway: HarnessFactory) -> None:
    h = gateway()
    response = await h.client.get("/v1/orders", headers={"x-api-key": FULL_KEY + "x"})
    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]
    assert h.upstream.calls == []


async def test_api_key_in_query(gateway: HarnessFactory, upstream: Any) -> None:
    h = gateway()
    body = {"name": "w", "weight": 2}
    assert (await h.client.post("/v1/widgets", json=body)).status_code == 401
    response = await h.client.post(f"/v1/widgets?api_key={FULL_KEY}", json=body)
    assert response.status_code == 200, response.text


async def test_client_supplied_accord_headers_are_replaced(gateway: HarnessFactory) -> None:
    h = gateway()
    await h.client.get("/v1/orders", headers={"x-api-key": READ_KEY, "x-accord-client": "admin"})
    assert h.upstream.headers_of()["x-accord-client"] == "reader"


# -- JWT -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("alg", "kid"), [("RS256", "rsa-1"), ("ES256", "ec-1"), ("EdDSA", "ed-1")])
async def test_valid_tokens_of_each_algorithm(
    gateway: HarnessFactory, make_token: TokenFactory, alg: str, kid: str
) -> None:
    h = gateway()
    response = await h.client.get("/v1/orders", headers=bearer(make_token(alg=alg, kid=kid)))
    assert response.status_code == 200, response.text
    assert h.upstream.headers_of()["x-accord-client"] == "orders-service"
    assert h.last_log()["decisions"]["auth"] == "jwt"


def _none_token() -> str:
    now = int(time.time())
    claims = {"iss": "https://auth.test/", "aud": "https://api.test", "exp": now + 60, "scope": "shop:read"}
    header = b64(orjson.dumps({"alg": "none", "typ": "JWT"}))
    return f"{header}.{b64(orjson.dumps(claims))}."


def _hs_confusion_token(keys: Keys) -> str:
    """HS256 signed with the RSA public key (PEM) as the HMAC secret: the classic key confusion."""
    pem = keys.rsa.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    now = int(time.time())
    header = b64(orjson.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}))
    claims = {"iss": "https://auth.test/", "aud": "https://api.test", "exp": now + 60, "scope": "shop:read"}
    signing_input = f"{header}.{b64(orjson.dumps(claims))}"
    signature = hmac.new(pem, signing_input.encode(), "sha256").digest()
    return f"{signing_input}.{b64(signature)}"


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = orjson.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["scope"] = "shop:read shop:write shop:admin"
    return f"{header}.{b64(orjson.dumps(claims))}.{signature}"


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("expired", "expired"),
        ("wrong_audience", "audience"),
        ("wrong_issuer", "issuer"),
        ("not_yet_valid", "not valid yet"),
        ("alg_none", "algorithm is not accepted"),
        ("hs_confusion", "algorithm is not accepted"),
        ("kid_traversal", "unknown key"),
        ("tampered", "signature does not verify"),
        ("garbage", "malformed"),
        ("no_exp", "'exp'"),
        ("attacker_key_same_kid", "signature does not verify"),
    ],
)
async def test_bad_tokens_are_401_invalid_token(
    gateway: HarnessFactory, make_token: TokenFactory, keys: Keys, case: str, fragment: str
) -> None:
    now = int(time.time())
    tokens = {
        "expired": lambda: make_token(exp=now - 60, iat=now - 120, nbf=now - 120),
        "wrong_audience": lambda: make_token(aud="https://other.test"),
        "wrong_issuer": lambda: make_token(iss="https://evil.test/"),
        "not_yet_valid": lambda: make_token(nbf=now + 120),
        "alg_none": _none_token,
        "hs_confusion": lambda: _hs_confusion_token(keys),
        "kid_traversal": lambda: make_token(kid="../../../../../../etc/passwd"),
        "tampered": lambda: _tampered(make_token()),
        "garbage": lambda: "not.a.jwt",
        "no_exp": lambda: make_token(exp=None),
        "attacker_key_same_kid": lambda: make_token(key=keys.attacker, kid="rsa-1"),
    }
    h = gateway()
    response = await h.client.get("/v1/orders", headers=bearer(tokens[case]()))
    assert response.status_code == 401, response.text
    challenge = response.headers["www-authenticate"]
    assert 'error="invalid_token"' in challenge
    assert fragment in challenge
    assert h.upstream.calls == []


async def test_leeway_admits_small_clock_skew(gateway: HarnessFactory, make_token: TokenFactory) -> None:
    h = gateway()
    now = int(time.time())
    response = await h.client.get("/v1/orders", headers=bearer(make_token(nbf=now + 2)))
    assert response.status_code == 200


async def test_insufficient_scope_is_403_with_scope(
    gateway: HarnessFactory, make_token: TokenFactory
) -> None:
    h = gateway()
    response = await h.client.post(
        "/v1/orders",
        headers={**bearer(make_token(scope="shop:read")), "idempotency-key": "key-00000001"},
        json={
            "customerId": "C",
            "lines": [{"sku": "A", "quantity": 1, "price": {"amount": "1", "currency": "USD"}}],
        },
    )
    assert response.status_code == 403
    challenge = response.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge and 'scope="shop:write"' in challenge
    assert h.upstream.calls == []


async def test_scp_list_claim_is_understood(gateway: HarnessFactory, make_token: TokenFactory) -> None:
    h = gateway()
    token = make_token(scope=None, scp=["shop:read"])
    assert (await h.client.get("/v1/orders", headers=bearer(token))).status_code == 200


async def test_bearer_only_operation_ignores_api_keys(
    gateway: HarnessFactory, make_token: TokenFactory
) -> None:
    h = gateway()
    response = await h.client.get("/v1/admin", headers={"x-api-key": FULL_KEY})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="accord"'
    assert (
        await h.client.get("/v1/admin", headers=bearer(make_token(scope="shop:admin")))
    ).status_code == 200


async def test_malformed_authorization_header(gateway: HarnessFactory) -> None:
    h = gateway()
    response = await h.client.get("/v1/orders", headers={"authorization": "Bearer"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    basic = await h.client.get("/v1/orders", headers={"authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401 and "error=" not in basic.headers["www-authenticate"]


async def test_bearer_without_jwks_configured(gateway: HarnessFactory, make_token: TokenFactory) -> None:
    h = gateway(with_jwt=False)
    response = await h.client.get("/v1/orders", headers=bearer(make_token()))
    assert response.status_code == 401
    assert "no JWKS configured" in response.headers["www-authenticate"]


class JwksServer:
    """A local JWKS endpoint that counts fetches (and a second one playing the attacker)."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.fetches = 0
        self.port = free_port()
        self.runner: web.AppRunner | None = None

    async def start(self) -> JwksServer:
        async def handle(_: web.Request) -> web.Response:
            self.fetches += 1
            await asyncio.sleep(0.05)  # slow enough that concurrent requests overlap the fetch
            return web.Response(body=self.body, content_type="application/json")

        app = web.Application()
        app.router.add_get("/jwks.json", handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/jwks.json"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


async def test_jku_and_x5u_headers_are_never_followed(
    gateway: HarnessFactory, make_token: TokenFactory, keys: Keys
) -> None:
    attacker = await JwksServer(keys.jwks((keys.attacker, "evil"))).start()
    try:
        h = gateway()
        for header in ("jku", "x5u"):
            token = make_token(key=keys.attacker, kid="evil", headers={header: attacker.url})
            response = await h.client.get("/v1/orders", headers=bearer(token))
            assert response.status_code == 401
        embedded = make_token(key=keys.attacker, kid="evil", headers={"jwk": Keys.jwk(keys.attacker, "evil")})
        assert (await h.client.get("/v1/orders", headers=bearer(embedded))).status_code == 401
        assert attacker.fetches == 0
    finally:
        await attacker.stop()


async def test_unknown_kids_do_not_cause_a_fetch_storm(
    gateway: HarnessFactory, make_token: TokenFactory, keys: Keys
) -> None:
    server = await JwksServer(keys.default_jwks()).start()
    try:
        h = gateway(auth={"jwt": {"jwks": server.url, "minRefreshInterval": 30}})
        assert (await h.client.get("/v1/orders", headers=bearer(make_token()))).status_code == 200
        assert server.fetches == 1
        tokens = [make_token(kid=f"random-{i}") for i in range(50)]
        responses = await asyncio.gather(*(h.client.get("/v1/orders", headers=bearer(t)) for t in tokens))
        assert {r.status_code for r in responses} == {401}
        assert server.fetches <= 2  # at most one refresh for the whole burst
        again = await asyncio.gather(*(h.client.get("/v1/orders", headers=bearer(t)) for t in tokens[:10]))
        assert {r.status_code for r in again} == {401}
        assert server.fetches <= 2  # and none within the refresh interval
    finally:
        await server.stop()


async def test_jwks_rotation_without_restart(
    gateway: HarnessFactory, make_token: TokenFactory, keys: Keys, jwks_file: Path
) -> None:
    h = gateway(auth={"jwt": {"cacheSeconds": 1.0}})
    assert (await h.client.get("/v1/orders", headers=bearer(make_token()))).status_code == 200
    rotated = make_token(key=keys.rsa2, kid="rsa-2")
    jwks_file.write_bytes(keys.jwks((keys.rsa2, "rsa-2"), (keys.rsa, "rsa-1")))
    await asyncio.sleep(0.6)  # minRefreshInterval is 0.5 s in the fixture
    assert (await h.client.get("/v1/orders", headers=bearer(rotated))).status_code == 200
    # a key removed from the set stops verifying new tokens once the cached set expires
    jwks_file.write_bytes(keys.jwks((keys.rsa2, "rsa-2")))
    await asyncio.sleep(1.1)
    fresh_old_kid = make_token(kid="rsa-1", jti="new")
    assert (await h.client.get("/v1/orders", headers=bearer(fresh_old_kid))).status_code == 401


def test_jwks_parsing_skips_symmetric_and_private_material(keys: Keys) -> None:
    private_rsa = orjson.loads(__import__("jwt").algorithms.RSAAlgorithm.to_jwk(keys.rsa))
    private_rsa["kid"] = "priv"
    raw = orjson.dumps(
        {
            "keys": [
                {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
                private_rsa,
                {"kty": "RSA", "kid": "broken"},
            ]
        }
    )
    parsed = parse_jwks(raw)
    assert set(parsed) == {"priv"}
    data, _ = parsed["priv"][0]
    assert "d" not in data  # private parts are dropped
