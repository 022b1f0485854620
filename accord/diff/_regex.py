"""Is a changed ``pattern`` looser or stricter? A sampling heuristic over the regex syntax tree.

Deciding regex containment exactly is expensive; real contract edits are small (a quantifier range
widened, a character class extended, an optional suffix added). We generate representative strings
from each pattern's syntax tree -- the first, middle and last character of every class, the minimum
and maximum count of every repeat, every branch -- varying one choice at a time, and test them
against the other pattern. Patterns Python cannot parse (e.g. ECMA ``\\p{L}``) give ``unknown``.
"""

from __future__ import annotations

import importlib
import re
import string
from functools import lru_cache
from typing import Any

_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

_POOL = string.ascii_letters + string.digits + "-_. :/@+#,"
_MAX_SAMPLES = 400
_OPEN_REPEAT_EXTRA = 3


def relation(old: str, new: str) -> str:
    """``equal``, ``looser`` (new accepts all old accepted), ``stricter`` or ``unknown``."""
    if old == new:
        return "equal"
    try:
        old_re, new_re = re.compile(old), re.compile(new)
        old_samples = [s for s in samples(old) if old_re.search(s)]
        new_samples = [s for s in samples(new) if new_re.search(s)]
    except (re.error, RecursionError, _Unsupported, OverflowError):
        return "unknown"
    if not old_samples or not new_samples:
        return "unknown"
    old_in_new = all(new_re.search(s) for s in old_samples)
    new_in_old = all(old_re.search(s) for s in new_samples)
    if old_in_new and new_in_old:
        return "equal"
    if old_in_new:
        return "looser"
    if new_in_old:
        return "stricter"
    return "unknown"


class _Unsupported(Exception):
    pass


@lru_cache(maxsize=512)
def samples(pattern: str) -> tuple[str, ...]:
    """Representative strings the pattern is built to match (deduplicated, bounded)."""
    tree = _parser.parse(pattern)
    return tuple(dict.fromkeys(_seq(list(tree))))[:_MAX_SAMPLES]


def _seq(items: list[tuple[Any, Any]]) -> list[str]:
    options = [_node(op, av) for op, av in items]
    options = [o for o in options if o]
    base = [o[0] for o in options]
    out = ["".join(base)]
    for index, opts in enumerate(options):
        for alt in opts[1:]:
            out.append("".join(base[:index]) + alt + "".join(base[index + 1 :]))
            if len(out) >= _MAX_SAMPLES:
                return out
    return out


def _node(op: Any, av: Any) -> list[str]:
    if op is _c.LITERAL:
        return [chr(av)]
    if op in (_c.NOT_LITERAL, _c.ANY, _c.IN):
        chars = [ch for ch in _POOL if _char_matches(op, av, ch)]
        if not chars:
            raise _Unsupported
        picks = [chars[0], chars[len(chars) // 2], chars[-1]]
        return list(dict.fromkeys(picks))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, high, sub = av
        inner = _seq(list(sub))
        counts = {low, low + 1}
        counts.add(high if high != _c.MAXREPEAT and high < 64 else low + _OPEN_REPEAT_EXTRA)
        out: list[str] = []
        for count in sorted(counts):
            if high != _c.MAXREPEAT and count > high:
                continue
            out.append(inner[0] * count)
        for alt in inner[1:]:
            if low > 0 or high > 0:
                out.append(inner[0] * max(low - 1, 0) + alt)
        return out or [""]
    if op is _c.SUBPATTERN:
        return _seq(list(av[-1]))
    if op is _c.BRANCH:
        out = []
        for branch in av[1]:
            out.extend(_seq(list(branch)))
        return out
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return [""]
    raise _Unsupported


def _char_matches(op: Any, av: Any, ch: str) -> bool:
    code = ord(ch)
    if op is _c.ANY:
        return ch != "\n"
    if op is _c.NOT_LITERAL:
        return bool(code != av)
    negate = False
    hit = False
    for item_op, item_av in av:
        if item_op is _c.NEGATE:
            negate = True
        elif item_op is _c.LITERAL:
            hit = hit or code == item_av
        elif item_op is _c.RANGE:
            hit = hit or item_av[0] <= code <= item_av[1]
        elif item_op is _c.CATEGORY:
            hit = hit or _category(item_av, ch)
        else:
            raise _Unsupported
    return hit != negate


def _category(category: Any, ch: str) -> bool:
    table = {
        _c.CATEGORY_DIGIT: ch.isdigit(),
        _c.CATEGORY_NOT_DIGIT: not ch.isdigit(),
        _c.CATEGORY_SPACE: ch.isspace(),
        _c.CATEGORY_NOT_SPACE: not ch.isspace(),
        _c.CATEGORY_WORD: ch.isalnum() or ch == "_",
        _c.CATEGORY_NOT_WORD: not (ch.isalnum() or ch == "_"),
    }
    if category not in table:
        raise _Unsupported
    return bool(table[category])
