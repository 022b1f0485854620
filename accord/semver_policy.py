"""Semantic versioning of contracts: which version a set of changes calls for (semver.org §8).

Breaking (error-level) changes need a new major version -- for 0.x versions a new minor, since
0.x promises nothing stable (semver.org §4). Additive changes need a minor, anything else a patch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import semver

from accord.model import Change, Severity

_LOOSE = re.compile(r"^[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$")


def parse_version(text: object) -> semver.Version | None:
    """``info.version`` as a semver Version; ``1.0`` and ``v1`` are accepted as ``1.0.0``."""
    if not isinstance(text, str):
        return None
    try:
        return semver.Version.parse(text.strip())
    except ValueError:
        pass
    match = _LOOSE.match(text.strip())
    if match is None:
        return None
    major, minor, patch, rest = match.groups()
    try:
        return semver.Version.parse(f"{major}.{minor or 0}.{patch or 0}{rest}")
    except ValueError:
        return None


def bump_kind(changes: Iterable[Change]) -> str:
    """``major``, ``minor`` or ``patch``: what the changes call for."""
    from accord.diff.registry import KINDS

    kind = "patch"
    for change in changes:
        if change.level >= Severity.ERROR:
            return "major"
        registered = KINDS.get(change.id)
        if registered is not None and registered.additive:
            kind = "minor"
    return kind


def next_version(base: semver.Version, kind: str) -> semver.Version:
    if kind == "major":
        return base.bump_minor() if base.major == 0 else base.bump_major()
    if kind == "minor":
        return base.bump_minor()
    return base.bump_patch()


def suggest_version(base_version: object, changes: Iterable[Change]) -> str | None:
    """The version the revision should carry, or None when the base version is not semver."""
    base = parse_version(base_version)
    if base is None:
        return None
    base = base.replace(prerelease=None, build=None)
    return str(next_version(base, bump_kind(changes)))


def bump_satisfied(base_version: object, revision_version: object) -> bool:
    """Did the revision's version increase enough for breaking changes (major; minor for 0.x)?"""
    base, rev = parse_version(base_version), parse_version(revision_version)
    if base is None or rev is None:
        return False
    if base.major == 0:
        return rev.major > 0 or rev.minor > base.minor
    return rev.major > base.major
