"""Request validation against the contract (and, optionally, response validation).

Parameters (path, query, header, cookie) are coerced from their strings by their schema type and
checked; the body must have a declared media type (415 otherwise), stay under the size limit
(413) and, for JSON, parse and match its schema. Validators were compiled once at start-up
(:mod:`accord.policy`); a request that passes costs one ``is_valid`` per value. A request that
fails gets 400 with EVERY violation: ``errors: [{pointer, detail, code}]``, body pointers as
RFC 6901 pointers into the body, parameters as ``/query/<name>``, ``/path/<name>``,
``/header/<name>``.

Responses (``report`` or ``enforce``): a JSON response that does not match the documented schema
is logged and counted; with ``enforce`` the client gets 502 instead of the non-conforming body.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import orjson

from accord.policy import MediaType, Parameter, Policy, Violation, coerce_parameter
from accord_gateway.exchange import BodyTooLarge, Exchange, Handler, Response
from accord_gateway.metrics import Metrics
from accord_gateway.problem import problem

log = logging.getLogger("accord.gateway.validation")

ResponseMode = Literal["off", "report", "enforce"]
_MEDIA_CACHE = 1024
_UNKNOWN: Any = object()


class ValidationMiddleware:
    def __init__(
        self,
        app: Handler,
        metrics: Metrics,
        *,
        max_body_bytes: int = 1_048_576,
        body_timeout: float = 30.0,
        responses: ResponseMode = "off",
        max_response_bytes: int = 4 * 1_048_576,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout
        self.responses = responses
        self.max_response_bytes = max_response_bytes
        #: (request body spec, raw Content-Type) -> the declared media type it falls under
        self._media: dict[tuple[int, bytes | None], MediaType | None] = {}

    async def __call__(self, ex: Exchange) -> Response:
        policy = ex.policy
        assert policy is not None
        errors: list[Violation] = []
        for param in policy.parameters:
            self._parameter(ex, param, errors)
        refused = await self._body(ex, policy, errors)
        if refused is not None:
            return refused
        if errors:
            return self._reject(ex, errors)
        ex.decisions["validation"] = "passed"
        response = await self.app(ex)
        if self.responses != "off" and policy.responses:
            return await self._check_response(ex, policy, response)
        return response

    # -- parameters --------------------------------------------------------------------------------
    def _raw(self, ex: Exchange, param: Parameter) -> list[str] | None:
        if param.location == "path":
            value = ex.path_params.get(param.name)
            return [value] if value is not None else None
        if param.location == "query":
            return ex.query.get(param.name)
        if param.location == "header":
            raw = ex.headers.get(param.name.lower().encode("latin-1"))
            return [raw.decode("latin-1").strip()] if raw is not None else None
        cookie = ex.cookies.get(param.name)
        return [cookie] if cookie is not None else None

    def _parameter(self, ex: Exchange, param: Parameter, errors: list[Violation]) -> None:
        raw = self._raw(ex, param)
        if raw is None:
            if param.required:
                errors.append(Violation(param.pointer, "is required", "required"))
            return
        if len(raw) > 1 and param.type != "array":
            errors.append(Violation(param.pointer, "must appear only once", "repeated"))
            return
        if param.check is None:
            return
        value = coerce_parameter(param, raw)
        if not param.check.is_valid(value):
            errors.extend(param.check.violations(value, param.pointer))

    # -- body --------------------------------------------------------------------------------------
    async def _body(self, ex: Exchange, policy: Policy, errors: list[Violation]) -> Response | None:
        length_text = ex.headers.get(b"content-length")
        length = int(length_text) if length_text is not None else None
        chunked = b"transfer-encoding" in ex.headers
        has_body = chunked or (length is not None and length > 0)
        spec = policy.body
        if spec is None:
            if has_body:
                errors.append(Violation("", "this operation takes no request body", "unexpected_body"))
            return None
        if not has_body:
            if spec.required:
                errors.append(Violation("", "a request body is required", "required"))
            return None
        if length is not None and length > self.max_body_bytes:
            raise BodyTooLarge()
        raw_type = ex.headers.get(b"content-type")
        key = (id(spec), raw_type)
        media = self._media.get(key, _UNKNOWN)
        if media is _UNKNOWN:
            media = spec.match(raw_type.decode("latin-1") if raw_type else "")
            if len(self._media) < _MEDIA_CACHE:  # client-chosen strings: a bounded memo only
                self._media[key] = media
        if media is None:
            content_type = raw_type.decode("latin-1") if raw_type else ""
            self.metrics.rejected("validation", "unsupported_media_type")
            ex.decisions["validation"] = "unsupported_media_type"
            accepted = ", ".join(m.media_type for m in spec.media)
            field = b"accept-patch" if policy.method == "PATCH" else b"accept-post"
            return problem(
                ex,
                415,
                "unsupported-media-type",
                f"The body must be one of: {accepted}."
                if content_type
                else f"Content-Type is required ({accepted}).",
                errors=[
                    Violation("/header/Content-Type", f"must be one of: {accepted}", "unsupported_media_type")
                ],
                headers=[(field, accepted.encode("latin-1"))],
            )
        if not media.json:
            return None  # streamed to the upstream as is (size still limited)
        raw = await ex.read_body(self.max_body_bytes, self.body_timeout)
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            errors.append(
                Violation("", f"the body is not valid JSON: {exc.msg} at position {exc.pos}", "invalid_json")
            )
            return None
        if media.check is not None and not media.check.is_valid(document):
            errors.extend(media.check.violations(document))
        return None

    def _reject(self, ex: Exchange, errors: list[Violation]) -> Response:
        self.metrics.rejected("validation", "invalid_request")
        ex.decisions["validation"] = "failed"
        return problem(
            ex,
            400,
            "validation-error",
            "The request does not conform to the contract.",
            title="Request validation failed",
            errors=errors,
        )

    # -- responses ---------------------------------------------------------------------------------
    async def _check_response(self, ex: Exchange, policy: Policy, response: Response) -> Response:
        errors: list[Violation] = []
        documented = policy.response_check(response.status)
        if documented is None:
            errors.append(Violation("", f"status {response.status} is not documented", "undocumented_status"))
        else:
            content_type = (response.header(b"content-type") or b"").decode("latin-1")
            media = next(
                (
                    m
                    for m in documented.media
                    if m.media_type == content_type.split(";", 1)[0].strip().lower()
                ),
                None,
            )
            if media is None and documented.media and content_type:
                errors.append(
                    Violation(
                        "/header/Content-Type", f"{content_type} is not documented", "undocumented_media_type"
                    )
                )
            elif media is not None and media.check is not None:
                body = await response.read(self.max_response_bytes)
                if body is not None:
                    try:
                        document = orjson.loads(body)
                    except orjson.JSONDecodeError:
                        errors.append(Violation("", "the body is not valid JSON", "invalid_json"))
                    else:
                        if not media.check.is_valid(document):
                            errors.extend(media.check.violations(document))
        if not errors:
            ex.decisions["response_validation"] = "passed"
            return response
        self.metrics.response_violation(ex.route)
        ex.decisions["response_validation"] = "failed"
        log.warning(
            "response of %s %s (trace %s) does not match the contract: %s",
            policy.method,
            policy.path,
            ex.trace_id,
            "; ".join(f"{e.pointer or '/'} {e.detail}" for e in errors[:10]),
        )
        if self.responses != "enforce":
            return response
        if response.release is not None:
            response.release()
        return problem(
            ex,
            502,
            "upstream-contract-violation",
            "The upstream answered with a response that does not conform to the contract.",
            errors=errors,
        )
