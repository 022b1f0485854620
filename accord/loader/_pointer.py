"""JSON pointer helpers (RFC 6901) on top of the ``jsonpointer`` package, plus ``$ref`` splitting."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from jsonpointer import JsonPointer, JsonPointerException, escape

__all__ = ["JsonPointerException", "child", "escape", "join", "resolve", "split_ref", "tokens"]


def child(pointer: str, key: str | int) -> str:
    """The pointer of member ``key`` (or item ``key``) of the node at ``pointer``."""
    if isinstance(key, str):
        if "~" in key or "/" in key:
            key = escape(key)
        return f"{pointer}/{key}"
    return f"{pointer}/{key}"


def join(pointer: str, keys: tuple[str | int, ...]) -> str:
    for key in keys:
        pointer = child(pointer, key)
    return pointer


def tokens(pointer: str) -> list[str]:
    return list(JsonPointer(pointer).parts) if pointer else []


def resolve(data: Any, pointer: str) -> Any:
    """The node at ``pointer``; raises :class:`JsonPointerException` when there is none."""
    if not pointer:
        return data
    return JsonPointer(pointer).resolve(data)


def split_ref(ref: str) -> tuple[str, str, str]:
    """Split a ``$ref`` into (scheme, path, fragment pointer); the fragment is percent-decoded."""
    parts = urlsplit(ref)
    fragment = unquote(parts.fragment)
    if fragment and not fragment.startswith("/"):
        raise JsonPointerException(f"fragment {fragment!r} is not a JSON pointer")
    return parts.scheme, unquote(parts.path), fragment
