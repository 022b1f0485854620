"""Helpers of the naming rule family: which path segments name collections, and are they plural.

The plural check is a heuristic on English nouns, documented here because its edge cases are
deliberate:

- Only *collection positions* are judged: a static segment directly followed by a ``{param}``
  (``orders`` in ``/v1/orders/{orderId}``) and the last segment of a path (``lines`` in
  ``/v1/orders/{orderId}/lines``). Other static segments (``api`` in ``/api/v1/...``), version
  segments (``v1``) and segments without letters are not judged.
- The last segment directly after a ``{param}`` may be an *action* instead
  (``/v1/orders/{orderId}/cancel``): it passes when its first word is a verb of :data:`ACTIONS`
  (``place`` in ``place-credit-hold``) or of the rule's ``actions`` option.
- Multi-word segments are judged by their last word (``price-lists`` -> ``lists``).
- A word is plural when it ends in ``s`` but not in ``ss``, ``us`` or ``is`` (``address``,
  ``status`` and ``analysis`` are singular; ``addresses``, ``statuses`` plural), or when it is an
  irregular plural (``people``, ``criteria``). Uncountable or singleton nouns (``inventory``,
  ``fulfillment``, ``data``, ``me``) pass by :data:`UNCOUNTABLE` or the ``allow`` option.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from accord.lint._structure_helpers import VERSION_SEGMENT, is_param_segment, segments

UNCOUNTABLE = frozenset(
    {
        "billing",
        "content",
        "data",
        "equipment",
        "evidence",
        "feedback",
        "freight",
        "fulfillment",
        "health",
        "information",
        "inventory",
        "me",
        "media",
        "metadata",
        "pricing",
        "self",
        "shipping",
        "software",
        "staff",
        "stock",
    }
)
IRREGULAR_PLURALS = frozenset(
    {
        "alumni",
        "appendices",
        "bacteria",
        "children",
        "criteria",
        "curricula",
        "feet",
        "geese",
        "indices",
        "matrices",
        "men",
        "mice",
        "people",
        "phenomena",
        "radii",
        "teeth",
        "vertices",
        "women",
    }
)
ACTIONS = frozenset(
    {
        "accept",
        "acknowledge",
        "activate",
        "allocate",
        "apply",
        "approve",
        "archive",
        "assign",
        "authorize",
        "block",
        "calculate",
        "cancel",
        "capture",
        "check",
        "close",
        "complete",
        "confirm",
        "convert",
        "copy",
        "deactivate",
        "decline",
        "deliver",
        "disable",
        "discontinue",
        "dispatch",
        "enable",
        "escalate",
        "execute",
        "expire",
        "export",
        "finalize",
        "fulfill",
        "hold",
        "import",
        "invite",
        "issue",
        "lock",
        "mark",
        "merge",
        "move",
        "notify",
        "pack",
        "pause",
        "pay",
        "pick",
        "place",
        "post",
        "preview",
        "publish",
        "reactivate",
        "receive",
        "redeliver",
        "refund",
        "reject",
        "release",
        "renew",
        "reopen",
        "rerun",
        "resend",
        "reserve",
        "reset",
        "restore",
        "resume",
        "retry",
        "return",
        "revoke",
        "run",
        "schedule",
        "send",
        "ship",
        "split",
        "start",
        "stop",
        "submit",
        "substitute",
        "suspend",
        "sync",
        "transfer",
        "trigger",
        "unassign",
        "unblock",
        "unlock",
        "unpublish",
        "validate",
        "verify",
        "void",
        "withdraw",
    }
)

_WORDS = re.compile(r"[-_.]+")
_LETTER = re.compile(r"[A-Za-z]")


def words(segment: str) -> list[str]:
    """Lower-case words of a segment (split on ``-``, ``_`` and ``.``)."""
    return [w.lower() for w in _WORDS.split(segment) if w]


def is_plural(word: str, allow: Iterable[str] = ()) -> bool:
    """Is ``word`` (lower case) acceptable as a collection name? See the module docstring."""
    if word in UNCOUNTABLE or word in IRREGULAR_PLURALS or word in allow:
        return True
    if word.endswith(("ss", "us", "is")):
        return False
    return word.endswith("s")


@dataclass(frozen=True, slots=True)
class CollectionSegment:
    """A static segment in a collection position, and whether it may be read as an action."""

    index: int
    segment: str
    may_be_action: bool


def collection_segments(path: str) -> Iterator[CollectionSegment]:
    """Static segments of ``path`` in a collection position (see the module docstring)."""
    parts = segments(path)
    last = len(parts) - 1
    for index, segment in enumerate(parts):
        if "{" in segment or "}" in segment or VERSION_SEGMENT.match(segment) or not _LETTER.search(segment):
            continue
        before_param = index < last and is_param_segment(parts[index + 1])
        if not before_param and index != last:
            continue
        after_param = index > 0 and "{" in parts[index - 1]
        yield CollectionSegment(index, segment, index == last and after_param)


def plural_problem(
    candidate: CollectionSegment, allow: frozenset[str], actions: frozenset[str]
) -> str | None:
    """Why ``candidate`` is not an acceptable collection (or action) name, or ``None``."""
    found = words(candidate.segment)
    if not found:
        return None
    if candidate.may_be_action and (found[0] in ACTIONS or found[0] in actions):
        return None
    if is_plural(found[-1], allow) or candidate.segment.lower() in allow:
        return None
    if candidate.may_be_action:
        return "is neither a plural noun (a collection) nor a known action verb"
    return "names a collection but is not a plural noun"
