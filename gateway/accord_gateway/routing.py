"""Operations -> a segment trie; one lookup per request gives the policy and the path parameters.

Paths are matched on the raw (percent-encoded) request path split at ``/``, so an encoded slash
(``%2F``) can never create a segment. Segments that decode to ``.``/``..`` or that carry an encoded
slash, backslash or control character are refused outright (:class:`BadPath`): they are how path
traversal reaches an upstream that normalises paths differently from the gateway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from accord.errors import ConfigError
from accord.policy import Policy

_PARAM = re.compile(r"^\{([^{}/]+)\}$")
_SUSPICIOUS = re.compile(r"%(?:2[fF]|5[cC]|2[eE]|[01][0-9a-fA-F]|7[fF])")


#: Shared by every match of a template without parameters; never mutated.
_NO_PARAMS: dict[str, str] = {}


class BadPath(Exception):
    """The request path is refused before routing (traversal, encoded slash, control bytes)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class _Node:
    static: dict[str, _Node] = field(default_factory=dict)
    param: _Node | None = None
    methods: dict[str, tuple[Policy, tuple[str, ...]]] = field(default_factory=dict)
    #: the answer for a template without parameters, built once (it is the same for every request)
    fixed: dict[str, Match] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Match:
    """What a path resolved to: a policy (or None with the allowed methods) and parameter values."""

    policy: Policy | None
    params: dict[str, str]
    allowed: tuple[str, ...] = ()
    template: str = ""


class Router:
    """Built once from the policies; :meth:`match` is the only per-request work."""

    def __init__(self, policies: list[Policy]) -> None:
        self._root = _Node()
        self._static: dict[str, _Node] = {}
        for policy in policies:
            self._add(policy)
        self.templates = sorted({p.path for p in policies})

    def _add(self, policy: Policy) -> None:
        node = self._root
        names: list[str] = []
        if not policy.path.startswith("/"):
            raise ConfigError(f"path {policy.path!r} must start with /", policy.location)
        for segment in policy.path.split("/")[1:]:
            found = _PARAM.match(segment)
            if found:
                names.append(found.group(1))
                if node.param is None:
                    node.param = _Node()
                node = node.param
            elif "{" in segment or "}" in segment:
                raise ConfigError(
                    f"path segment {segment!r} mixes text and a parameter; the gateway routes whole-segment "
                    "parameters only",
                    policy.location,
                )
            else:
                node = node.static.setdefault(segment, _Node())
        existing = node.methods.get(policy.method)
        if existing is not None:
            other = existing[0]
            raise ConfigError(
                f"{policy.key} ({policy.domain}) collides with {other.key} ({other.domain}) at {other.location}",
                policy.location,
            )
        node.methods[policy.method] = (policy, tuple(names))
        if not names:
            self._static[policy.path] = node
            node.fixed[policy.method] = Match(policy, _NO_PARAMS, template=policy.path)

    def match(self, method: str, raw_path: bytes) -> Match | None:
        """The match for a request, or None when no template has this path (404)."""
        text = raw_path.decode("latin-1")
        node = self._static.get(text)
        values: list[str] = []
        if node is not None:
            fixed = node.fixed.get(method)
            if fixed is not None:
                return fixed
        else:
            if "%" in text and _SUSPICIOUS.search(text):
                raise BadPath("the path contains an encoded slash, dot, backslash or control character")
            segments = text.split("/")
            if segments[0] != "":
                return None
            for segment in segments[1:]:
                if segment in (".", ".."):
                    raise BadPath("the path contains a dot-segment")
            node = _walk(self._root, segments, 1, values)
            if node is None:
                return None
        entry = node.methods.get(method)
        if entry is None:
            if not node.methods:
                return None
            any_policy = next(iter(node.methods.values()))[0]
            return Match(None, {}, tuple(sorted(node.methods)), any_policy.path)
        policy, names = entry
        try:
            params = {
                name: unquote(value, errors="strict") for name, value in zip(names, values, strict=True)
            }
        except UnicodeDecodeError:
            raise BadPath("a path parameter is not percent-encoded UTF-8") from None
        return Match(policy, params, template=policy.path)


def _walk(node: _Node, segments: list[str], index: int, values: list[str]) -> _Node | None:
    if index == len(segments):
        return node if node.methods else None
    segment = segments[index]
    child = node.static.get(segment)
    if child is not None:
        found = _walk(child, segments, index + 1, values)
        if found is not None:
            return found
    if node.param is not None and segment:
        values.append(segment)
        found = _walk(node.param, segments, index + 1, values)
        if found is not None:
            return found
        values.pop()
    return None
