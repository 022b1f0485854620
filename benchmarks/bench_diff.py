"""Diff benchmark: the 12.7 MB GitHub REST description against a copy with planted changes.

A seeded mutator plants ``count`` changes of known classification (operation removed, required or
optional parameter added, success status removed, enum value added, property removed, type changed,
operation deprecated, operationId changed, request body made required), each on a node no other
mutation touches. A fresh interpreter loads both documents and diffs them; the report gives the
diff time as a ratio against the load time of the pair measured beside it (target: diff <= load,
< 3 s and < 1 GB in total), peak RSS, and how many planted changes were found and classified right.

``python -m benchmarks.bench_diff [--seed N] [--count N]``
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from benchmarks._common import cache_dir, github_description, ratio, run_python

METHODS = ("get", "put", "post", "delete", "patch")


def _esc(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _ptr(*tokens: str) -> str:
    return "".join("/" + _esc(t) for t in tokens)


class Mutator:
    """Plants changes in ``data`` (a raw JSON document) and records what a checker must report."""

    def __init__(self, data: dict[str, Any], seed: int) -> None:
        self.data = data
        self.rng = random.Random(seed)
        self.plan: list[dict[str, Any]] = []
        self.used_ops: set[tuple[str, str]] = set()
        self.used_schemas: set[str] = set()
        self.ops = [
            (path, method)
            for path, item in data["paths"].items()
            for method in METHODS
            if isinstance(item.get(method), dict)
        ]
        schemas = data.get("components", {}).get("schemas", {})
        #: schema name -> operations whose responses use it directly (kept intact once it is mutated)
        self.users: dict[str, set[tuple[str, str]]] = {}
        for path, method in self.ops:
            for ref in self._response_refs(data["paths"][path][method]):
                name = ref.rsplit("/", 1)[-1]
                if name in schemas:
                    self.users.setdefault(name, set()).add((path, method))
        self.response_schemas = sorted(self.users)

    @staticmethod
    def _response_refs(op: dict[str, Any]) -> list[str]:
        refs = []
        for resp in op.get("responses", {}).values():
            for media in (resp.get("content") or {}).values():
                schema = media.get("schema") or {}
                ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref")
                if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                    refs.append(ref)
        return refs

    def _op(
        self, predicate: Callable[[str, str, dict[str, Any]], bool] | None = None
    ) -> tuple[str, str] | None:
        candidates = [
            (p, m)
            for p, m in self.ops
            if (p, m) not in self.used_ops
            and (predicate is None or predicate(p, m, self.data["paths"][p][m]))
        ]
        if not candidates:
            return None
        chosen = self.rng.choice(candidates)
        self.used_ops.add(chosen)
        return chosen

    def _expect(self, kind: str, ids: set[str], level: str, pointer: str, side: str) -> None:
        self.plan.append({"kind": kind, "ids": sorted(ids), "level": level, "pointer": pointer, "side": side})

    # -- mutations ----------------------------------------------------------------------------
    def remove_operation(self) -> bool:
        chosen = self._op(lambda p, m, op: not op.get("deprecated"))
        if chosen is None:
            return False
        path, method = chosen
        item = self.data["paths"][path]
        del item[method]
        whole = not any(isinstance(item.get(m), dict) for m in METHODS)
        ids = {"api-path-removed-without-deprecation" if whole else "api-removed-without-deprecation"}
        self._expect("remove-operation", ids, "error", _ptr("paths", path, method), "base")
        return True

    def add_parameter(self, required: bool) -> bool:
        chosen = self._op()
        if chosen is None:
            return False
        path, method = chosen
        op = self.data["paths"][path][method]
        params = op.setdefault("parameters", [])
        name = f"planted_{len(self.plan)}"
        params.append({"name": name, "in": "query", "required": required, "schema": {"type": "string"}})
        change = "new-required-request-parameter" if required else "new-optional-request-parameter"
        pointer = _ptr("paths", path, method, "parameters", str(len(params) - 1))
        self._expect("add-parameter", {change}, "error" if required else "info", pointer, "revision")
        return True

    def remove_success_status(self) -> bool:
        def has_two(p: str, m: str, op: dict[str, Any]) -> bool:
            codes = [c for c in op.get("responses", {}) if str(c).startswith("2")]
            return len(op.get("responses", {})) >= 2 and bool(codes)

        chosen = self._op(has_two)
        if chosen is None:
            return False
        path, method = chosen
        responses = self.data["paths"][path][method]["responses"]
        code = next(c for c in responses if str(c).startswith("2"))
        del responses[code]
        pointer = _ptr("paths", path, method, "responses", str(code))
        self._expect("remove-status", {"response-success-status-removed"}, "error", pointer, "base")
        return True

    def deprecate(self) -> bool:
        chosen = self._op(lambda p, m, op: not op.get("deprecated"))
        if chosen is None:
            return False
        path, method = chosen
        self.data["paths"][path][method]["deprecated"] = True
        self._expect(
            "deprecate", {"api-deprecated"}, "info", _ptr("paths", path, method, "deprecated"), "revision"
        )
        return True

    def rename_operation_id(self) -> bool:
        chosen = self._op(lambda p, m, op: isinstance(op.get("operationId"), str))
        if chosen is None:
            return False
        path, method = chosen
        op = self.data["paths"][path][method]
        op["operationId"] = op["operationId"] + "-renamed"
        pointer = _ptr("paths", path, method, "operationId")
        self._expect("operation-id", {"api-operation-id-changed"}, "warning", pointer, "revision")
        return True

    def require_body(self) -> bool:
        def optional_body(p: str, m: str, op: dict[str, Any]) -> bool:
            body = op.get("requestBody")
            return isinstance(body, dict) and "$ref" not in body and not body.get("required")

        chosen = self._op(optional_body)
        if chosen is None:
            return False
        path, method = chosen
        self.data["paths"][path][method]["requestBody"]["required"] = True
        pointer = _ptr("paths", path, method, "requestBody", "required")
        self._expect("require-body", {"request-body-became-required"}, "error", pointer, "revision")
        return True

    def _schema_property(
        self, predicate: Callable[[dict[str, Any]], bool]
    ) -> tuple[str, str, dict[str, Any]] | None:
        schemas = self.data["components"]["schemas"]
        candidates = []
        for name in self.response_schemas:
            if name in self.used_schemas or self.users[name] <= self.used_ops:
                continue
            props = schemas[name].get("properties") or {}
            for prop, schema in props.items():
                if isinstance(schema, dict) and "$ref" not in schema and predicate(schema):
                    candidates.append((name, prop, schema))
        if not candidates:
            return None
        chosen = self.rng.choice(candidates)
        self.used_schemas.add(chosen[0])
        keep = sorted(self.users[chosen[0]] - self.used_ops)[0]
        self.used_ops.add(keep)  # one operation that shows the change stays untouched
        return chosen

    def add_enum_value(self) -> bool:
        found = self._schema_property(lambda s: isinstance(s.get("enum"), list) and s.get("type") == "string")
        if found is None:
            return False
        name, prop, schema = found
        schema["enum"] = [*schema["enum"], "planted_value"]
        ids = {"response-property-enum-value-added", "request-property-enum-value-added"}
        pointer = _ptr("components", "schemas", name, "properties", prop, "enum")
        self._expect("enum-added", ids, "warning", pointer, "revision")
        return True

    def remove_property(self) -> bool:
        found = self._schema_property(lambda s: True)
        if found is None:
            return False
        name, prop, _schema = found
        owner = self.data["components"]["schemas"][name]
        del owner["properties"][prop]
        if isinstance(owner.get("required"), list) and prop in owner["required"]:
            owner["required"] = [r for r in owner["required"] if r != prop] or None
            if owner["required"] is None:
                del owner["required"]
        ids = {"response-property-removed", "response-required-property-removed", "request-property-removed"}
        pointer = _ptr("components", "schemas", name, "properties", prop)
        self._expect("remove-property", ids, "error", pointer, "base")
        return True

    def change_type(self) -> bool:
        found = self._schema_property(lambda s: s.get("type") == "string" and "enum" not in s)
        if found is None:
            return False
        name, prop, schema = found
        schema.clear()
        schema["type"] = "integer"
        ids = {"response-property-type-changed", "request-property-type-changed"}
        pointer = _ptr("components", "schemas", name, "properties", prop, "type")
        self._expect("type-changed", ids, "error", pointer, "revision")
        return True

    def plant(self, count: int) -> list[dict[str, Any]]:
        mutations: list[Callable[[], bool]] = [
            self.remove_operation,
            lambda: self.add_parameter(True),
            lambda: self.add_parameter(False),
            self.remove_success_status,
            self.deprecate,
            self.rename_operation_id,
            self.require_body,
            self.add_enum_value,
            self.remove_property,
            self.change_type,
        ]
        attempts = 0
        while len(self.plan) < count and attempts < count * 20:
            attempts += 1
            self.rng.choice(mutations)()
        return self.plan


def measure(base: str, revision: str, plan_file: str) -> dict[str, Any]:
    """Load both documents, diff them, and score the planted changes (runs in a fresh interpreter)."""
    from datetime import date

    from accord.diff import diff_documents
    from accord.diff.runner import level_name
    from accord.loader import load_document

    started = time.perf_counter()
    b, r = load_document(base), load_document(revision)
    loaded = time.perf_counter()
    # The source map (line numbers) is built on first use; reports need it, so time it apart.
    b.where(b.data["paths"])
    r.where(r.data["paths"])
    mapped = time.perf_counter()
    result = diff_documents(b, r, today=date(2025, 6, 1))
    done = time.perf_counter()
    plan = json.loads(Path(plan_file).read_text())
    found = right = 0
    misses: list[str] = []
    for planted in plan:
        hits = [
            c
            for c in result.changes
            if (loc := (c.base if planted["side"] == "base" else c.revision)) is not None
            and (loc.pointer == planted["pointer"] or loc.pointer.startswith(planted["pointer"] + "/"))
        ]
        if hits:
            found += 1
        if any(c.id in planted["ids"] and level_name(c.level) == planted["level"] for c in hits):
            right += 1
        else:
            misses.append(f"{planted['kind']} {planted['pointer']}: {[c.id for c in hits][:3]}")
    return {
        "load_s": round(loaded - started, 3),
        "source_map_s": round(mapped - loaded, 3),
        "diff_s": round(done - mapped, 3),
        "total_s": round(done - started, 3),
        "changes": len(result.changes),
        "planted": len(plan),
        "found": found,
        "classified_right": right,
        "misses": misses[:10],
    }


def prepare(source: Path, folder: Path, seed: int, count: int) -> tuple[Path, Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    data = orjson.loads(source.read_bytes())
    revision = copy.deepcopy(data)
    plan = Mutator(revision, seed).plant(count)
    base_path, rev_path, plan_path = folder / "base.json", folder / "revision.json", folder / "plan.json"
    base_path.write_bytes(source.read_bytes())
    rev_path.write_bytes(orjson.dumps(revision))
    plan_path.write_text(json.dumps(plan))
    return base_path, rev_path, plan_path


def run(cache: Path | None = None, *, seed: int = 7, count: int = 100) -> dict[str, Any]:
    folder = cache or cache_dir()
    source = github_description(folder)
    if source is None:
        return {"skipped": "npm unavailable (no GitHub description)"}
    base, rev, plan = prepare(source, folder / "diff-bench", seed, count)
    code = (
        "from benchmarks.bench_diff import measure\nresult = measure(sys.argv[1], sys.argv[2], sys.argv[3])\n"
    )
    figures = run_python(code, str(base), str(rev), str(plan))
    figures["seed"] = seed
    figures["diff_vs_load"] = ratio(figures["diff_s"], figures["load_s"])
    figures["diff_vs_load_with_source_map"] = ratio(
        figures["diff_s"], figures["load_s"] + figures["source_map_s"]
    )
    figures["targets"] = {"total_s": 3.0, "peak_rss_mb": 1024, "diff_vs_load": 1.0}
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--count", type=int, default=100)
    options = parser.parse_args()
    print(json.dumps(run(seed=options.seed, count=options.count), indent=2))
