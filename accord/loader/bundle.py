"""Bundling (one self-contained document with local refs) and full dereferencing.

``bundle``: the entry file as written, with every reference into another file replaced by a local
reference to a copy hoisted into ``components`` (the section judged from where the ``$ref`` is
written; a target already under ``components/<section>/<name>`` in its own file keeps that
name). Targets whose kind cannot be judged go under ``components/x-accord-bundled`` (extensions
are allowed there by both specifications). Loading the bundle yields an equivalent document.

``dereference``: the resolved graph as plain JSON data; a recursive schema keeps a local
``$ref`` to its first occurrence, which is the only way to write a cycle down.
"""

from __future__ import annotations

from typing import Any

from accord.loader import _pointer
from accord.loader.document import Document
from accord.loader.resolve import _NAME_MAPS
from accord.loader.source import SourceFile
from accord.spec.contexts import ref_section

_FALLBACK = "x-accord-bundled"


class _Bundler:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.root_file = doc.source
        self.by_path = {path: f for path, f in doc.files.items()}
        self.hoisted: dict[tuple[int, str], str] = {}  # (id(file), pointer) -> local ref
        self.components: dict[str, dict[str, Any]] = {}
        self.taken: set[tuple[str, str]] = set()
        root_components = doc.source.data.get("components") if isinstance(doc.source.data, dict) else None
        if isinstance(root_components, dict):
            for section, entries in root_components.items():
                if isinstance(entries, dict):
                    self.taken.update((section, name) for name in entries)

    def file_for(self, site_file: SourceFile, path_part: str) -> SourceFile | None:
        if not path_part:
            return site_file
        return self.by_path.get((site_file.path.parent / path_part).resolve())

    def rewrite(self, node: Any, file: SourceFile, pointer: str, literal: bool = False, key: str = "") -> Any:
        """Copy ``node`` (written in ``file`` at ``pointer``) with its refs made local to the bundle."""
        if isinstance(node, list):
            return [self.rewrite(v, file, f"{pointer}/{i}", literal, key) for i, v in enumerate(node)]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and not literal:
            copy = {k: self.rewrite(v, file, _pointer.child(pointer, k), literal) for k, v in node.items()}
            copy["$ref"] = self.local_ref(ref, file, pointer)
            return copy
        result: dict[str, Any] = {}
        names = key in _NAME_MAPS  # members of a name map are names, never literal keywords
        for member, value in node.items():
            is_literal = literal or (
                not names
                and (
                    member in ("example", "default", "const", "enum")
                    or (member == "examples" and isinstance(value, list))
                    or (member == "value" and "/examples/" in pointer)
                )
            )
            result[member] = self.rewrite(value, file, _pointer.child(pointer, member), is_literal, member)
        return result

    def local_ref(self, ref: str, file: SourceFile, site_pointer: str) -> str:
        try:
            scheme, path_part, fragment = _pointer.split_ref(ref)
        except _pointer.JsonPointerException:
            return ref
        if scheme:
            return ref
        target = self.file_for(file, path_part)
        if target is None:
            return ref  # unresolvable: keep as written, the loader reports it
        if target is self.root_file:
            return f"#{fragment}"
        key = (id(target), fragment)
        if key in self.hoisted:
            return self.hoisted[key]
        section, name = self._placement(target, fragment, site_pointer)
        local = f"#/components/{_pointer.escape(section)}/{_pointer.escape(name)}"
        self.hoisted[key] = local
        try:
            raw = _pointer.resolve(target.data, fragment)
        except _pointer.JsonPointerException:
            self.hoisted.pop(key)
            return ref
        self.components.setdefault(section, {})[name] = None  # reserve before recursing (cycles)
        self.components[section][name] = self.rewrite(raw, target, fragment)
        return local

    def _placement(self, target: SourceFile, fragment: str, site_pointer: str) -> tuple[str, str]:
        parts = _pointer.tokens(fragment)
        if len(parts) == 3 and parts[0] == "components":
            section, name = parts[1], parts[2]
        else:
            section = ref_section(self.doc.kind, site_pointer) or _FALLBACK
            if self.doc.kind == "openapi" and section == "pathItems" and self.doc.major_minor == "3.0":
                section = _FALLBACK
            name = parts[-1] if parts else target.path.stem
        candidate, counter = name, 2
        while (section, candidate) in self.taken:
            candidate = f"{name}{counter}"
            counter += 1
        self.taken.add((section, candidate))
        return section, candidate

    def run(self) -> dict[str, Any]:
        data = self.root_file.data
        result: dict[str, Any] = self.rewrite(data, self.root_file, "")
        if self.components:
            components = result.setdefault("components", {})
            for section in sorted(self.components):
                entries = components.setdefault(section, {})
                for name in sorted(self.components[section]):
                    entries[name] = self.components[section][name]
        return result


def bundle(doc: Document) -> dict[str, Any]:
    """One self-contained document equivalent to ``doc`` (see module docstring)."""
    return _Bundler(doc).run()


def dereference(doc: Document) -> Any:
    """The resolved document as JSON data, every reference inlined except recursive ones."""
    on_path: dict[int, str] = {}

    def copy(node: Any, pointer: str) -> Any:
        if not isinstance(node, (dict, list)):
            return node
        if id(node) in on_path:
            return {"$ref": f"#{on_path[id(node)]}"}
        on_path[id(node)] = pointer
        try:
            if isinstance(node, list):
                return [copy(v, f"{pointer}/{i}") for i, v in enumerate(node)]
            return {k: copy(v, _pointer.child(pointer, k)) for k, v in node.items()}
        finally:
            del on_path[id(node)]

    return copy(doc.data, "")
