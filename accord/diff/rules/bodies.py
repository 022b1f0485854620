"""Request bodies (OpenAPI 3.1 §4.8.13): required flag, media types, and the schema per media type."""

from __future__ import annotations

from accord.diff.delta import OperationDelta
from accord.diff.registry import SCOPES
from accord.diff.rules._emit import Emitter
from accord.diff.rules.schemas import judge_schema


def judge(em: Emitter, d: OperationDelta) -> None:
    b_op, r_op = d.base, d.rev
    if d.body is not None:
        before, after = d.body
        if before is None and after is not None:
            required = after.get("required") is True
            em.emit(
                "new-required-request-body" if required else "new-optional-request-body",
                "request body added" + (" as required" if required else ""),
                base=em.at_base(b_op.node),
                revision=em.at_rev(after),
            )
        elif after is None and before is not None:
            em.emit(
                "request-body-removed",
                "request body removed",
                base=em.at_base(before),
                revision=em.at_rev(r_op.node),
            )
        elif before is not None and after is not None:
            became = after.get("required") is True
            em.emit(
                "request-body-became-required" if became else "request-body-became-optional",
                f"request body became {'required' if became else 'optional'}",
                base=em.at_base(before, "required") if "required" in before else em.at_base(before),
                revision=em.at_rev(after, "required") if "required" in after else em.at_rev(after),
            )
    content = d.body_content
    if content is None:
        return
    for media_type in content.removed:
        em.emit(
            "request-body-media-type-removed",
            f"request body media type {media_type} removed",
            base=em.at_base(content.base, media_type),
            revision=em.at_rev(content.rev),
            details={"mediaType": media_type},
        )
    for media_type in content.added:
        em.emit(
            "request-body-media-type-added",
            f"request body media type {media_type} added",
            base=em.at_base(content.base),
            revision=em.at_rev(content.rev, media_type),
            details={"mediaType": media_type},
        )
    for base_mt, _rev_mt, delta in content.changed:
        judge_schema(em, delta, SCOPES["request-property"], f"request body ({base_mt})")
