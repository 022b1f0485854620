"""JWT bearer tokens (RFC 7519 / RFC 9068) verified with PyJWT against the configured JWKS.

Only asymmetric algorithms from the configured allow-list are accepted; the algorithm must fit
the key's type and curve, so ``alg: none`` and HS/RS confusion are rejected before PyJWT runs
(RFC 8725 §3.1). Claims: ``exp`` required, ``nbf``/``iat`` honoured with leeway, ``iss`` and ``aud``
required when configured. A verified token is remembered until it expires (bounded LRU, at most
``cache_seconds`` old), so a client re-sending its token pays a dict lookup, not a signature check.
"""

from __future__ import annotations

import time
from typing import Any

import jwt

from accord_gateway.auth.apikeys import Principal
from accord_gateway.auth.jwks import Jwks
from accord_gateway.config import JwtConfig

MAX_TOKEN_BYTES = 8192


class InvalidToken(Exception):
    """The bearer token is not acceptable; the message is safe to show (RFC 6750 error_description)."""


def token_scopes(claims: dict[str, Any]) -> frozenset[str]:
    """Scopes from ``scope`` (space-delimited, RFC 8693 §4.2 / RFC 9068 §2.2.3) or ``scp`` (list)."""
    found: set[str] = set()
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            found.update(value.split())
        elif isinstance(value, list):
            found.update(str(v) for v in value if isinstance(v, str))
    return frozenset(found)


class JwtVerifier:
    def __init__(self, config: JwtConfig, jwks: Jwks) -> None:
        self.config = config
        self.jwks = jwks
        self.algorithms = frozenset(config.algorithms)
        required = ["exp"]
        if config.issuer:
            required.append("iss")
        if config.audience:
            required.append("aud")
        self._options: dict[str, Any] = {"require": required, "verify_aud": bool(config.audience)}
        self._cache: dict[str, tuple[Principal, float, float]] = {}
        self._cache_age = min(config.cache_seconds, 300.0)
        self._leeway = config.leeway

    def cached(self, token: str) -> Principal | None:
        """The principal of a token verified before and still valid, without awaiting anything."""
        cached = self._cache.get(token)
        if cached is None:
            return None
        principal, expires, stored = cached
        now = time.time()
        if now <= expires + self._leeway and now - stored <= self._cache_age:
            return principal
        del self._cache[token]
        return None

    async def verify(self, token: str) -> Principal:
        found = self.cached(token)
        if found is not None:
            return found
        now = time.time()
        principal, expires = await self._verify(token)
        if self.config.verified_cache_size:
            if len(self._cache) >= self.config.verified_cache_size:
                del self._cache[next(iter(self._cache))]
            self._cache[token] = (principal, expires, now)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        if len(token) > MAX_TOKEN_BYTES:
            raise InvalidToken("the token is too long")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("the token is malformed") from None
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.algorithms:
            raise InvalidToken("the token's signing algorithm is not accepted")
        kid = header.get("kid")
        if kid is not None and (not isinstance(kid, str) or len(kid) > 256):
            raise InvalidToken("the token's key id is invalid")
        key = await self.jwks.key_for(kid, alg)
        if key is None:
            raise InvalidToken("the token is signed with an unknown key")
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                audience=self.config.audience,
                issuer=self.config.issuer,
                leeway=self.config.leeway,
                options=self._options,  # type: ignore[arg-type]
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise InvalidToken("the token is not valid yet") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken("the token is not meant for this audience") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("the token comes from an unexpected issuer") from None
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidToken(f"the token lacks the {exc.claim!r} claim") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("the token's signature does not verify") from None
        except jwt.PyJWTError:
            raise InvalidToken("the token is invalid") from None
        client = claims.get(self.config.client_claim) or claims.get("azp") or claims.get("sub")
        expires = claims.get("exp")
        return (
            Principal(str(client) if client else "anonymous", token_scopes(claims), "jwt"),
            float(expires) if isinstance(expires, (int, float)) else 0.0,
        )
