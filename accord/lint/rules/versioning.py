"""Versioning and lifecycle: semver, the major version in the path, stability, sunsets, rate limits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from accord.lint._http_helpers import (
    RATE_LIMIT_KEY,
    STABILITY_KEY,
    at,
    operations,
    parameters,
    root,
    segments,
)
from accord.lint.functions import SEMVER
from accord.lint.registry import BOTH, OPENAPI, RuleContext, Violation, rule
from accord.loader import Document
from accord.model import Severity
from accord.spec import iter_async_operations

_VERSION_SEGMENT = re.compile(r"^v(\d+)$")
_LEADING_MAJOR = re.compile(r"^v?(\d+)")
# RFC 3339 §5.6: full-date, or date-time with a mandatory offset.
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")
# RFC 9110 §5.6.2 token: the characters a header field name may use.
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

STABILITY_LEVELS = ("experimental", "beta", "stable")  # ordered: least to most stable
RATE_LIMIT_KEYS = ("limit", "window", "key")


def _info(doc: Document) -> dict[str, Any] | None:
    info = root(doc).get("info")
    return info if isinstance(info, dict) else None


def _major(version: Any) -> int | None:
    if isinstance(version, (int, float)) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str):
        return None
    match = _LEADING_MAJOR.match(version.strip())
    return int(match.group(1)) if match else None


@rule(
    "path-major-version",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family="versioning",
    summary="Every path starts with `/v<major>/`, the major version of `info.version`.",
    rationale="""
The major version is part of the URL so that a breaking change ships side by side with the version
it replaces: `/v1/orders` keeps working while consumers move to `/v2/orders`. The major in the path
must be the one `info.version` declares, or the document describes an API it does not serve.
Minor and patch versions never appear in the path: they are backward compatible by definition
(Semantic Versioning 2.0.0 §6-7).
""",
    good="""
info:
  version: 1.4.0
paths:
  /v1/orders: {}
""",
    bad="""
info:
  version: 2.0.0
paths:
  /orders: {}
  /v1/invoices: {}
""",
)
def path_major_version(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    paths = root(doc).get("paths")
    if not isinstance(paths, dict):
        return
    info = _info(doc)
    major = _major(info.get("version")) if info else None
    expected = f"/v{major}/" if major is not None else "/v<major>/"
    for path in paths:
        parts = segments(str(path))
        match = _VERSION_SEGMENT.match(parts[0]) if parts else None
        if match is None:
            yield Violation(
                doc.where(paths, path),
                f"path `{path}` does not start with the major version (`{expected}`)",
                f"move the operations under `{expected}`",
            )
        elif major is not None and int(match.group(1)) != major:
            yield Violation(
                doc.where(paths, path),
                f"path `{path}` is in major version {match.group(1)} but `info.version` is "
                f"{info.get('version') if info else None}",
                "a document describes one major version: move the path or split the document",
            )


@rule(
    "info-version-semver",
    severity=Severity.ERROR,
    applies_to=BOTH,
    family="versioning",
    summary="`info.version` is a Semantic Versioning 2.0.0 string such as `1.4.0`.",
    rationale="""
`info.version` is the version of the contract, and Accord's diff, changelog and release checks read
it as `MAJOR.MINOR.PATCH` (Semantic Versioning 2.0.0 §2): a breaking change bumps the major, a
compatible addition the minor. Dates, `v1` or `1.0` cannot be compared that way. Quote it in YAML:
an unquoted `1.0` is a number.
""",
    good="""
info:
  version: 1.4.0
""",
    bad="""
info:
  version: '1.4'
""",
)
def info_version_semver(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    info = _info(doc)
    if info is None:
        what = "is not an object" if "info" in root(doc) else "is missing"
        yield Violation(
            doc.where(doc.data), f"`info` {what}, so `info.version` is missing", "add `info.version`"
        )
        return
    version = info.get("version")
    if isinstance(version, str) and SEMVER.match(version):
        return
    if version is None:
        yield Violation(doc.where(info), "`info.version` is missing", "add `version: 1.0.0` under `info`")
        return
    shown = version if isinstance(version, str) else f"{version!r} (a {type(version).__name__})"
    yield Violation(
        at(doc, info, "version"),
        f"`info.version` {shown} is not a semantic version (MAJOR.MINOR.PATCH)",
        "write it as a quoted string such as '1.0.0'",
    )


def _stability_problem(value: Any) -> str | None:
    if isinstance(value, str) and value in STABILITY_LEVELS:
        return None
    return f"{value!r} is not one of {', '.join(STABILITY_LEVELS)}"


@rule(
    "info-stability",
    severity=Severity.ERROR,
    applies_to=BOTH,
    family="versioning",
    summary="`info.x-accord-stability` is `stable`, `beta` or `experimental`; operations may only lower it.",
    rationale="""
Consumers need to know what they may rely on: a `stable` contract changes only compatibly within
its major version, a `beta` one may still change with notice, an `experimental` one at any time.
`info.x-accord-stability` states it for the whole document; an operation or AsyncAPI operation may
carry its own `x-accord-stability` to mark itself *less* stable (an experimental operation in a
stable API), never more stable than its document, which would promise what the document does not.
""",
    good="""
info:
  x-accord-stability: stable
paths:
  /v1/orders:
    get:
      x-accord-stability: beta
""",
    bad="""
info:
  x-accord-stability: ga
""",
)
def info_stability(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    info = _info(doc)
    level: int | None = None
    if info is None or STABILITY_KEY not in info:
        where = doc.where(info) if info is not None else doc.where(doc.data)
        yield Violation(
            where,
            f"`info.{STABILITY_KEY}` is missing",
            f"add `{STABILITY_KEY}: stable` (or beta, experimental) under `info`",
        )
    else:
        problem = _stability_problem(info[STABILITY_KEY])
        if problem:
            yield Violation(at(doc, info, STABILITY_KEY), f"`info.{STABILITY_KEY}`: {problem}")
        else:
            level = STABILITY_LEVELS.index(info[STABILITY_KEY])
    nodes: Iterator[tuple[str, dict[str, Any]]]
    if doc.kind == OPENAPI:
        nodes = ((op.key, op.node) for op in operations(doc))
    else:
        nodes = ((op.key, op.node) for op in iter_async_operations(doc))
    for key, node in nodes:
        if STABILITY_KEY not in node:
            continue
        value = node[STABILITY_KEY]
        problem = _stability_problem(value)
        if problem:
            yield Violation(doc.where(node, STABILITY_KEY), f"{key}: `{STABILITY_KEY}` {problem}")
        elif level is not None and STABILITY_LEVELS.index(value) > level:
            yield Violation(
                doc.where(node, STABILITY_KEY),
                f"{key} is `{value}` but the document is only `{STABILITY_LEVELS[level]}`",
                "an operation may be less stable than its document, not more",
            )


def is_rfc3339_date(value: Any) -> bool:
    """An RFC 3339 ``full-date`` or ``date-time`` (§5.6) that names a real calendar day and time."""
    if not isinstance(value, str):
        return False
    try:
        if _FULL_DATE.match(value):
            date.fromisoformat(value)
            return True
        if _DATE_TIME.match(value):
            datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
            return True
    except ValueError:
        return False
    return False


def _sunset_violations(doc: Document, node: dict[str, Any], label: str) -> Iterator[Violation]:
    deprecated = node.get("deprecated") is True
    if "x-sunset" in node:
        sunset = node["x-sunset"]
        if not deprecated:
            yield Violation(
                doc.where(node, "x-sunset"),
                f"{label} has `x-sunset` but is not `deprecated: true`",
                "deprecate it (`deprecated: true`) or remove `x-sunset`",
            )
        elif not is_rfc3339_date(sunset):
            yield Violation(
                doc.where(node, "x-sunset"),
                f"{label}: `x-sunset` {sunset!r} is not an RFC 3339 date",
                "write it as a quoted date such as '2026-06-30'",
            )
    elif deprecated:
        yield Violation(
            doc.where(node, "deprecated"),
            f"{label} is deprecated without an `x-sunset` date",
            "add `x-sunset: 'YYYY-MM-DD'`, the date after which it may be removed",
        )


@rule(
    "deprecated-sunset",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family="versioning",
    summary="A deprecated operation or parameter carries `x-sunset`, an RFC 3339 date, and only then.",
    rationale="""
Deprecation without a date leaves consumers guessing how long they have. `x-sunset` states the date
after which the operation or parameter may be removed; the gateway announces it in the `Sunset`
response header (RFC 8594) next to `Deprecation` (RFC 9745). The value is an RFC 3339 date (§5.6,
`full-date`, or a `date-time`). A sunset on something not deprecated is a contradiction: either the
deprecation was forgotten or the sunset is stale.
""",
    good="""
get:
  deprecated: true
  x-sunset: '2026-06-30'
""",
    bad="""
get:
  deprecated: true
""",
)
def deprecated_sunset(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    seen: set[int] = set()
    for op in operations(doc):
        yield from _sunset_violations(doc, op.node, op.key)
        for param in parameters(doc, op):
            if id(param) not in seen:
                seen.add(id(param))
                yield from _sunset_violations(doc, param, f"parameter `{param.get('name')}`")
    components = root(doc).get("components")
    params = components.get("parameters") if isinstance(components, dict) else None
    if isinstance(params, dict):
        for param in params.values():
            if isinstance(param, dict) and id(param) not in seen:
                seen.add(id(param))
                yield from _sunset_violations(doc, param, f"parameter `{param.get('name')}`")


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _rate_limit_violations(doc: Document, owner: dict[str, Any], label: str) -> Iterator[Violation]:
    value = owner[RATE_LIMIT_KEY]
    if not isinstance(value, dict):
        yield Violation(
            doc.where(owner, RATE_LIMIT_KEY),
            f"{label}: `{RATE_LIMIT_KEY}` must be an object {{limit, window, key}}",
        )
        return
    for name in RATE_LIMIT_KEYS:
        if name not in value:
            yield Violation(doc.where(owner, RATE_LIMIT_KEY), f"{label}: `{RATE_LIMIT_KEY}` has no `{name}`")
    for name in value:
        if name not in RATE_LIMIT_KEYS:
            yield Violation(
                doc.where(value, name),
                f"{label}: `{RATE_LIMIT_KEY}` has an unknown key `{name}`",
                "the keys are limit, window and key",
            )
    for name, what in (("limit", "requests per window"), ("window", "seconds")):
        if name in value and not _positive_int(value[name]):
            yield Violation(
                doc.where(value, name),
                f"{label}: `{RATE_LIMIT_KEY}.{name}` must be a positive integer ({what}), not {value[name]!r}",
            )
    if "key" in value:
        key = value["key"]
        valid = key in ("client", "ip") or (
            isinstance(key, str) and key.startswith("header:") and bool(_TOKEN.match(key[7:]))
        )
        if not valid:
            yield Violation(
                doc.where(value, "key"),
                f"{label}: `{RATE_LIMIT_KEY}.key` {key!r} is not client, ip or header:<Name>",
            )


@rule(
    "rate-limit-valid",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family="versioning",
    summary="`x-accord-rate-limit` is `{limit, window, key}` and is declared at the document root.",
    rationale="""
The gateway enforces `x-accord-rate-limit` as written: `limit` requests per `window` seconds,
counted per `key` — the authenticated `client`, the caller's `ip`, or the value of a request header
(`header:<Name>`, an RFC 9110 §5.6.2 token). The document root declares the default for every
operation and an operation may override it. The gateway refuses to start on a malformed value; this
rule reports it at review time, where it is written. All three keys are required even though the
gateway would default `window` and `key`: the contract states the limit consumers must plan for.
Option `required` (default `true`): the root declaration is mandatory.
""",
    good="""
x-accord-rate-limit:
  limit: 600
  window: 60
  key: client
""",
    bad="""
x-accord-rate-limit:
  limit: 0
  window: 1m
  key: user
""",
)
def rate_limit_valid(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    data = root(doc)
    if RATE_LIMIT_KEY in data:
        yield from _rate_limit_violations(doc, data, "document")
    elif ctx.options.get("required", True) and data:
        yield Violation(
            doc.where(doc.data),
            f"the document declares no default `{RATE_LIMIT_KEY}`",
            f"add `{RATE_LIMIT_KEY}: {{limit: 600, window: 60, key: client}}` at the root",
        )
    for op in operations(doc):
        if RATE_LIMIT_KEY in op.node:
            yield from _rate_limit_violations(doc, op.node, op.key)
