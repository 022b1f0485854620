"""Strings that match a regular expression, for schema ``pattern``s without an example.

Walks the parse tree of Python's own regex parser (``re._parser``, the module behind the
deprecated ``sre_parse``) and emits the shortest plausible match: minimum repeats (at least one
where that is allowed, which reads better), the first alternative, characters from each class.
ECMA-262 patterns as used in JSON Schema parse the same way for the constructs contracts use
(classes, ``\\d``, groups, alternation, bounded repeats, anchors).
"""

from __future__ import annotations

import importlib
import random
import re
from typing import Any

# Private modules of the standard library (3.11+); `sre_parse` is their deprecated alias.
P: Any = importlib.import_module("re._parser")
C: Any = importlib.import_module("re._constants")

_DIGITS = "0123456789"
_WORD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
_CATEGORIES = {
    C.CATEGORY_DIGIT: _DIGITS,
    C.CATEGORY_WORD: _WORD,
    C.CATEGORY_SPACE: " ",
    C.CATEGORY_NOT_DIGIT: "abcXYZ",
    C.CATEGORY_NOT_WORD: "-. ",
    C.CATEGORY_NOT_SPACE: "abc123",
}
_PRINTABLE = [chr(c) for c in range(0x21, 0x7F)]


class RegexError(ValueError):
    """The pattern cannot be parsed or has no generable match."""


def example_for(pattern: str, rng: random.Random, max_length: int | None = None) -> str:
    """A string matching ``pattern`` (searched, as JSON Schema does), at most ``max_length`` long."""
    try:
        tree = P.parse(pattern)
        compiled = re.compile(pattern)
    except re.error as exc:
        raise RegexError(f"cannot parse pattern {pattern!r}: {exc}") from None
    for attempt in range(20):
        text = _emit(tree, rng, stretch=attempt == 0)
        if compiled.search(text) and (max_length is None or len(text) <= max_length):
            return text
    raise RegexError(f"no match found for pattern {pattern!r}")


def _emit(tree: Any, rng: random.Random, *, stretch: bool) -> str:
    out: list[str] = []
    for op, arg in tree:
        out.append(_node(op, arg, rng, stretch))
    return "".join(out)


def _node(op: Any, arg: Any, rng: random.Random, stretch: bool) -> str:
    if op is C.LITERAL:
        return chr(arg)
    if op is C.NOT_LITERAL:
        return "a" if chr(arg) != "a" else "b"
    if op is C.ANY:
        return "x"
    if op is C.IN:
        return _in(arg, rng)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        low, high, sub = arg
        upper = low if high is C.MAXREPEAT else high
        count = max(low, min(1, upper)) if stretch else rng.randint(low, min(max(low, 1) + 2, upper))
        return "".join(_emit(sub, rng, stretch=stretch) for _ in range(count))
    if op is C.SUBPATTERN:
        return _emit(arg[-1], rng, stretch=stretch)
    if op is C.BRANCH:
        branches = arg[1]
        chosen = branches[0] if stretch else rng.choice(branches)
        return _emit(chosen, rng, stretch=stretch)
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _emit(arg, rng, stretch=stretch)
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return ""
    if op is C.GROUPREF:
        return ""
    if op is C.CATEGORY:
        return _CATEGORIES.get(arg, "a")[0]
    raise RegexError(f"unsupported regex construct {op}")


def _in(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    negate = bool(items) and items[0][0] is C.NEGATE
    allowed: list[str] = []
    for op, arg in items:
        if op is C.LITERAL:
            allowed.append(chr(arg))
        elif op is C.RANGE:
            low, high = arg
            allowed.extend(chr(c) for c in range(low, min(high, low + 200) + 1))
        elif op is C.CATEGORY:
            allowed.extend(_CATEGORIES.get(arg, ""))
    if negate:
        excluded = set(allowed)
        allowed = [c for c in _PRINTABLE if c not in excluded]
    if not allowed:
        raise RegexError("empty character class")
    return rng.choice(allowed)
