"""OpenAPI 3.0/3.1 traversal over a resolved :class:`~accord.loader.Document`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from accord.loader import Document
from accord.loader._pointer import child

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation: ``method`` in lower case, ``path`` as written, ``node`` the Operation Object."""

    path: str
    method: str
    node: dict[str, Any]
    path_item: dict[str, Any]
    pointer: str  # document pointer of the operation

    @property
    def key(self) -> str:
        """``GET /v1/orders`` — how operations are named in reports and ignore files."""
        return f"{self.method.upper()} {self.path}"

    @property
    def operation_id(self) -> str | None:
        value = self.node.get("operationId")
        return value if isinstance(value, str) else None

    @property
    def parameters(self) -> list[dict[str, Any]]:
        return operation_parameters(self.path_item, self.node)

    def security(self, document: dict[str, Any]) -> list[dict[str, Any]] | None:
        """Effective security requirements (operation overrides document); ``None`` when undeclared."""
        value = self.node.get("security", document.get("security"))
        return value if isinstance(value, list) else None


def iter_operations(doc: Document) -> Iterator[Operation]:
    """Every operation under ``paths`` (and, for 3.1, ``webhooks`` is not included), in document order."""
    paths = doc.data.get("paths") if isinstance(doc.data, dict) else None
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                yield Operation(path, method, op, item, child(child("/paths", path), method))


def operation_parameters(path_item: dict[str, Any], op: dict[str, Any]) -> list[dict[str, Any]]:
    """Path-item parameters overridden by operation parameters with the same (name, in)."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for source in (path_item.get("parameters"), op.get("parameters")):
        if not isinstance(source, list):
            continue
        for param in source:
            if isinstance(param, dict):
                merged[(str(param.get("name")), str(param.get("in")))] = param
    return list(merged.values())


def media_schemas(content: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(media type, schema) pairs of a ``content`` map."""
    if not isinstance(content, dict):
        return
    for media_type, media in content.items():
        if isinstance(media, dict) and isinstance(media.get("schema"), dict):
            yield media_type, media["schema"]


def request_body(op: dict[str, Any]) -> dict[str, Any] | None:
    body = op.get("requestBody")
    return body if isinstance(body, dict) else None


def responses(op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    value = op.get("responses")
    if not isinstance(value, dict):
        return {}
    return {str(code): resp for code, resp in value.items() if isinstance(resp, dict)}
