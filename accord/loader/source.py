"""Reading one contract file: bytes -> text -> data, with a lazy pointer -> line/column index."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.errors import InputError, ParseError
from accord.loader._gc import gc_paused, without_gc
from accord.loader._json import DataJsonIndex, JsonIndex, json_index, json_index_from_data, parse_json
from accord.loader._yaml import parse_yaml, yaml_positions
from accord.model import Location

#: Files larger than this are refused outright (a contract this size is an attack or a mistake).
MAX_FILE_BYTES = 128 * 1024 * 1024
#: JSON files up to this size are scanned for duplicate keys eagerly; larger ones on first lookup.
EAGER_JSON_CHECK_BYTES = 4 * 1024 * 1024


@dataclass(eq=False)
class SourceFile:
    """One parsed file. ``data`` is exactly what is written (``$ref`` objects left in place)."""

    path: Path
    display: str
    raw: bytes = field(repr=False)
    fmt: str  # "yaml" or "json"
    data: Any = field(repr=False)
    _text: str | None = None
    _yaml_positions: dict[str, tuple[int, int]] | None = field(default=None, repr=False)
    _json_index: JsonIndex | DataJsonIndex | None = field(default=None, repr=False)

    def position(self, pointer: str) -> tuple[int, int] | None:
        """1-based (line, column) of ``pointer``, or of its nearest written ancestor."""
        while True:
            found = self._lookup(pointer)
            if found is not None or not pointer:
                return found
            pointer = pointer.rsplit("/", 1)[0]

    def location(self, pointer: str) -> Location:
        pos = self.position(pointer)
        if pos is None:
            return Location(self.display, pointer)
        return Location(self.display, pointer, pos[0], pos[1])

    def _lookup(self, pointer: str) -> tuple[int, int] | None:
        if self._json_index is None and self._yaml_positions is None:
            with gc_paused():
                return self._lookup_in_index(pointer)
        return self._lookup_in_index(pointer)

    def _lookup_in_index(self, pointer: str) -> tuple[int, int] | None:
        if self.fmt == "json":
            if self._json_index is None:
                # Large files: the key-search index (about 2x faster, no duplicate check);
                # small ones were indexed with the duplicate-checking scanner at parse time.
                fast = (
                    json_index_from_data(self.raw, self.data)
                    if len(self.raw) > EAGER_JSON_CHECK_BYTES
                    else None
                )
                self._json_index = fast or json_index(self.raw, self.display, check_duplicates=True)
            return self._json_index.position(pointer)
        if self._yaml_positions is None:
            self._yaml_positions = yaml_positions(self.text, self.display)
        return self._yaml_positions.get(pointer)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.raw.decode("utf-8-sig")
        return self._text


def display_path(path: Path) -> str:
    """A path as users should see it: relative to the working directory when below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path.resolve()) if relative.startswith("..") else relative


def decode_text(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ParseError(
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            Location(file, "", line, column),
        ) from None


def looks_like_json(path: Path, raw: bytes) -> bool:
    if path.suffix.lower() == ".json":
        return True
    if path.suffix.lower() in (".yaml", ".yml"):
        return False
    stripped = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped[:1] in (b"{", b"[")


@without_gc
def parse_source(path: Path, raw: bytes, display: str | None = None) -> SourceFile:
    """Parse bytes already read from ``path`` (used for files, git blobs and stdin alike)."""
    shown = display or display_path(path)
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB", Location(shown))
    if looks_like_json(path, raw):
        try:
            data = parse_json(raw.removeprefix(b"\xef\xbb\xbf"), shown)
        except ParseError:
            decode_text(raw, shown)  # a precise message for bad bytes
            raise
        source = SourceFile(path, shown, raw, "json", data)
        if len(raw) <= EAGER_JSON_CHECK_BYTES:
            source._json_index = json_index(raw, shown, check_duplicates=True)
        return source
    text = decode_text(raw, shown)
    data = parse_yaml(text, shown)
    if "*" in text:
        check_aliases(data, shown)
    return SourceFile(path, shown, raw, "yaml", data, _text=text)


#: A document whose YAML aliases expand past this many nodes is refused ("billion laughs").
MAX_EXPANDED_NODES = 2_000_000


def check_aliases(data: Any, file: str) -> None:
    """Refuse recursive aliases and alias bombs: shared nodes are fine, exponential expansion is not."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, done = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        key = id(node)
        children = list(node.values()) if isinstance(node, dict) else node
        if done:
            on_path.discard(key)
            total = 1 + sum(sizes.get(id(c), 0) for c in children if isinstance(c, (dict, list)))
            if total > MAX_EXPANDED_NODES:
                raise ParseError(
                    f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (alias bomb)",
                    Location(file),
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise ParseError("recursive YAML alias (a node contains itself)", Location(file))
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if isinstance(c, (dict, list)))


def read_source(path: Path) -> SourceFile:
    """Read and parse one file; unreadable files raise :class:`InputError`."""
    shown = display_path(path)
    try:
        if path.is_dir():
            raise InputError("is a directory, expected a contract file", Location(shown))
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB", Location(shown))
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", Location(shown)) from None
    except PermissionError:
        raise InputError("permission denied", Location(shown)) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", Location(shown)) from None
    return parse_source(path, raw, shown)
