"""The signing keys JWTs are checked against: a JWKS file or URL, cached, refreshed without restart.

* Keys are looked up by ``kid`` in a dict: the ``kid`` header is never used as a path or URL, and
  the ``jku``/``x5u``/``jwk``/``x5c`` headers of a token are never followed (RFC 8725 §3.10).
* Symmetric (``oct``) keys are never loaded, so an HS256 token cannot be checked with a public key
  as its secret (the RS/HS confusion attack, RFC 8725 §2.1).
* The set is fetched again after ``cache_seconds``; an unknown ``kid`` (key rotation) triggers at
  most one fetch per ``min_refresh_interval``, shared by every request waiting for it, so a flood
  of tokens with random ``kid`` values cannot become a flood of fetches.
* A failed fetch keeps the previous keys.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import orjson

log = logging.getLogger("accord.gateway.jwks")

#: JWK key type (and curve) that each JWS algorithm needs (RFC 7518 §3.1, RFC 8037 §3.1).
ALGORITHM_KEYS: dict[str, tuple[str, str | None]] = {
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
    "RS512": ("RSA", None),
    "PS256": ("RSA", None),
    "PS384": ("RSA", None),
    "PS512": ("RSA", None),
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "EdDSA": ("OKP", None),
}


class JwksError(Exception):
    """The JWKS could not be read or parsed."""


class Jwks:
    """A cached key set from ``source`` (a file path or an http(s) URL)."""

    def __init__(
        self,
        source: str,
        *,
        cache_seconds: float = 300.0,
        min_refresh_interval: float = 30.0,
        fetch_timeout: float = 2.0,
    ) -> None:
        self.source = source
        self.is_url = source.startswith(("http://", "https://"))
        self.cache_seconds = cache_seconds
        self.min_refresh_interval = min_refresh_interval
        self.fetch_timeout = fetch_timeout
        self.keys: dict[str, list[tuple[dict[str, Any], jwt.PyJWK]]] = {}
        self.fetches = 0
        self._loaded_at = -1e9
        self._attempted_at = -1e9
        self._inflight: asyncio.Future[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    async def key_for(self, kid: str | None, alg: str) -> jwt.PyJWK | None:
        """The key that may verify a token with header ``kid``/``alg``, or None."""
        now = time.monotonic()
        if (
            now - self._loaded_at >= self.cache_seconds
            and now - self._attempted_at >= self.min_refresh_interval
        ):
            await self.refresh()
        found = self._find(kid, alg)
        if found is None and kid is not None:
            if self._inflight is not None:  # a fetch is under way: its keys may have this kid
                await asyncio.shield(self._inflight)
                found = self._find(kid, alg)
            elif time.monotonic() - self._attempted_at >= self.min_refresh_interval:
                await self.refresh()  # maybe the keys rotated
                found = self._find(kid, alg)
        return found

    def _find(self, kid: str | None, alg: str) -> jwt.PyJWK | None:
        candidates = (
            self.keys.get(kid or "", []) if kid is not None else [k for v in self.keys.values() for k in v]
        )
        wanted_kty, wanted_crv = ALGORITHM_KEYS.get(alg, ("", None))
        for data, key in candidates:
            if data.get("kty") != wanted_kty:
                continue
            if wanted_crv is not None and data.get("crv") != wanted_crv:
                continue
            if data.get("alg") not in (None, alg):
                continue
            return key
        return None

    async def refresh(self) -> None:
        """Fetch the set again; concurrent callers share one fetch."""
        if self._inflight is not None:
            await asyncio.shield(self._inflight)
            return
        loop = asyncio.get_running_loop()
        self._inflight = loop.create_future()
        self._attempted_at = time.monotonic()
        try:
            raw = await self._read()
            self.keys = parse_jwks(raw)
            self._loaded_at = time.monotonic()
        except JwksError as exc:
            log.warning(
                "JWKS refresh from %s failed, keeping %d key(s): %s", self.source, len(self.keys), exc
            )
        finally:
            self._inflight.set_result(None)
            self._inflight = None

    async def _read(self) -> bytes:
        self.fetches += 1
        if not self.is_url:
            try:
                return await asyncio.to_thread(Path(self.source).read_bytes)
            except OSError as exc:
                raise JwksError(f"cannot read {self.source}: {exc.strerror or exc}") from None
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.fetch_timeout))
        try:
            async with self._session.get(self.source, allow_redirects=False) as response:
                if response.status != 200:
                    raise JwksError(f"GET {self.source} answered {response.status}")
                return await response.content.read(1_048_576)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise JwksError(f"GET {self.source} failed: {exc or type(exc).__name__}") from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def parse_jwks(raw: bytes) -> dict[str, list[tuple[dict[str, Any], jwt.PyJWK]]]:
    """``kid`` -> usable public signing keys. Symmetric, private-only or unknown keys are skipped."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise JwksError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise JwksError('a JWKS is an object with a "keys" array (RFC 7517 §5)')
    found: dict[str, list[tuple[dict[str, Any], jwt.PyJWK]]] = {}
    for entry in data["keys"]:
        if not isinstance(entry, dict) or entry.get("kty") not in ("RSA", "EC", "OKP"):
            continue
        if entry.get("use") not in (None, "sig"):
            continue
        public = {k: v for k, v in entry.items() if k not in ("d", "p", "q", "dp", "dq", "qi", "oth")}
        try:
            key = jwt.PyJWK(public)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError, KeyError):
            log.warning("skipping an unusable JWK (kid=%r)", entry.get("kid"))
            continue
        kid = entry.get("kid")
        found.setdefault(kid if isinstance(kid, str) else "", []).append((public, key))
    return found
