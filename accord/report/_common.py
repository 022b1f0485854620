"""What every renderer shares: the report context, rule descriptors, counts, grouping and paths."""

from __future__ import annotations

import functools
import os
import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from accord.model import Change, Finding, Location, Severity

#: Where the documentation site lives (mkdocs with ``use_directory_urls: false``): rule ``helpUri``s
#: point at ``{DOCS_URL}reference/rules.html#<rule-id>``, change kinds at
#: ``{DOCS_URL}reference/change-kinds.html#<change-id>``.
DOCS_URL = "https://accord.readthedocs.io/en/latest/"
#: Version of the JSON report schemas (``accord/report/schemas/*.v1.json``); bumped on breaking changes.
JSON_SCHEMA_VERSION = 1

SEVERITIES = (Severity.ERROR, Severity.WARN, Severity.INFO, Severity.HINT)


class RuleLike(Protocol):
    """What renderers need to know about a rule (``accord.lint.Rule`` satisfies it)."""

    @property
    def id(self) -> str: ...

    @property
    def severity(self) -> Severity: ...

    @property
    def family(self) -> str: ...

    @property
    def summary(self) -> str: ...

    @property
    def rationale(self) -> str: ...


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A plain rule descriptor, for checks that are not in the lint registry (``structure``, change kinds)."""

    id: str
    severity: Severity
    family: str
    summary: str
    rationale: str = ""
    applies_to: frozenset[str] = frozenset({"openapi", "asyncapi"})
    good: str = ""
    bad: str = ""
    recommended: bool = True


@dataclass(frozen=True)
class ReportContext:
    """Everything a renderer may use besides the findings or changes themselves.

    Every field has a default, so ``render_sarif(findings)`` works on its own. ``root`` is the
    project root (SARIF and GitHub paths are made relative to it; display paths are relative to
    the working directory). ``fail_severity`` decides which results JUnit counts as failures (by
    default every finding, and breaking changes only).
    """

    tool_name: str = "accord"
    tool_version: str = "0.0.0"
    root: str | None = None
    color: bool = False
    rules: Mapping[str, RuleLike] = field(default_factory=dict)
    checks: Mapping[str, Sequence[str]] | None = None
    fail_severity: Severity | None = None
    suppressed: int = 0
    baselined: int = 0
    fingerprint: Callable[[Finding], str] | None = None
    docs_url: str = DOCS_URL
    title: str | None = None


DEFAULT_CONTEXT = ReportContext()


def rule_help_uri(ctx: ReportContext, rule_id: str) -> str:
    return f"{ctx.docs_url}reference/rules.html#{rule_id}"


def change_help_uri(ctx: ReportContext, change_id: str) -> str:
    return f"{ctx.docs_url}reference/change-kinds.html#{change_id}"


def counts(levels: Iterable[Severity]) -> dict[str, int]:
    """``{"error": n, "warn": n, "info": n, "hint": n}`` (every key present, in that order)."""
    found = {severity.label: 0 for severity in SEVERITIES}
    for level in levels:
        found[level.label] += 1
    return found


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def group_by_file(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings per file, files in first-seen order (callers pass sorted findings)."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.location.file, []).append(finding)
    return groups


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


def change_location(change: Change) -> tuple[Location | None, bool]:
    """Where to show a change: the revision when it exists there, else the base (``True`` = base)."""
    if change.revision is not None:
        return change.revision, False
    return change.base, True


def change_sort_key(change: Change) -> tuple[int, str, int, int, str, str]:
    loc, _ = change_location(change)
    file = loc.file if loc else ""
    line = (loc.line or 0) if loc else 0
    column = (loc.column or 0) if loc else 0
    return (-int(change.level), file, line, column, change.id, change.message)


def sorted_changes(changes: Iterable[Change]) -> list[Change]:
    return sorted(changes, key=change_sort_key)


def change_text(change: Change) -> str:
    """A change's message prefixed with its operation, when it has one."""
    return f"{change.operation}: {change.message}" if change.operation else change.message


@functools.lru_cache(maxsize=4096)
def relative_path(file: str, root: str | None) -> str:
    """``file`` (a display path: relative to the working directory, or absolute) relative to ``root``.

    Always uses ``/``. A file outside ``root`` keeps its absolute path. Cached: a report asks for
    the same few files once per finding.
    """
    if root is None:
        return file.replace(os.sep, "/")
    absolute = os.path.abspath(file)
    try:
        relative = os.path.relpath(absolute, os.path.abspath(root))
    except ValueError:  # another drive on Windows
        return absolute.replace(os.sep, "/")
    if relative == os.curdir or relative.startswith(os.pardir):
        return absolute.replace(os.sep, "/")
    return relative.replace(os.sep, "/")


def artifact_uri(file: str, root: str | None) -> tuple[str, bool]:
    """(URI reference for ``file``, whether it is relative to ``root``) — RFC 3986 percent-encoded."""
    from urllib.parse import quote  # on use: it imports ipaddress, which costs start-up time

    path = relative_path(file, root)
    if posixpath.isabs(path) or (len(path) > 1 and path[1] == ":"):
        return "file://" + quote(path if path.startswith("/") else "/" + path, safe="/:"), False
    return quote(path, safe="/"), True
