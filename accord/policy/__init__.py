"""Contracts -> per-operation :class:`Policy` (auth, rate limit, validators, idempotency, lifecycle).

Compiled once when the gateway starts; pure (no I/O, no clock), so it is tested without a server.
"""

from __future__ import annotations

from accord.policy.compile import CompileOptions, PolicyErrors, compile_contract_set, compile_document
from accord.policy.model import (
    IDEMPOTENT_METHODS,
    Lifecycle,
    MediaType,
    Parameter,
    Policy,
    RateLimit,
    RequestBody,
    ResponseCheck,
    SecurityRequirement,
    SecurityScheme,
)
from accord.policy.params import coerce_parameter
from accord.policy.validate import SchemaCheck, Violation

__all__ = [
    "IDEMPOTENT_METHODS",
    "CompileOptions",
    "Lifecycle",
    "MediaType",
    "Parameter",
    "Policy",
    "PolicyErrors",
    "RateLimit",
    "RequestBody",
    "ResponseCheck",
    "SchemaCheck",
    "SecurityRequirement",
    "SecurityScheme",
    "Violation",
    "coerce_parameter",
    "compile_contract_set",
    "compile_document",
]
