"""API keys: only their SHA-256 is configured; a presented key is hashed and looked up."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from accord_gateway.config import ApiKeyClient, CertificateClient


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a client id and the scopes it holds, and how it proved it."""

    client_id: str
    scopes: frozenset[str]
    method: str  # "api_key", "jwt" or "mtls"


def _by_digest(clients: Sequence[ApiKeyClient | CertificateClient], method: str) -> dict[str, Principal]:
    """Configured clients by their SHA-256 (hex, lower case, colons of a fingerprint removed)."""
    return {
        client.sha256.replace(":", "").lower(): Principal(client.id, frozenset(client.scopes), method)
        for client in clients
    }


class ApiKeys:
    """Configured clients by key hash. Keys are high-entropy secrets, so a plain SHA-256 suffices
    (no password hashing needed) and a dict lookup by hash leaks nothing usable through timing."""

    def __init__(self, clients: list[ApiKeyClient]) -> None:
        self._by_hash = _by_digest(clients, "api_key")

    def __len__(self) -> int:
        return len(self._by_hash)

    def lookup(self, presented: str) -> Principal | None:
        if not presented or len(presented) > 512:
            return None
        return self._by_hash.get(hashlib.sha256(presented.encode("utf-8", "surrogateescape")).hexdigest())


class ClientCertificates:
    """Configured clients by certificate fingerprint (SHA-256 of the DER certificate)."""

    def __init__(self, clients: list[CertificateClient]) -> None:
        self._by_fingerprint = _by_digest(clients, "mtls")

    def __len__(self) -> int:
        return len(self._by_fingerprint)

    def lookup(self, fingerprint: str) -> Principal | None:
        return self._by_fingerprint.get(fingerprint.lower())


def hash_key(key: str) -> str:
    """The value to put in ``auth.apiKeys.clients[].sha256`` for ``key``."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
