"""Credentials: API keys (stored hashed) and JWT bearer tokens verified against a JWKS."""

from __future__ import annotations

from accord_gateway.auth.apikeys import ApiKeys, Principal
from accord_gateway.auth.jwks import Jwks, JwksError, parse_jwks
from accord_gateway.auth.tokens import InvalidToken, JwtVerifier

__all__ = ["ApiKeys", "InvalidToken", "Jwks", "JwksError", "JwtVerifier", "Principal", "parse_jwks"]
