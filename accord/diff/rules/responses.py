"""Responses (OpenAPI 3.1 §4.8.16-17): status codes, media types, headers, and response schemas."""

from __future__ import annotations

from accord.diff.delta import OperationDelta, ResponseDelta
from accord.diff.registry import SCOPES
from accord.diff.rules._emit import Emitter
from accord.diff.rules.schemas import judge_schema


def _success(code: str) -> bool:
    return code.startswith("2")


def judge(em: Emitter, d: OperationDelta) -> None:
    b_responses = d.base.node.get("responses")
    r_responses = d.rev.node.get("responses")
    for code in d.responses_removed:
        change_id = (
            "response-success-status-removed" if _success(code) else "response-non-success-status-removed"
        )
        em.emit(
            change_id,
            f"response {code} removed",
            base=em.at_base(b_responses, code),
            revision=em.at_rev(r_responses),
            details={"status": code},
        )
    for code in d.responses_added:
        change_id = "response-success-status-added" if _success(code) else "response-non-success-status-added"
        em.emit(
            change_id,
            f"response {code} added",
            base=em.at_base(b_responses),
            revision=em.at_rev(r_responses, code),
            details={"status": code},
        )
    for rd in d.responses:
        _response(em, rd)


def _response(em: Emitter, rd: ResponseDelta) -> None:
    code = rd.base_code
    status = {"status": code}
    if rd.content is not None:
        content = rd.content
        for media_type in content.removed:
            em.emit(
                "response-media-type-removed",
                f"response {code}: media type {media_type} removed",
                base=em.at_base(content.base, media_type),
                revision=em.at_rev(content.rev or rd.rev),
                details={**status, "mediaType": media_type},
            )
        for media_type in content.added:
            em.emit(
                "response-media-type-added",
                f"response {code}: media type {media_type} added",
                base=em.at_base(content.base or rd.base),
                revision=em.at_rev(content.rev, media_type),
                details={**status, "mediaType": media_type},
            )
        for base_mt, _rev_mt, delta in content.changed:
            judge_schema(em, delta, SCOPES["response-property"], f"response {code} body ({base_mt})")
    b_headers, r_headers = rd.base.get("headers"), rd.rev.get("headers")
    for name, header in rd.headers_removed.items():
        required = isinstance(header, dict) and header.get("required") is True
        change_id = "response-required-header-removed" if required else "response-header-removed"
        em.emit(
            change_id,
            f"response {code}: header {name} removed",
            base=em.at_base(b_headers, name),
            revision=em.at_rev(r_headers if isinstance(r_headers, dict) else rd.rev),
            details={**status, "header": name},
        )
    for name in rd.headers_added:
        em.emit(
            "response-header-added",
            f"response {code}: header {name} added",
            base=em.at_base(b_headers if isinstance(b_headers, dict) else rd.base),
            revision=em.at_rev(r_headers, name),
            details={**status, "header": name},
        )
    for hd in rd.headers:
        if hd.required is not None and not hd.required[1]:
            em.emit(
                "response-header-became-optional",
                f"response {code}: header {hd.name} became optional",
                base=em.at_base(hd.base, "required"),
                revision=em.at_rev(hd.rev, "required") if "required" in hd.rev else em.at_rev(hd.rev),
                details={**status, "header": hd.name},
            )
        judge_schema(em, hd.schema, SCOPES["response-header"], f"header `{hd.name}` of response {code}")
