"""What kind of object a ``$ref`` stands for, judged from where it is written."""

from __future__ import annotations

_OPENAPI_PARENTS = {
    "responses": "responses",
    "headers": "headers",
    "links": "links",
    "callbacks": "callbacks",
    "securitySchemes": "securitySchemes",
    "requestBodies": "requestBodies",
    "properties": "schemas",
    "patternProperties": "schemas",
    "$defs": "schemas",
    "definitions": "schemas",
    "allOf": "schemas",
    "anyOf": "schemas",
    "oneOf": "schemas",
    "prefixItems": "schemas",
    "schemas": "schemas",
    "pathItems": "pathItems",
}
_SCHEMA_KEYS = {
    "schema",
    "items",
    "additionalProperties",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "payload",
}


def ref_section(kind: str, site_pointer: str) -> str | None:
    """The ``components`` section a ``$ref`` written at ``site_pointer`` belongs to, if any.

    ``kind`` is ``openapi`` or ``asyncapi``. ``None`` means the context is not recognised.
    """
    parts = site_pointer.split("/")[1:]
    if not parts:
        return None
    last = parts[-1]
    parent = parts[-2] if len(parts) >= 2 else ""
    grand = parts[-3] if len(parts) >= 3 else ""
    if last in _SCHEMA_KEYS:
        return "schemas"
    if kind == "openapi":
        if parent == "parameters" or (last.isdigit() and parent == "parameters"):
            return "parameters"
        if parent == "examples" and grand != "components":
            return "examples"
        if last == "requestBody":
            return "requestBodies"
        if parent == "paths":
            return "pathItems"
        return _OPENAPI_PARENTS.get(parent)
    # AsyncAPI 2.6 / 3.0
    if parent == "channels" and len(parts) == 2:
        return "channels"
    if parent == "operations" and len(parts) == 2:
        return "operations"
    if parent == "messages" or (parent == "oneOf" and grand == "message") or last == "message":
        return "messages"
    if parent == "servers" and len(parts) == 2:
        return "servers"
    if parent == "parameters":
        return "parameters"
    if last == "channel":
        return "channels"
    if last == "headers":
        return "schemas"
    if parent in ("properties", "allOf", "anyOf", "oneOf", "schemas", "definitions"):
        return "schemas"
    if parent == "traits":
        return "messageTraits" if "messages" in parts else "operationTraits"
    return None
