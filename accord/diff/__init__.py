"""Breaking-change checker: structural delta of two contract versions, judged by change rules.

``diff_documents(base, revision, today=...)`` is the entry point; :data:`KINDS` the registry of
change kinds (id, default level, direction, summary, rationale).
"""

from __future__ import annotations

from accord.diff.ignore import IgnoreEntry, apply_ignores, expired_entries, parse_ignore
from accord.diff.registry import KINDS, ChangeKind
from accord.diff.runner import DiffResult, diff_documents

__all__ = [
    "KINDS",
    "ChangeKind",
    "DiffResult",
    "IgnoreEntry",
    "apply_ignores",
    "diff_documents",
    "expired_entries",
    "parse_ignore",
]
