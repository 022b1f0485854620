"""Structure: path templates agree with their parameters, and no two templates match one URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from accord.lint._structure_helpers import (
    TEMPLATE,
    is_param_segment,
    path_parameters,
    segments,
    template_names,
)
from accord.lint.registry import OPENAPI, RuleContext, Violation, rule
from accord.loader import Document
from accord.model import Severity
from accord.spec import iter_operations

FAMILY = "structure"


@rule(
    "path-params-defined",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family=FAMILY,
    summary="Every `{param}` of a path template is declared as an `in: path` parameter.",
    rationale="""
OAS 3.1 §4.8.8 (path templating) and §4.8.12 (Parameter Object): each template expression MUST
correspond to a path parameter of the operation or its path item. Without the declaration nothing
says the parameter's type or pattern: generated clients take it as an untyped string and the
gateway cannot validate it.
""",
    good="""
/v1/orders/{orderId}:
  parameters:
  - name: orderId
    in: path
    required: true
    schema: {type: string}
""",
    bad="""
/v1/orders/{orderId}:
  get:
    parameters: []
""",
)
def path_params_defined(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in iter_operations(doc):
        declared = path_parameters(op.parameters)
        for name in template_names(op.path):
            if name not in declared:
                yield Violation(
                    doc.where(op.node),
                    f"path parameter `{{{name}}}` of {op.key} is not declared",
                    f"declare `- name: {name}` with `in: path` and `required: true` on the path or operation",
                )


@rule(
    "path-params-used",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family=FAMILY,
    summary="Every declared path parameter appears in the template and is `required: true`.",
    rationale="""
A path parameter missing from the template can never be sent, and its presence usually means the
template or the parameter was renamed and the other was not. OAS 3.1 §4.8.12.1: for `in: path`,
`required` is REQUIRED and its value MUST be `true`.
""",
    good="""
/v1/orders/{orderId}:
  parameters:
  - {name: orderId, in: path, required: true, schema: {type: string}}
""",
    bad="""
/v1/orders/{id}:
  parameters:
  - {name: orderId, in: path, schema: {type: string}}
""",
)
def path_params_used(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in iter_operations(doc):
        names = set(template_names(op.path))
        for name, param in path_parameters(op.parameters).items():
            if name not in names:
                yield Violation(
                    doc.where(param, "name"),
                    f"path parameter `{name}` does not appear in the template `{op.path}`",
                    "rename the parameter or the template expression so they match, or remove it",
                )
            if param.get("required") is not True:
                where = doc.where(param, "required") if "required" in param else doc.where(param)
                yield Violation(
                    where,
                    f"path parameter `{name}` must be `required: true`",
                    "path parameters are always required (OAS 3.1 §4.8.12.1)",
                )


# -- ambiguous templates --------------------------------------------------------------------------

_STATIC, _MIXED, _PARAM = 2, 1, 0  # specificity of a segment: concrete, partly templated, a whole param


def _kind(segment: str) -> int:
    if "{" not in segment:
        return _STATIC
    return _PARAM if is_param_segment(segment) else _MIXED


def _mixed_pattern(segment: str) -> re.Pattern[str]:
    parts = TEMPLATE.split(segment)
    # split() alternates literal text and template names: keep literals, match anything for names.
    return re.compile("".join(re.escape(p) if i % 2 == 0 else ".+" for i, p in enumerate(parts)) + r"\Z")


def _overlap(a: str, b: str) -> bool:
    """Can one concrete segment match both ``a`` and ``b``?"""
    ka, kb = _kind(a), _kind(b)
    if ka == _STATIC and kb == _STATIC:
        return a == b
    if ka == _PARAM or kb == _PARAM:
        return True
    if ka == _STATIC:
        return bool(_mixed_pattern(b).match(a))
    if kb == _STATIC:
        return bool(_mixed_pattern(a).match(b))
    return TEMPLATE.sub("{}", a) == TEMPLATE.sub("{}", b)  # two partly templated: same shape only


def ambiguity(a: list[str], b: list[str]) -> str | None:
    """Why templates ``a`` and ``b`` (segments) are ambiguous, or ``None`` when routing can tell them apart.

    OAS 3.1 §4.8.8.2: templates equal up to parameter names are identical and invalid; concrete
    paths match before templated ones, so a template ambiguous only if neither is at least as
    concrete as the other at every position (``/{entity}/me`` vs ``/books/{id}``).
    """
    if len(a) != len(b) or not all(_overlap(x, y) for x, y in zip(a, b, strict=True)):
        return None
    a_wins = any(_kind(x) > _kind(y) for x, y in zip(a, b, strict=True))
    b_wins = any(_kind(y) > _kind(x) for x, y in zip(a, b, strict=True))
    if not a_wins and not b_wins:
        if all(_kind(x) != _STATIC or x == y for x, y in zip(a, b, strict=True)):
            return "identical"
        return None
    if a_wins and b_wins:
        return "overlapping"
    return None


@dataclass
class _Trie:
    static: dict[str, _Trie] = field(default_factory=dict)
    templated: _Trie | None = None
    ends: list[int] = field(default_factory=list)


def _candidates(trie: _Trie, parts: list[str]) -> set[int]:
    """Indexes of templates whose every segment could overlap ``parts`` (a superset, checked after)."""
    nodes = [trie]
    for part in parts:
        following: list[_Trie] = []
        for node in nodes:
            if "{" in part:
                following.extend(node.static.values())
            elif part in node.static:
                following.append(node.static[part])
            if node.templated is not None:
                following.append(node.templated)
        nodes = following
        if not nodes:
            return set()
    return {index for node in nodes for index in node.ends}


@rule(
    "no-ambiguous-paths",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family=FAMILY,
    summary="No two path templates can match the same URL.",
    rationale="""
OAS 3.1 §4.8.8.2: templated paths with the same hierarchy but different parameter names (
`/v1/orders/{id}` and `/v1/orders/{orderId}`) are identical and invalid, and templates such as
`/v1/{a}/items` and `/v1/orders/{b}` both match `/v1/orders/items` with no rule to choose. The
gateway and generated routers would route such a request to whichever they met first. A concrete
path beside a template (`/v1/orders/search` and `/v1/orders/{orderId}`) is fine: concrete paths
match first.
""",
    good="""
paths:
  /v1/orders/{orderId}: {}
  /v1/orders/{orderId}/lines: {}
""",
    bad="""
paths:
  /v1/orders/{id}: {}
  /v1/orders/{orderId}: {}
""",
)
def no_ambiguous_paths(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    paths = doc.data.get("paths") if isinstance(doc.data, dict) else None
    if not isinstance(paths, dict):
        return
    templates = [str(key) for key in paths]
    split = [segments(t) for t in templates]
    trie = _Trie()
    for index, parts in enumerate(split):
        node = trie
        for part in parts:
            if "{" in part:
                node.templated = node.templated or _Trie()
                node = node.templated
            else:
                node = node.static.setdefault(part, _Trie())
        node.ends.append(index)
    for index, parts in enumerate(split):
        for other in sorted(_candidates(trie, parts)):
            if other >= index:
                continue  # report each pair once, on the later template
            reason = ambiguity(split[other], parts)
            if reason is None:
                continue
            yield _ambiguous(doc, paths, templates[index], templates[other], reason)
            break


def _ambiguous(doc: Document, paths: dict[str, Any], path: str, earlier: str, reason: str) -> Violation:
    if reason == "identical":
        message = f"`{path}` is the same template as `{earlier}` with other parameter names"
        hint = "merge the two path items, using one parameter name"
    else:
        url = "/" + "/".join(
            x if _kind(x) >= _kind(y) else y for x, y in zip(segments(path), segments(earlier), strict=True)
        )
        message = f"`{path}` and `{earlier}` both match `{url}`"
        hint = "make one of them concrete where the other is templated, or restructure the paths"
    return Violation(doc.where(paths, path), message, hint)
