"""``$ref`` resolution into one read-only object graph that remembers where every node is written.

Every container reachable from the entry document is copied once; a ``$ref`` object is replaced by
the (shared) copy of its target, so recursive schemas become cycles in the graph instead of
infinite expansions. ``written`` maps each copy to the (file, pointer) it was copied from, which is
what keeps locations exact after resolution. Problems with references do not stop loading: the
``$ref`` object is left in place and a :class:`RefProblem` is recorded, so every one can be reported.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.errors import InputError
from accord.loader import _pointer
from accord.loader._gc import gc_paused
from accord.loader.source import SourceFile

#: Keys whose values are literal data in OpenAPI/AsyncAPI/JSON Schema: a "$ref" inside is not a reference.
_LITERAL_KEYS = frozenset({"example", "default", "const", "enum"})
_LITERALISH = _LITERAL_KEYS | {"examples", "value"}
#: Maps whose keys are names chosen by the author: a member called `default` or `example` there
#: (a `default` response, an example named `default`, a property named `enum`) is not literal data.
_NAME_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "dependentSchemas",
        "responses",
        "examples",
        "schemas",
        "headers",
        "parameters",
        "requestBodies",
        "securitySchemes",
        "links",
        "callbacks",
        "pathItems",
        "content",
        "encoding",
        "variables",
        "mapping",
        "paths",
        "webhooks",
        "channels",
        "operations",
        "messages",
        "servers",
        "serverVariables",
        "correlationIds",
        "messageTraits",
        "operationTraits",
        "scopes",
    }
)
#: A YAML alias bomb expands past this many nodes; refuse it.
MAX_EXPANDED_NODES = 5_000_000


@dataclass(frozen=True, slots=True)
class RefSite:
    """One ``$ref`` as written, and what it points at."""

    file: SourceFile
    pointer: str
    ref: str
    target_file: SourceFile | None
    target_pointer: str | None
    siblings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RefProblem:
    """A ``$ref`` that could not be followed."""

    file: SourceFile
    pointer: str
    message: str


Loader = Callable[[Path], SourceFile]


class Resolver:
    """Resolves the graph reachable from one entry file. Use :func:`resolve_document`."""

    def __init__(self, entry: SourceFile, root: Path, load: Loader, allow_remote: bool = False) -> None:
        self.entry = entry
        self.root = root.resolve()
        self.load = load
        self.allow_remote = allow_remote
        self.files: dict[Path, SourceFile] = {entry.path.resolve(): entry}
        self.written: dict[int, tuple[SourceFile, str]] = {}
        self.sites: list[RefSite] = []
        self.problems: list[RefProblem] = []
        self._memo: dict[int, Any] = {}
        self._file_errors: dict[Path, str] = {}
        self._reported: set[RefProblem] = set()
        self._paths: dict[tuple[Path, str], Path] = {}

    # -- public -------------------------------------------------------------------------------
    def run(self) -> Any:
        data = self.entry.data
        if not isinstance(data, (dict, list)):
            return data
        # The copy allocates one container per node and frees none: generational GC passes over
        # a growing heap would cost more than the copy itself.
        with gc_paused():
            return self._copy(self.entry, "", data, literal=False)

    # -- files and targets --------------------------------------------------------------------
    def _file(self, site_file: SourceFile, path_part: str, site_pointer: str) -> SourceFile | None:
        # Resolving a path costs a few lstat calls; a corpus repeats the same relative refs thousands of times.
        cache_key = (site_file.path.parent, path_part)
        target = self._paths.get(cache_key)
        if target is None:
            target = self._paths[cache_key] = (site_file.path.parent / path_part).resolve()
        if target in self.files:
            return self.files[target]
        if target in self._file_errors:
            self._problem(site_file, site_pointer, self._file_errors[target])
            return None
        if not _is_within(target, self.root):
            message = f"$ref leaves the contract root {_shown(self.root)}: {path_part}"
            self._file_errors[target] = message
            self._problem(site_file, site_pointer, message)
            return None
        try:
            loaded = self.load(target)
        except InputError as exc:
            message = f"cannot load referenced file {path_part}: {exc}"
            self._file_errors[target] = message
            self._problem(site_file, site_pointer, message)
            return None
        self.files[target] = loaded
        return loaded

    def _target(self, file: SourceFile, pointer: str, ref: str) -> tuple[SourceFile, str, Any] | None:
        """Follow ``ref`` (and ref-to-ref chains) to a non-reference node."""
        seen: set[tuple[Path, str]] = set()
        current_file, current_ref, site_pointer = file, ref, pointer
        while True:
            try:
                scheme, path_part, fragment = _pointer.split_ref(current_ref)
            except _pointer.JsonPointerException as exc:
                self._problem(file, pointer, f"invalid $ref {current_ref!r}: {exc}")
                return None
            if scheme:
                if scheme in ("http", "https") and self.allow_remote:
                    self._problem(file, pointer, f"remote $ref {current_ref!r} is not fetched by this loader")
                else:
                    self._problem(
                        file,
                        pointer,
                        f"remote $ref {current_ref!r} refused (only relative file references are followed)",
                    )
                return None
            target_file = self._file(current_file, path_part, site_pointer) if path_part else current_file
            if target_file is None:
                return None
            key = (target_file.path, fragment)
            if key in seen:
                self._problem(file, pointer, f"cyclic $ref chain through {current_ref!r}")
                return None
            seen.add(key)
            walked = self._walk(target_file, fragment, depth=len(seen))
            if walked is None:
                where = path_part or _shown(target_file.path)
                self._problem(file, pointer, f"dangling $ref {ref!r}: {where} has no {fragment or '/'}")
                return None
            target_file, fragment, node = walked
            if isinstance(node, dict) and isinstance(node.get("$ref"), str) and len(node) == 1:
                current_file, current_ref, site_pointer = target_file, node["$ref"], fragment
                continue
            return target_file, fragment, node

    def _walk(self, file: SourceFile, fragment: str, depth: int) -> tuple[SourceFile, str, Any] | None:
        """Resolve ``fragment`` in ``file``, following ``$ref`` objects met on the way.

        AsyncAPI 3.0 operations point at ``#/channels/x/messages/y`` where channel ``x`` may itself
        be a reference to another file; a plain JSON pointer lookup would stop at the ``$ref``.
        """
        if depth > 32:
            return None
        node: Any = file.data
        parts = _pointer.tokens(fragment)
        for index, token in enumerate(parts):
            if isinstance(node, dict) and isinstance(node.get("$ref"), str) and token not in node:
                here = _pointer.join("", tuple(parts[:index]))
                try:
                    scheme, path_part, inner = _pointer.split_ref(node["$ref"])
                except _pointer.JsonPointerException:
                    return None
                if scheme:
                    return None
                next_file = self._file(file, path_part, here) if path_part else file
                if next_file is None:
                    return None
                rest = _pointer.join(inner, tuple(parts[index:]))
                return self._walk(next_file, rest, depth + 1)
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return None
        return file, fragment, node

    def _problem(self, file: SourceFile, pointer: str, message: str) -> None:
        problem = RefProblem(file, pointer, message)
        if problem not in self._reported:
            self._reported.add(problem)
            self.problems.append(problem)

    # -- copying --------------------------------------------------------------------------------
    def _copy(self, file: SourceFile, pointer: str, node: Any, *, literal: bool) -> Any:
        """Copy ``node`` (and everything reachable from it) iteratively; returns the copy."""
        root_copy = self._start(file, pointer, node)
        stack: list[_Frame] = [(file, pointer, node, root_copy, literal, "", "")]
        merges: list[tuple[dict[str, Any], Any, dict[str, Any]]] = []
        expanded = 0
        while stack:
            src_file, src_pointer, src, dst, is_literal, src_key, parent_key = stack.pop()
            # Copy scalars in C, then revisit only the container members.
            if type(src) is dict:
                dst.update(src)
                members: Any = src.items()
            else:
                dst.extend(src)
                members = enumerate(src)
            for key, value in members:
                kind = type(value)
                if kind is not dict and kind is not list:
                    continue
                expanded += 1
                child_pointer = f"{src_pointer}/{_escape(key) if type(key) is str else key}"
                child_literal = is_literal or (
                    key in _LITERALISH and src_key not in _NAME_MAPS and _is_literal(key, value, parent_key)
                )
                if kind is dict and not child_literal:
                    ref = value.get("$ref")
                    if type(ref) is str:
                        dst[key] = self._follow(src_file, child_pointer, value, ref, stack, merges)
                        continue
                existing = self._memo.get(id(value))
                if existing is not None:
                    dst[key] = existing
                    continue
                copy = self._start(src_file, child_pointer, value)
                dst[key] = copy
                stack.append((src_file, child_pointer, value, copy, child_literal, str(key), src_key))
            if expanded > MAX_EXPANDED_NODES:
                raise InputError(f"document expands to more than {MAX_EXPANDED_NODES:,} nodes (alias bomb?)")
        for merged, shared, extra in merges:
            merged.update(shared)
            merged.update(extra)
        return root_copy

    def _start(self, file: SourceFile, pointer: str, src: Any) -> Any:
        copy: Any = {} if isinstance(src, dict) else []
        self._memo[id(src)] = copy
        self.written[id(copy)] = (file, pointer)
        return copy

    def _follow(
        self,
        file: SourceFile,
        pointer: str,
        ref_node: dict[str, Any],
        ref: str,
        stack: list[_Frame],
        merges: list[tuple[dict[str, Any], Any, dict[str, Any]]],
    ) -> Any:
        siblings = tuple(k for k in ref_node if k != "$ref")
        target = self._target(file, pointer, ref)
        if target is None:
            self.sites.append(RefSite(file, pointer, ref, None, None, siblings))
            unresolved = self._start(file, pointer, ref_node)
            unresolved.update(ref_node)
            return unresolved
        target_file, target_pointer, node = target
        self.sites.append(RefSite(file, pointer, ref, target_file, target_pointer, siblings))
        if not isinstance(node, (dict, list)):
            return node
        shared = self._memo.get(id(node))
        if shared is None:
            shared = self._start(target_file, target_pointer, node)
            name = target_pointer.rsplit("/", 1)[-1]
            stack.append((target_file, target_pointer, node, shared, False, name, ""))
        if not siblings or not isinstance(node, dict):
            return shared
        # OpenAPI 3.1 / JSON Schema 2020-12: siblings of $ref apply too; summary/description override.
        merged: dict[str, Any] = {}
        self.written[id(merged)] = (file, pointer)
        extra: dict[str, Any] = {}
        stack.append((file, pointer, {k: ref_node[k] for k in siblings}, extra, False, "", ""))
        merges.append((merged, shared, extra))
        return merged


_Frame = tuple[SourceFile, str, Any, Any, bool, str, str]


def _escape(key: str) -> str:
    if "~" in key or "/" in key:
        return key.replace("~", "~0").replace("/", "~1")
    return key


def _is_literal(key: Any, value: Any, grandparent_key: str) -> bool:
    """Is the member ``key`` literal data? ``grandparent_key`` is the key above its container."""
    if key in _LITERAL_KEYS:
        return True
    if key == "examples" and isinstance(value, list):
        return True  # JSON Schema `examples` (array of literal values) or AsyncAPI message examples
    return key == "value" and grandparent_key == "examples"  # OpenAPI Example Object `value`


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
