"""Credentials: API keys (stored hashed), TLS client certificates (by fingerprint) and JWT bearer
tokens verified against a JWKS."""

from __future__ import annotations

from accord_gateway.auth.apikeys import ApiKeys, ClientCertificates, Principal
from accord_gateway.auth.jwks import Jwks, JwksError, parse_jwks
from accord_gateway.auth.tokens import InvalidToken, JwtVerifier

__all__ = [
    "ApiKeys",
    "ClientCertificates",
    "InvalidToken",
    "Jwks",
    "JwksError",
    "JwtVerifier",
    "Principal",
    "parse_jwks",
]
