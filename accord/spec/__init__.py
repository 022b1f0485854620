"""OpenAPI and AsyncAPI knowledge: iterate operations, parameters, schemas, channels, messages."""

from __future__ import annotations

from accord.spec.asyncapi import AsyncOperation, Channel, Message, iter_channels, iter_messages
from accord.spec.asyncapi import iter_operations as iter_async_operations
from accord.spec.openapi import HTTP_METHODS, Operation, iter_operations, operation_parameters
from accord.spec.schema import is_nullable, schema_types, walk_schema

__all__ = [
    "HTTP_METHODS",
    "AsyncOperation",
    "Channel",
    "Message",
    "Operation",
    "is_nullable",
    "iter_async_operations",
    "iter_channels",
    "iter_messages",
    "iter_operations",
    "operation_parameters",
    "schema_types",
    "walk_schema",
]
