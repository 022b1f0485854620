"""The loaded, resolved contract document and the functions that load one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.errors import InputError, UnsupportedSpecError
from accord.loader import _pointer
from accord.loader.resolve import RefProblem, RefSite, Resolver
from accord.loader.source import SourceFile, read_source
from accord.model import Location

OPENAPI = "openapi"
ASYNCAPI = "asyncapi"
FRAGMENT = "fragment"

SUPPORTED = {OPENAPI: ("3.0", "3.1"), ASYNCAPI: ("2.", "3.0")}


@dataclass(eq=False)
class Document:
    """A contract document: its kind, spec version, resolved read-only data and source map.

    ``data`` is the resolved graph: ``$ref`` objects are replaced by their targets (shared, so
    recursive schemas are cycles). Treat it as read-only. :meth:`where` and :meth:`origin` give the
    :class:`Location` where a node is *written*, across files.
    """

    kind: str
    version: str
    source: SourceFile
    data: Any
    files: dict[Path, SourceFile]
    ref_sites: list[RefSite]
    ref_problems: list[RefProblem]
    _written: dict[int, tuple[SourceFile, str]] = field(repr=False)

    @property
    def path(self) -> Path:
        return self.source.path

    @property
    def display(self) -> str:
        return self.source.display

    @property
    def major_minor(self) -> str:
        return ".".join(self.version.split(".")[:2])

    def where(self, node: Any, *keys: str | int) -> Location:
        """Location of ``node`` (a dict or list of :attr:`data`), or of its member ``keys``."""
        written = self._written.get(id(node))
        if written is None:
            return Location(self.source.display)
        file, pointer = written
        return file.location(_pointer.join(pointer, keys))

    def written_at(self, node: Any) -> tuple[SourceFile, str] | None:
        """The file and pointer a container of :attr:`data` was copied from."""
        return self._written.get(id(node))

    def origin(self, pointer: str) -> Location:
        """Where the node at document pointer ``pointer`` (as seen in :attr:`data`) is written."""
        node = self.data
        file, base = self._written.get(id(node), (self.source, ""))
        suffix: list[str | int] = []
        for token in _pointer.tokens(pointer):
            key: str | int = token
            if isinstance(node, list):
                try:
                    key = int(token)
                    node = node[key]
                except (ValueError, IndexError):
                    suffix.append(token)
                    break
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                suffix.append(token)
                break
            written = self._written.get(id(node)) if isinstance(node, (dict, list)) else None
            if written is not None:
                file, base = written
                suffix = []
            else:
                suffix.append(key)
        return file.location(_pointer.join(base, tuple(suffix)))

    def iter_files(self) -> Iterator[SourceFile]:
        yield from self.files.values()


def detect_kind(data: Any, file: str) -> tuple[str, str]:
    """(kind, version) of a parsed file; raises for Swagger 2.0 and unsupported versions."""
    if not isinstance(data, dict):
        return FRAGMENT, ""
    if "swagger" in data:
        raise UnsupportedSpecError(
            f"Swagger {data.get('swagger')} is not supported: Accord reads OpenAPI 3.0/3.1 and AsyncAPI "
            "2.6/3.0. Convert it first (for example with `npx swagger2openapi`).",
            Location(file, "/swagger"),
        )
    for kind in (OPENAPI, ASYNCAPI):
        if kind in data:
            version = str(data[kind])
            if not any(version.startswith(prefix) for prefix in SUPPORTED[kind]):
                supported = ", ".join(SUPPORTED[kind])
                raise UnsupportedSpecError(
                    f"{kind} version {version!r} is not supported (supported: {supported}.x)",
                    Location(file, f"/{kind}"),
                )
            return kind, version
    return FRAGMENT, ""


def _cached_reader(cache: dict[Path, SourceFile] | None) -> Any:
    def read(path: Path) -> SourceFile:
        resolved = path.resolve()
        if cache is not None and resolved in cache:
            return cache[resolved]
        source = read_source(path)
        if cache is not None:
            cache[resolved] = source
        return source

    return read


def find_root(path: Path) -> Path:
    """The contract root for ``path``: the nearest folder upwards holding ``accord.yaml``, else its folder."""
    start = path.resolve().parent
    for folder in (start, *start.parents):
        if (folder / "accord.yaml").is_file():
            return folder
    return start


def document_from_source(
    source: SourceFile,
    *,
    root: Path | None = None,
    allow_remote: bool = False,
    cache: dict[Path, SourceFile] | None = None,
) -> Document:
    """Resolve an already-parsed entry file into a :class:`Document`."""
    kind, version = detect_kind(source.data, source.display)
    if kind == FRAGMENT:
        raise InputError(
            "not an OpenAPI or AsyncAPI document (no top-level `openapi` or `asyncapi` field)",
            Location(source.display),
        )
    resolver = Resolver(source, root or find_root(source.path), _cached_reader(cache), allow_remote)
    data = resolver.run()
    return Document(
        kind, version, source, data, resolver.files, resolver.sites, resolver.problems, resolver.written
    )


def load_document(
    path: str | Path,
    *,
    root: Path | None = None,
    allow_remote: bool = False,
    cache: dict[Path, SourceFile] | None = None,
) -> Document:
    """Load, parse and resolve one OpenAPI or AsyncAPI document (with the files it references)."""
    entry = Path(path)
    reader = _cached_reader(cache)
    return document_from_source(reader(entry), root=root, allow_remote=allow_remote, cache=cache)
