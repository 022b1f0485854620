"""Accord engine: contract-first API governance for OpenAPI and AsyncAPI.

The public API is what ``__all__`` lists (pinned by a test). Heavier parts are imported on first
use so that ``import accord`` stays cheap for short-lived CLI processes.
"""

from __future__ import annotations

import importlib
from typing import Any

from accord.errors import (
    AccordError,
    ConfigError,
    InputError,
    ParseError,
    RefError,
    UnsupportedSpecError,
    UsageError,
)
from accord.model import Change, Finding, Location, Severity

_LAZY = {
    "ContractSet": "accord.contracts",
    "Document": "accord.loader",
    "bundle": "accord.loader.bundle",
    "dereference": "accord.loader.bundle",
    "load_contract_set": "accord.contracts",
    "load_document": "accord.loader",
    "validate_document": "accord.validation",
}

__all__ = [
    "AccordError",
    "Change",
    "ConfigError",
    "ContractSet",
    "Document",
    "Finding",
    "InputError",
    "Location",
    "ParseError",
    "RefError",
    "Severity",
    "UnsupportedSpecError",
    "UsageError",
    "bundle",
    "dereference",
    "load_contract_set",
    "load_document",
    "validate_document",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'accord' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
