"""The stateful mock's in-memory store: one ordered collection per (collection path, parent ids).

Pure data structure: no clock (callers pass ``now``), no I/O. Lost on restart, by design.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson

MISSING = object()


@dataclass(slots=True)
class Record:
    """A stored representation and its entity tag."""

    value: dict[str, Any]
    etag: str


def etag_of(value: Any) -> str:
    """A strong entity tag (RFC 9110 §8.8.3) derived from the canonical JSON of ``value``."""
    digest = hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]
    return f'"{digest}"'


def etag_matches(if_match: str, etag: str) -> bool:
    """RFC 9110 §13.1.1 If-Match: ``*`` or any listed tag equal to ``etag`` (strong comparison)."""
    wanted = [t.strip() for t in if_match.split(",") if t.strip()]
    return "*" in wanted or etag in wanted


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge recursively, ``null`` removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result: dict[str, Any] = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int | None:
    """The offset in a cursor made by :func:`encode_cursor`; ``None`` when it is not one."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not text.startswith("o:") or not text[2:].isdigit():
        return None
    return int(text[2:])


class Store:
    """Per-domain resources created through the mock."""

    def __init__(self) -> None:
        self._collections: dict[tuple[str, tuple[str, ...]], OrderedDict[str, Record]] = {}
        self._idempotency: dict[tuple[str, tuple[str, ...], str], str] = {}

    def collection(self, path: str, parents: tuple[str, ...]) -> OrderedDict[str, Record]:
        return self._collections.setdefault((path, parents), OrderedDict())

    def get(self, path: str, parents: tuple[str, ...], key: str) -> Record | None:
        return self._collections.get((path, parents), OrderedDict()).get(key)

    def put(self, path: str, parents: tuple[str, ...], key: str, value: dict[str, Any]) -> Record:
        record = Record(value, etag_of(value))
        self.collection(path, parents)[key] = record
        return record

    def delete(self, path: str, parents: tuple[str, ...], key: str) -> Record | None:
        return self.collection(path, parents).pop(key, None)

    def page(
        self, path: str, parents: tuple[str, ...], offset: int, limit: int
    ) -> tuple[list[Any], str | None]:
        """Items ``offset`` to ``offset + limit`` and the cursor of the next page (``None`` at the end)."""
        values = [r.value for r in self._collections.get((path, parents), OrderedDict()).values()]
        page = values[offset : offset + limit]
        more = offset + limit < len(values)
        return page, encode_cursor(offset + limit) if more else None

    def idempotent(self, path: str, parents: tuple[str, ...], key: str) -> str | None:
        return self._idempotency.get((path, parents, key))

    def remember(self, path: str, parents: tuple[str, ...], key: str, resource_id: str) -> None:
        self._idempotency[(path, parents, key)] = resource_id

    def clear(self) -> None:
        self._collections.clear()
        self._idempotency.clear()
