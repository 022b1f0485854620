"""Python naming helpers: identifiers, PascalCase class names, snake_case functions and parameters."""

from __future__ import annotations

import keyword
import re

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+")
#: Names that would shadow what generated modules import or define.
_RESERVED = frozenset({"self", "impl", "router", "app", "transport", "handler", "response", "request"})


def words(text: str) -> list[str]:
    """Split ``text`` (camelCase, kebab-case, snake_case, dotted, spaced) into lower-case words."""
    return [w.lower() for w in _WORDS.findall(text)]


def pascal(text: str) -> str:
    """``createItem`` -> ``CreateItem``; ``sales-order`` -> ``SalesOrder``; keeps ``SalesOrder``."""
    if text.isidentifier() and text[:1].isupper() and "_" not in text:
        return text
    name = "".join(w[:1].upper() + w[1:] for w in words(text))
    if not name:
        return "Model"
    return name if name[0].isalpha() else f"M{name}"


def snake(text: str) -> str:
    """``listItems`` -> ``list_items``; ``Idempotency-Key`` -> ``idempotency_key``; keywords get a ``_``."""
    name = "_".join(words(text)) or "value"
    if name[0].isdigit():
        name = f"n_{name}"
    if keyword.iskeyword(name):
        name += "_"
    return name


def param_name(text: str, taken: set[str]) -> str:
    """A snake_case parameter name for ``text`` that is unique in ``taken`` (which it updates)."""
    base = snake(text)
    if base in _RESERVED:
        base += "_"
    name = base
    counter = 2
    while name in taken:
        name = f"{base}_{counter}"
        counter += 1
    taken.add(name)
    return name


def constant(text: str) -> str:
    """``items.item.created.v1`` -> ``ITEMS_ITEM_CREATED_V1``."""
    return snake(text).rstrip("_").upper()


def module_name(domain: str) -> str:
    """A domain name as a Python package name (``credit-notes`` -> ``credit_notes``)."""
    name = re.sub(r"[^0-9a-zA-Z_]", "_", domain).lower()
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = f"d_{name}"
    return name
