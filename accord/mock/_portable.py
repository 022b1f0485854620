"""Resolved schemas back to portable JSON Schema (for jsonschema-rs): shared nodes become ``$defs``.

The loader's resolved graph shares a node wherever a ``$ref`` pointed at it, and recursive schemas
are object cycles; a validator needs a tree. Every schema node reached more than once (which
includes every cycle) is hoisted into ``$defs`` and referenced; literal values (``const``,
``enum``, ``default``, examples) are copied as they are.
"""

from __future__ import annotations

from typing import Any

from accord.spec.schema import LISTS, MAPS, SINGLE

_DROP = frozenset({"example", "examples", "xml", "externalDocs", "discriminator", "$comment"})


def portable_schema(schema: Any, *, openapi30: bool = False) -> dict[str, Any]:
    """A self-contained JSON Schema 2020-12 document equivalent to the resolved ``schema``."""
    if not isinstance(schema, dict):
        return {}
    counts: dict[int, int] = {}
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        counts[id(node)] = counts.get(id(node), 0) + 1
        if counts[id(node)] > 1:
            continue
        stack.extend(child for _, child in _children(node))
    shared = {key for key, count in counts.items() if count > 1}
    names: dict[int, str] = {}
    defs: dict[str, Any] = {}
    pending: list[tuple[str, dict[str, Any]]] = []

    def convert(node: dict[str, Any], top: bool = False) -> dict[str, Any]:
        if not top and id(node) in shared:
            name = names.get(id(node))
            if name is None:
                name = f"s{len(names) + 1}"
                names[id(node)] = name
                pending.append((name, node))
            return {"$ref": f"#/$defs/{name}"}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROP or key.startswith("x-"):
                continue
            if key in SINGLE and isinstance(value, dict):
                out[key] = convert(value)
            elif key in LISTS and isinstance(value, list):
                out[key] = [convert(v) if isinstance(v, dict) else v for v in value]
            elif key in MAPS and isinstance(value, dict):
                out[key] = {k: convert(v) if isinstance(v, dict) else v for k, v in value.items()}
            else:
                out[key] = value
        if openapi30 and out.pop("nullable", False) is True:
            kind = out.get("type")
            if isinstance(kind, str):
                out["type"] = [kind, "null"]
            elif "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        return out

    root = convert(schema, top=True)
    while pending:
        name, node = pending.pop()
        defs[name] = convert(node, top=True)
    if defs:
        root["$defs"] = {**root.get("$defs", {}), **defs} if isinstance(root.get("$defs"), dict) else defs
    return root


def _children(node: Any) -> list[tuple[str, Any]]:
    if not isinstance(node, dict):
        return []
    found: list[tuple[str, Any]] = []
    for key in SINGLE:
        value = node.get(key)
        if isinstance(value, dict):
            found.append((key, value))
    for key in LISTS:
        value = node.get(key)
        if isinstance(value, list):
            found.extend((key, v) for v in value if isinstance(v, dict))
    for key in MAPS:
        value = node.get(key)
        if isinstance(value, dict):
            found.extend((key, v) for v in value.values() if isinstance(v, dict))
    return found
