"""JSON parsing with orjson and an on-demand pointer -> (line, column) index.

orjson is the fast path for the data; it neither reports positions nor refuses duplicate keys, so
one linear scan of the text (only when a position is first asked for, or when the caller wants
duplicates checked) indexes every member and item.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

import orjson

from accord.errors import ParseError
from accord.model import Location

# Skip scalars (value strings included) in C; stop at a member key or a bracket.
_STR = rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
_TOKEN = re.compile(
    rb"(?:[^\"{}\[\]]++|" + _STR + rb"(?!\s*:))*+(?:(" + _STR + rb")\s*:|([{}\[\]]))", re.DOTALL
)


def parse_json(raw: bytes, file: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        message = exc.msg if hasattr(exc, "msg") else str(exc)
        raise ParseError(f"invalid JSON: {message}", Location(file, "", exc.lineno, exc.colno)) from None


def _unescape_key(token: bytes) -> str:
    if b"\\" not in token:
        return token[1:-1].decode("utf-8")
    value: str = orjson.loads(token)
    return value


class JsonIndex:
    """Pointer -> byte offset for every member and container item of a JSON text; lines on demand."""

    def __init__(self, raw: bytes, offsets: dict[str, int]) -> None:
        self._raw = raw
        self.offsets = offsets
        self._newlines: list[int] | None = None

    def position(self, pointer: str) -> tuple[int, int] | None:
        offset = self.offsets.get(pointer)
        return None if offset is None else self.position_of(offset)

    def position_of(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a byte offset."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer(rb"\n", self._raw)]
        line = bisect_right(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        return (line + 1, offset - start + 1)


def json_index(raw: bytes, file: str, *, check_duplicates: bool = False) -> JsonIndex:
    """Index every JSON pointer of ``raw`` (members at their key, container items at their bracket).

    Scalar array items are not indexed; callers fall back to the nearest indexed ancestor.
    """
    offsets: dict[str, int] = {"": 0}
    # Parallel stacks: pointer, is-object, element index (arrays) / current member pointer (objects).
    pointers: list[str] = []
    is_object: list[bool] = []
    current: list[Any] = []
    last_end: list[int] = []
    seen_keys: list[set[str]] = []
    for match in _TOKEN.finditer(raw):
        if match.lastindex == 1:
            key_tok = match.group(1)
            key = _unescape_key(key_tok)
            if check_duplicates:
                seen = seen_keys[-1]
                if key in seen:
                    line = raw.count(b"\n", 0, match.start(1)) + 1
                    raise ParseError(f"duplicate key {key!r}", Location(file, pointers[-1], line))
                seen.add(key)
            if "~" in key or "/" in key:
                key = key.replace("~", "~0").replace("/", "~1")
            pointer = pointers[-1] + "/" + key
            offsets[pointer] = match.start(1)
            current[-1] = pointer
            continue
        bracket = match.group(2)
        if bracket == b"{" or bracket == b"[":
            at = match.start(2)
            if pointers:
                if is_object[-1]:
                    pointer = current[-1]
                else:
                    index = current[-1] + _elements_before(raw, last_end[-1], at)
                    current[-1] = index
                    pointer = pointers[-1] + "/" + str(index)
                    offsets[pointer] = at
            else:
                pointer = ""
            pointers.append(pointer)
            obj = bracket == b"{"
            is_object.append(obj)
            current.append("" if obj else 0)
            last_end.append(at + 1)
            if check_duplicates:
                seen_keys.append(set())
        else:
            pointers.pop()
            is_object.pop()
            current.pop()
            last_end.pop()
            if check_duplicates:
                seen_keys.pop()
            if is_object and not is_object[-1]:
                last_end[-1] = match.end(2)
    return JsonIndex(raw, offsets)


_SCALAR_TOKEN = re.compile(_STR + rb"|,", re.DOTALL)


def _elements_before(raw: bytes, start: int, end: int) -> int:
    """How many array elements end between ``start`` and the container starting at ``end``."""
    run = raw[start:end]
    if b'"' not in run:
        return run.count(b",")
    return sum(1 for m in _SCALAR_TOKEN.finditer(run) if m.group() == b",")


_FIRST_KEY = re.compile(rb"^\s*\{\s*" + _STR + rb"(\s*:[ \t]*)")
# The next `[` or `{` outside string literals (a value string may hold brackets, e.g. `{org}` in a ref).
_OPENING = re.compile(rb'(?:[^"\[{]++|' + _STR + rb")*+[\[{]", re.DOTALL)


class DataJsonIndex:
    """Offsets kept per container of the parsed data (``id(container) -> {key: offset}``).

    Cheaper to build than one string per pointer: a lookup walks the parsed data along the
    pointer instead. Scalar array items are not indexed (their array is).
    """

    def __init__(self, raw: bytes, data: Any, tables: dict[int, dict[Any, int]]) -> None:
        self._lines = JsonIndex(raw, {})
        self._data = data
        self._tables = tables
        self._cache: dict[str, tuple[int, int]] = {}

    def position(self, pointer: str) -> tuple[int, int]:
        """Position of ``pointer``, or of its nearest indexed ancestor (the root's is offset 0)."""
        found = self._cache.get(pointer)
        if found is not None:
            return found
        node = self._data
        offset = 0
        tables = self._tables
        for token in pointer.split("/")[1:] if pointer else ():
            table = tables.get(id(node))
            if table is None:
                break
            if type(node) is dict:
                key: Any = token.replace("~1", "/").replace("~0", "~") if "~" in token else token
                if key not in node:
                    break
            elif type(node) is list and token.isdigit() and int(token) < len(node):
                key = int(token)
            else:
                break
            at = table.get(key)
            if at is None:
                break
            offset = at
            node = node[key]
        result = self._lines.position_of(offset)
        self._cache[pointer] = result
        return result


def json_index_from_data(raw: bytes, data: Any) -> DataJsonIndex | None:
    """Index built by finding each member key of ``data`` in document order (no tokenizer loop).

    orjson keeps member order, so walking the parsed data depth-first visits keys in the order
    they are written; each key is the next ``"key"`` followed by the separator after the
    previous one (a string value cannot contain an unescaped quote, so it cannot match). Returns
    ``None`` when a key is not found verbatim (unusual escaping), so the caller falls back to
    :func:`json_index`. Duplicate keys are not detected on this path.
    """
    tables: dict[int, dict[Any, int]] = {}
    cursor = 0
    find = raw.find
    # Writers use one key/value separator throughout (`":` or `": `); a string value followed by
    # that separator cannot occur, so a plain substring search is exact.
    first = _FIRST_KEY.search(raw)
    separator = first.group(1) if first else b":"
    opening = _OPENING.search
    dumps = orjson.dumps
    needles: dict[str, bytes] = {}
    stack: list[tuple[dict[Any, int], Any, bool]] = []
    if type(data) is dict:
        stack.append((tables.setdefault(id(data), {}), iter(data.items()), True))
    elif type(data) is list:
        stack.append((tables.setdefault(id(data), {}), enumerate(data), False))
    while stack:
        table, members, is_dict = stack[-1]
        for key, value in members:
            kind = type(value)
            if is_dict:
                needle = needles.get(key)
                if needle is None:
                    needle = needles[key] = dumps(key) + separator
                at = find(needle, cursor)
                if at == -1:
                    return None
                cursor = at + len(needle)
                table[key] = at
            elif kind is dict or kind is list:
                found = opening(raw, cursor)
                if found is None:
                    return None
                table[key] = found.end() - 1
                cursor = found.end()
            if kind is dict:
                stack.append((tables.setdefault(id(value), {}), iter(value.items()), True))
                break
            if kind is list:
                if is_dict:  # step inside the array so its items are searched after its bracket
                    found = opening(raw, cursor)
                    if found is None:
                        return None
                    cursor = found.end()
                stack.append((tables.setdefault(id(value), {}), enumerate(value), False))
                break
        else:
            stack.pop()
    return DataJsonIndex(raw, data, tables)
