"""RFC 9457 problem details: every error the gateway answers is ``application/problem+json``."""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus

import orjson

from accord.policy import Violation
from accord_gateway.exchange import Exchange, RawHeaders, Response

PROBLEM_TYPE = b"application/problem+json"
#: The Problem schema of the contracts caps ``errors`` at 100 items.
MAX_ERRORS = 100
#: Prefix of problem ``type`` URIs unless configured (``problemTypeBase``): a relative reference,
#: which RFC 9457 §3.1.1 allows (resolved against the request URI).
DEFAULT_TYPE_BASE = "/problems/"


def problem(
    ex: Exchange | None,
    status: int,
    slug: str,
    detail: str,
    *,
    title: str | None = None,
    errors: Iterable[Violation] = (),
    headers: RawHeaders | None = None,
) -> Response:
    """A problem response; ``traceId`` and ``instance`` come from the exchange when there is one."""
    body: dict[str, object] = {
        "type": (ex.problem_base if ex is not None else DEFAULT_TYPE_BASE) + slug,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if ex is not None:
        raw = ex.raw_path.decode("latin-1")
        body["instance"] = raw if _printable(raw) else "/"
        if ex.trace_id:
            body["traceId"] = ex.trace_id
    listed = [e.to_dict() for e in errors]
    if listed:
        if len(listed) > MAX_ERRORS:
            body["detail"] = f"{detail} ({len(listed)} errors; the first {MAX_ERRORS} are listed)"
            listed = listed[:MAX_ERRORS]
        body["errors"] = listed
    out: RawHeaders = [(b"content-type", PROBLEM_TYPE), (b"cache-control", b"no-store")]
    if headers:
        out.extend(headers)
    return Response(status, out, orjson.dumps(body))


def _printable(path: str) -> bool:
    return len(path) <= 2048 and path.isprintable() and " " not in path
