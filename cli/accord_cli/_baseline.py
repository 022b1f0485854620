"""Lint baselines: the fingerprints of accepted findings, kept in a reviewable JSON file.

Fingerprints come from :func:`accord.lint.fingerprint` over the finding with its file made relative
to the project root, so the same finding has the same fingerprint whatever folder ``accord`` runs
from. The file is sorted and has no timestamps: rewriting it without changes changes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson

from accord.errors import InputError
from accord.lint import fingerprint
from accord.model import Finding, Location
from accord.report import relative_path

BASELINE_VERSION = 1


def fingerprinter(root: Path) -> Callable[[Finding], str]:
    """A fingerprint function whose identities do not depend on the working directory."""
    anchor = str(root)

    def identity(finding: Finding) -> str:
        file = relative_path(finding.location.file, anchor)
        if file == finding.location.file:
            return fingerprint(finding)
        location = dataclasses.replace(finding.location, file=file)
        return fingerprint(dataclasses.replace(finding, location=location))

    return identity


def render_baseline(findings: Sequence[Finding], identity: Callable[[Finding], str], root: Path) -> str:
    """The baseline file's text for ``findings`` (sorted by file, rule, fingerprint; one per identity)."""
    entries: dict[str, dict[str, Any]] = {}
    for finding in findings:
        key = identity(finding)
        entries.setdefault(
            key,
            {
                "fingerprint": key,
                "ruleId": finding.rule_id,
                "file": relative_path(finding.location.file, str(root)),
                "message": finding.message,
            },
        )
    ordered = sorted(entries.values(), key=lambda e: (e["file"], e["ruleId"], e["fingerprint"]))
    payload = {"version": BASELINE_VERSION, "tool": "accord", "findings": ordered}
    return orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


def read_baseline(path: Path) -> set[str]:
    """The fingerprints recorded in ``path``; a missing or malformed file is an :class:`InputError`."""
    where = Location(str(path))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("baseline file not found (create it with `--baseline write`)", where) from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"baseline file is not valid JSON: {exc}", where) from None
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION or not isinstance(entries, list):
        raise InputError(
            f"not an accord baseline (expected an object with version {BASELINE_VERSION} and a findings list)",
            where,
        )
    found: set[str] = set()
    for index, entry in enumerate(entries):
        value = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(value, str):
            raise InputError(
                f"baseline entry {index} has no fingerprint", Location(str(path), f"/findings/{index}")
            )
        found.add(value)
    return found
