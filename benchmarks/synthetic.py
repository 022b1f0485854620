"""Deterministic synthetic contracts for benchmarks: a ~1 MB OpenAPI 3.1 document and a multi-file set."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

_WORDS = ["order", "item", "price", "stock", "parcel", "invoice", "return", "carrier", "route", "claim"]


def _schema(rng: random.Random, index: int, names: list[str], ref_prefix: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        f"{_WORDS[index % 10]}Id": {"type": "string", "maxLength": 40, "description": "Identifier."},
        "createdAt": {"type": "string", "format": "date-time", "description": "Creation time."},
    }
    for field in range(rng.randint(6, 12)):
        kind = rng.choice(["string", "integer", "enum", "ref", "array"])
        name = f"{_WORDS[(index + field) % 10]}Field{field}"
        if kind == "string":
            properties[name] = {"type": "string", "maxLength": 200, "description": f"Field {field}."}
        elif kind == "integer":
            properties[name] = {"type": "integer", "minimum": 0, "maximum": 100000}
        elif kind == "enum":
            properties[name] = {"type": "string", "enum": ["draft", "active", "closed"]}
        elif kind == "ref" and names:
            properties[name] = {"$ref": f"{ref_prefix}{rng.choice(names)}"}
        else:
            properties[name] = {"type": "array", "maxItems": 50, "items": {"type": "string", "maxLength": 20}}
    return {
        "type": "object",
        "description": f"Synthetic schema {index}.",
        "required": list(properties)[:2],
        "properties": properties,
    }


def openapi_document(
    operations: int = 560, schemas: int = 520, seed: int = 7, ref_prefix: str = "#/components/schemas/"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(document, component schemas). About 1 MB of YAML with the defaults."""
    rng = random.Random(seed)
    names: list[str] = []
    components: dict[str, Any] = {}
    for index in range(schemas):
        name = f"Thing{index:04d}"
        components[name] = _schema(rng, index, names[-40:], ref_prefix)
        names.append(name)
    paths: dict[str, Any] = {}
    for index in range(operations // 2):
        plural = f"{_WORDS[index % 10]}s-{index}"
        target = f"{ref_prefix}{names[index % schemas]}"
        error = {
            "description": "Problem",
            "content": {"application/problem+json": {"schema": {"type": "object"}}},
        }
        paths[f"/v1/{plural}"] = {
            "get": {
                "operationId": f"list{index}",
                "summary": "List",
                "tags": ["things"],
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"items": {"type": "array", "items": {"$ref": target}}},
                                }
                            }
                        },
                    },
                    "400": error,
                },
            },
            "post": {
                "operationId": f"create{index}",
                "summary": "Create",
                "tags": ["things"],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": target}}},
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {"application/json": {"schema": {"$ref": target}}},
                    },
                    "422": error,
                },
            },
        }
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Synthetic", "version": "1.0.0", "description": "Benchmark document."},
        "servers": [{"url": "https://api.example.com"}],
        "tags": [{"name": "things", "description": "Things."}],
        "paths": paths,
        "components": {"schemas": components},
    }
    return document, components


def write_single(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    document, _ = openapi_document()
    path = folder / "synthetic.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, width=120))
    return path


def write_multi_file(folder: Path, files: int = 10) -> Path:
    """The same content with schemas spread over ``files`` fragment files referencing each other."""
    folder.mkdir(parents=True, exist_ok=True)
    document, components = openapi_document(ref_prefix="@")
    names = list(components)
    home = {name: f"schemas-{i % files}.yaml" for i, name in enumerate(names)}

    def fix(node: Any, here: str | None) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("@"):
                name = ref[1:]
                return {"$ref": (f"#/{name}" if home[name] == here else f"{home[name]}#/{name}")}
            return {k: fix(v, here) for k, v in node.items()}
        if isinstance(node, list):
            return [fix(v, here) for v in node]
        return node

    for index in range(files):
        part = f"schemas-{index}.yaml"
        content = {n: fix(components[n], part) for n in names if home[n] == part}
        (folder / part).write_text(yaml.safe_dump(content, sort_keys=False, width=120))
    document["paths"] = fix(document["paths"], None)
    document["components"] = {}
    path = folder / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, width=120))
    return path
