"""Small Markdown helpers shared by the documentation generators (escaping, tables, anchors)."""

from __future__ import annotations

import re
from collections.abc import Sequence

_CODE_SPAN = re.compile(r"(`[^`]*`)")


def _outside_code(text: str, escape: dict[str, str]) -> str:
    def fix(part: str) -> str:
        for old, new in escape.items():
            part = part.replace(old, new)
        return part

    return "".join(part if part.startswith("`") else fix(part) for part in _CODE_SPAN.split(text))


def prose(text: str) -> str:
    """``text`` safe as Markdown prose: ``&``, ``<`` and ``>`` escaped outside `code spans`.

    Contract descriptions are CommonMark, so their emphasis and code spans are kept; raw HTML is
    not (a ``<domain>`` placeholder would otherwise vanish as an unknown tag).
    """
    return _outside_code(text, {"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def cell(text: str) -> str:
    """Prose for a table cell: one line, pipes escaped (Python-Markdown keeps pipes in code spans)."""
    return " ".join(_outside_code(text, {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|"}).split())


def code(text: object) -> str:
    """An inline code span holding ``text`` (backticks inside are fenced with a longer run)."""
    value = str(text)
    fence = "``" if "`" in value else "`"
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A pipe table (cells already escaped); no lines at all when there are no rows."""
    if not rows:
        return []
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return [*lines, ""]


def anchor(*parts: str) -> str:
    """A stable, lower-case HTML id built from ``parts`` (``schema``, ``SalesOrder`` -> ``schema-salesorder``)."""
    return "-".join(re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in parts if part)


_KEEP_LINE = re.compile(r"^(\s|[-*+] |\d+[.)] |\|)")


def block(text: str) -> str:
    """A contract ``description`` as Markdown paragraphs.

    A YAML folded scalar (``>-``) turns a blank line into a single newline, which Markdown would
    read as a soft break inside one paragraph; such newlines become paragraph breaks again. Lines
    of lists, tables and indented blocks keep their single newlines.
    """
    lines = prose(text.strip()).split("\n")
    out: list[str] = []
    for line in lines:
        if out and out[-1] != "" and line and not _KEEP_LINE.match(line):
            out.append("")
        out.append(line)
    return "\n".join(out)
