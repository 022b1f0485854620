"""Fixed modules written beside the generated code (runtime support of the generated services)."""

from __future__ import annotations

#: ``generated/common/http.py``: what every generated FastAPI service imports.
HTTP_RUNTIME = '''\
"""Runtime support of the generated FastAPI services: replies, RFC 9457 problems, validation errors.

A handler returns its response model (sent with the operation's first documented 2xx status), or a
:class:`Reply` to choose the status and add headers such as ``Location`` and ``ETag``; it raises
:class:`ProblemError` to answer an ``application/problem+json`` error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel

T = TypeVar("T")

PROBLEM_JSON = "application/problem+json"

__all__ = ["PROBLEM_JSON", "ProblemError", "Reply", "install_problem_handlers", "pointer_of", "to_response"]


@dataclass(frozen=True)
class Reply(Generic[T]):
    """A handler result with an explicit status code and response headers."""

    body: T
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


class ProblemError(Exception):
    """Raise from a handler to answer an RFC 9457 problem details response."""

    def __init__(
        self,
        status: int,
        title: str,
        *,
        detail: str | None = None,
        type: str = "about:blank",
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.errors = errors or []
        self.headers = dict(headers or {})

    def to_dict(self, instance: str | None = None) -> dict[str, Any]:
        problem: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail is not None:
            problem["detail"] = self.detail
        if instance is not None:
            problem["instance"] = instance
        if self.errors:
            problem["errors"] = self.errors
        return problem


def to_response(result: object, status: int) -> Response:
    """The HTTP response for a handler result (a model, a :class:`Reply`, ``None`` or plain JSON)."""
    headers: dict[str, str] = {}
    body = result
    if isinstance(result, Reply):
        status = result.status or status
        headers = dict(result.headers)
        body = result.body
    if body is None:
        return Response(status_code=status, headers=headers)
    if isinstance(body, BaseModel):
        content = body.model_dump_json(by_alias=True, exclude_unset=True).encode()
    else:
        content = json.dumps(body, default=_plain).encode()
    return Response(content, status, headers, media_type="application/json")


def _plain(value: object) -> object:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def pointer_of(loc: tuple[int | str, ...]) -> str:
    """RFC 6901 pointer of a validation error location: into the body, or ``/query/<name>`` and so on."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[1:]
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    content = json.dumps(exc.to_dict(request.url.path)).encode()
    return Response(content, exc.status, exc.headers, media_type=PROBLEM_JSON)


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"pointer": pointer_of(tuple(error.get("loc", ()))), "detail": str(error.get("msg", "invalid"))}
        for error in exc.errors()
    ]
    problem = ProblemError(
        400, "Request validation failed", detail="The request does not conform to the contract.", errors=errors
    )
    content = json.dumps(problem.to_dict(request.url.path)).encode()
    return Response(content, 400, media_type=PROBLEM_JSON)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer :class:`ProblemError` and request validation errors as ``application/problem+json``."""
    app.add_exception_handler(ProblemError, _problem)
    app.add_exception_handler(RequestValidationError, _invalid)
'''
