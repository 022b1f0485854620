"""A ~270 KB subset of the GitHub REST description: operations tagged `gists` or `users` and the
components they reference (transitively)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

TAGS = ("gists", "users")


def _refs(node: Any, found: set[str]) -> None:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/"):
                found.add(ref)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def github_subset(source: Path, target: Path) -> Path:
    if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
        return target
    full = orjson.loads(source.read_bytes())
    paths: dict[str, Any] = {}
    for path, item in full["paths"].items():
        kept = {
            method: op
            for method, op in item.items()
            if isinstance(op, dict) and set(op.get("tags", [])) & set(TAGS)
        }
        if kept:
            if "parameters" in item:
                kept["parameters"] = item["parameters"]
            paths[path] = kept
    wanted: set[str] = set()
    _refs(paths, wanted)
    components: dict[str, dict[str, Any]] = {}
    done: set[str] = set()
    while wanted - done:
        ref = sorted(wanted - done)[0]
        done.add(ref)
        _, _, section, name = ref.split("/", 3)
        node = full["components"][section][name]
        components.setdefault(section, {})[name] = node
        _refs(node, wanted)
    subset = {k: v for k, v in full.items() if k not in ("paths", "components", "webhooks", "x-webhooks")}
    subset["paths"] = paths
    subset["components"] = components
    if "securitySchemes" in full.get("components", {}):
        components["securitySchemes"] = full["components"]["securitySchemes"]
    target.write_bytes(orjson.dumps(subset, option=orjson.OPT_INDENT_2))
    return target
