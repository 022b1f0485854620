"""Named schemas for code generation, read from the files as *written* (``$ref``s still in place).

The loader's resolved graph has lost which node was a reference; generated code must keep it, so a
shared type (``../common/schemas.yaml#/Money``) becomes one class imported where it is used instead
of a copy per use. Every schema the generator needs is registered here under a :class:`TypeRef`
(package + class name): schemas written at a named place (``#/components/schemas/X`` of a document,
or a top-level key of a ``common`` fragment) keep that name; inline schemas get a name from a hint.
``$ref``s inside a registered schema are rewritten to ``#/components/schemas/<package>.models.<Name>``,
which is the modular naming datamodel-code-generator turns into one module per package.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from accord.codegen._names import pascal
from accord.codegen.ir import ModelDef, TypeRef
from accord.errors import RefError
from accord.loader import SourceFile, read_source
from accord.loader._pointer import JsonPointerException, child, resolve, split_ref, tokens
from accord.spec.schema import LISTS, MAPS, SINGLE

#: Schema keywords that only annotate: a ``$ref`` with these siblings is still the referenced type.
_ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "summary",
        "examples",
        "example",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$comment",
    }
)
#: Keywords dropped from generated models: examples belong to tests and mocks, not to classes.
_DROPPED = frozenset(
    {"examples", "example", "$comment", "externalDocs", "xml", "discriminator", "$schema", "$id"}
)
_PREFIX = "#/components/schemas/"
_STRUCTURAL_TOKENS = frozenset(
    {
        "properties",
        "items",
        "components",
        "schemas",
        "allOf",
        "anyOf",
        "oneOf",
        "additionalProperties",
        "content",
        "schema",
        "payload",
        "messages",
    }
)

PackageOf = Callable[[Path], str]


class SchemaRegistry:
    """Collects the models to generate, one :class:`ModelDef` per named schema."""

    def __init__(self, files: dict[Path, SourceFile], package_of: PackageOf) -> None:
        self._files = dict(files)
        self._package_of = package_of
        self._by_location: dict[tuple[Path, str], TypeRef] = {}
        self._taken: dict[tuple[str, str], tuple[Path, str] | None] = {}
        self._pending: list[tuple[TypeRef, SourceFile, str]] = []
        self._models: dict[TypeRef, ModelDef] = {}
        self._order: list[TypeRef] = []
        self._sources: dict[TypeRef, tuple[SourceFile, str]] = {}

    # -- files and references -------------------------------------------------------------------
    def file(self, path: Path) -> SourceFile:
        """The parsed file at ``path`` (already loaded by a document, or read now through the loader)."""
        resolved = path.resolve()
        source = self._files.get(resolved)
        if source is None:
            source = read_source(resolved)
            self._files[resolved] = source
        return source

    def follow(self, file: SourceFile, pointer: str, ref: str) -> tuple[SourceFile, str]:
        """The (file, pointer) a ``$ref`` written at ``pointer`` of ``file`` leads to, through ref chains."""
        seen: set[tuple[Path, str]] = set()
        current, site = file, pointer
        while True:
            try:
                scheme, path_part, fragment = split_ref(ref)
            except JsonPointerException as exc:
                raise RefError(f"invalid $ref {ref!r}: {exc}", current.location(site)) from None
            if scheme:
                raise RefError(f"remote $ref {ref!r} cannot be generated", current.location(site))
            target = self.file(current.path.parent / path_part) if path_part else current
            try:
                node = resolve(target.data, fragment)
            except JsonPointerException:
                raise RefError(f"dangling $ref {ref!r}", current.location(site)) from None
            key = (target.path.resolve(), fragment)
            if key in seen:
                raise RefError(f"cyclic $ref chain through {ref!r}", current.location(site))
            seen.add(key)
            if isinstance(node, dict) and isinstance(node.get("$ref"), str) and len(node) == 1:
                current, site, ref = target, fragment, node["$ref"]
                continue
            return target, fragment

    # -- naming -----------------------------------------------------------------------------------
    def ref_for(self, file: SourceFile, pointer: str, hint: str) -> TypeRef:
        """The model of the schema written at ``pointer`` of ``file`` (registered on first use).

        A ``$ref`` with only annotating siblings is the type it references; any other schema at a
        named place keeps its name; an inline schema is named from ``hint``.
        """
        node = resolve(file.data, pointer)
        if (
            isinstance(node, dict)
            and isinstance(node.get("$ref"), str)
            and set(node) - {"$ref"} <= _ANNOTATIONS
        ):
            target, target_pointer = self.follow(file, pointer, node["$ref"])
            return self.ref_for(target, target_pointer, hint)
        key = (file.path.resolve(), pointer)
        known = self._by_location.get(key)
        if known is not None:
            return known
        name = self._named_at(file, pointer) or pascal(hint)
        ref = self._claim(self._package_of(file.path), name, key)
        self._by_location[key] = ref
        self._pending.append((ref, file, pointer))
        return ref

    def known(self, file: SourceFile, pointer: str) -> TypeRef | None:
        """The model already registered for the schema written at ``pointer`` of ``file``, if any."""
        return self._by_location.get((file.path.resolve(), pointer))

    def add(self, package: str, name: str, schema: dict[str, Any], file: SourceFile, pointer: str) -> TypeRef:
        """Register a schema built by the caller (its ``$ref``s already rewritten with :meth:`rewrite`).

        It stands for the node written at ``pointer`` of ``file``: a later :meth:`ref_for` of that
        place answers this model.
        """
        key = (file.path.resolve(), pointer)
        ref = self._claim(package, name, key)
        self._by_location[key] = ref
        self._store(ModelDef(ref, schema, file.location(pointer)), file, pointer)
        return ref

    def written(self, ref: TypeRef) -> tuple[SourceFile, str]:
        """The file and pointer the model ``ref`` is generated from."""
        return self._sources[ref]

    def package_of(self, file: SourceFile) -> str:
        """The package the schemas written in ``file`` are generated into."""
        return self._package_of(file.path)

    def reserve(self, package: str, name: str) -> str:
        """A free class name in ``package`` starting with ``name``."""
        candidate, counter = name, 2
        while (package, candidate) in self._taken:
            candidate = f"{name}{counter}"
            counter += 1
        return candidate

    def _claim(self, package: str, name: str, key: tuple[Path, str] | None) -> TypeRef:
        name = self.reserve(package, name)
        self._taken[(package, name)] = key
        return TypeRef(package, name)

    def _named_at(self, file: SourceFile, pointer: str) -> str | None:
        parts = tokens(pointer)
        is_document = isinstance(file.data, dict) and ("openapi" in file.data or "asyncapi" in file.data)
        if is_document and len(parts) == 3 and parts[:2] == ["components", "schemas"]:
            return pascal(parts[2])
        if not is_document and len(parts) == 1:
            return pascal(parts[0])
        return None

    # -- rewriting --------------------------------------------------------------------------------
    def rewrite(self, file: SourceFile, pointer: str, node: Any, hint: str) -> Any:
        """A copy of the schema ``node`` (written at ``pointer`` of ``file``) with ``$ref``s to model keys."""
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        ref = node.get("$ref")
        if isinstance(ref, str):
            target, target_pointer = self.follow(file, pointer, ref)
            out["$ref"] = _PREFIX + self.ref_for(target, target_pointer, _hint(target_pointer, hint)).key
        for key, value in node.items():
            if key == "$ref" or key in _DROPPED or key.startswith("x-"):
                continue
            here = child(pointer, key)
            if key in SINGLE and isinstance(value, dict):
                out[key] = self.rewrite(file, here, value, f"{hint} {_suffix(key)}")
            elif key in LISTS and isinstance(value, list):
                out[key] = [
                    self.rewrite(file, child(here, i), item, f"{hint} {key} {i}")
                    for i, item in enumerate(value)
                ]
            elif key in MAPS and isinstance(value, dict):
                out[key] = {
                    name: self._member(file, child(here, name), item, f"{hint} {name}", key == "properties")
                    for name, item in value.items()
                }
            else:
                out[key] = _plain(value)
        if out.get("nullable") is True:  # OpenAPI 3.0 -> JSON Schema type arrays
            out.pop("nullable")
            if isinstance(out.get("type"), str):
                out["type"] = [out["type"], "null"]
        return out

    def _member(self, file: SourceFile, pointer: str, node: Any, hint: str, is_property: bool) -> Any:
        # An inline object under `data` (a CloudEvent's payload) becomes a named model, `<Event>Data`,
        # so typed publishers can name the type of what they send.
        if is_property and pointer.endswith("/data") and isinstance(node, dict) and _is_inline_object(node):
            return {"$ref": _PREFIX + self.ref_for(file, pointer, hint).key}
        return self.rewrite(file, pointer, node, hint)

    # -- results ----------------------------------------------------------------------------------
    def models(self) -> dict[str, list[ModelDef]]:
        """Every registered model by package, in registration order (rewriting registers more)."""
        while self._pending:
            ref, file, pointer = self._pending.pop(0)
            node = resolve(file.data, pointer)
            if self._conflicting_all_of(file, pointer, node):
                schema = self.flatten(file, pointer, node, ref.name)
            else:
                schema = self.rewrite(file, pointer, node, ref.name)
            self._store(ModelDef(ref, schema, file.location(pointer)), file, pointer)
        by_package: dict[str, list[ModelDef]] = {}
        for ref in self._order:
            by_package.setdefault(ref.module, []).append(self._models[ref])
        return by_package

    def model(self, ref: TypeRef) -> ModelDef:
        """The finished model ``ref`` (rewriting whatever is still pending first)."""
        self.models()
        return self._models[ref]

    # -- allOf flattening -------------------------------------------------------------------------
    def flatten(self, file: SourceFile, pointer: str, node: Any, hint: str) -> dict[str, Any]:
        """``allOf`` merged into one object schema (rewritten): members left to right, then the rest.

        A later property replaces an earlier one unless it only annotates it. Used where an
        ``allOf`` class hierarchy would redeclare a field with an incompatible type (a CloudEvents
        envelope's ``data: object`` under an event's ``data: Item``), which type checkers refuse.
        """
        if (
            isinstance(node, dict)
            and isinstance(node.get("$ref"), str)
            and set(node) - {"$ref"} <= _ANNOTATIONS
        ):
            target, target_pointer = self.follow(file, pointer, node["$ref"])
            return self.flatten(target, target_pointer, resolve(target.data, target_pointer), hint)
        if not isinstance(node, dict):
            return {}
        members = node.get("allOf")
        if not isinstance(members, list):
            rewritten = self.rewrite(file, pointer, node, hint)
            return rewritten if isinstance(rewritten, dict) else {}
        merged: dict[str, Any] = {"type": "object"}
        for index, member in enumerate(members):
            _merge(merged, self.flatten(file, child(child(pointer, "allOf"), index), member, hint))
        rest = {k: v for k, v in node.items() if k != "allOf"}
        if rest:
            _merge(merged, self.rewrite(file, pointer, rest, hint))
        for key in ("description", "title"):
            if isinstance(node.get(key), str):
                merged[key] = node[key]
        return merged

    def _conflicting_all_of(self, file: SourceFile, pointer: str, node: Any) -> bool:
        """Whether two ``allOf`` members both give a type to the same property."""
        members = node.get("allOf") if isinstance(node, dict) else None
        if not isinstance(members, list):
            return False
        typed: dict[str, int] = {}
        for index, member in enumerate(members):
            for name in self._typed_properties(file, child(child(pointer, "allOf"), index), member, 0):
                typed[name] = typed.get(name, 0) + 1
        return any(count > 1 for count in typed.values())

    def _typed_properties(self, file: SourceFile, pointer: str, node: Any, depth: int) -> set[str]:
        if not isinstance(node, dict) or depth > 16:
            return set()
        if isinstance(node.get("$ref"), str):
            target, target_pointer = self.follow(file, pointer, node["$ref"])
            return self._typed_properties(
                target, target_pointer, resolve(target.data, target_pointer), depth + 1
            )
        found: set[str] = set()
        properties = node.get("properties")
        if isinstance(properties, dict):
            found.update(
                n for n, s in properties.items() if not (isinstance(s, dict) and set(s) <= _ANNOTATIONS)
            )
        members = node.get("allOf")
        if isinstance(members, list):
            for index, member in enumerate(members):
                found |= self._typed_properties(
                    file, child(child(pointer, "allOf"), index), member, depth + 1
                )
        return found

    def _store(self, model: ModelDef, file: SourceFile, pointer: str) -> None:
        if model.ref not in self._models:
            self._order.append(model.ref)
        self._models[model.ref] = model
        self._sources[model.ref] = (file, pointer)


def _is_inline_object(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return "$ref" not in schema and bool(schema.get("properties")) and kind in ("object", None)


def _merge(into: dict[str, Any], part: dict[str, Any]) -> None:
    for key, value in part.items():
        if key == "properties" and isinstance(value, dict):
            properties = into.setdefault("properties", {})
            for name, schema in value.items():
                current = properties.get(name)
                if isinstance(current, dict) and isinstance(schema, dict) and set(schema) <= _ANNOTATIONS:
                    properties[name] = {**current, **schema}
                else:
                    properties[name] = schema
        elif key == "required" and isinstance(value, list):
            required = into.setdefault("required", [])
            required.extend(v for v in value if v not in required)
        elif key in ("description", "title"):
            continue
        else:
            into[key] = value


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _suffix(keyword: str) -> str:
    return {"items": "item", "additionalProperties": "value"}.get(keyword, keyword)


def _hint(pointer: str, fallback: str) -> str:
    """A class-name hint for a schema referenced at an unnamed place, from its pointer's last tokens."""
    meaningful = [t for t in tokens(pointer) if t not in _STRUCTURAL_TOKENS and not t.isdigit()]
    return " ".join(meaningful[-2:]) or fallback
