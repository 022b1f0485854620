"""Operations and paths: removal (with deprecation and sunset), addition, deprecation, renames."""

from __future__ import annotations

from accord.diff.delta import OpenApiDelta, OperationDelta
from accord.diff.rules._emit import Emitter
from accord.diff.stability import declared_stability, parse_date
from accord.spec import Operation


def enter(em: Emitter, op: Operation, info: object) -> None:
    """Set the emitter's context to ``op`` (its key and the stability its base side promised)."""
    em.operation = op.key
    em.stability = declared_stability(op.node, op.path_item, info) or em.stability_default


def judge(em: Emitter, delta: OpenApiDelta) -> None:
    info = delta.base.data.get("info") if isinstance(delta.base.data, dict) else None
    rev_paths = delta.rev.data.get("paths") if isinstance(delta.rev.data, dict) else None
    for op in delta.removed:
        enter(em, op, info)
        removed(em, op, op.path in delta.removed_paths, rev_paths)
    for op in delta.added:
        em.operation, em.stability = op.key, None
        em.emit("endpoint-added", f"operation {op.key} added", revision=em.at_rev(op.node))


def removed(em: Emitter, op: Operation, whole_path: bool, rev_paths: object) -> None:
    sunset_raw = op.node.get("x-sunset", op.path_item.get("x-sunset"))
    sunset = parse_date(sunset_raw)
    where_rev = em.at_rev(rev_paths) if isinstance(rev_paths, dict) else None
    base = em.at_base(op.node)
    if op.node.get("deprecated") is not True:
        change_id = (
            "api-path-removed-without-deprecation" if whole_path else "api-removed-without-deprecation"
        )
        em.emit(change_id, f"operation {op.key} removed without deprecation", base=base, revision=where_rev)
    elif sunset is None:
        em.emit(
            "api-removed-before-sunset",
            f"deprecated operation {op.key} removed, but it had no x-sunset date",
            base=base,
            revision=where_rev,
        )
    elif sunset > em.today:
        em.emit(
            "api-removed-before-sunset",
            f"operation {op.key} removed before its sunset date {sunset}",
            base=base,
            revision=where_rev,
            details={"sunset": sunset.isoformat()},
        )
    else:
        em.emit(
            "api-removed-after-sunset",
            f"operation {op.key} removed after its sunset date {sunset}",
            base=base,
            revision=where_rev,
            details={"sunset": sunset.isoformat()},
        )


def judge_fields(em: Emitter, d: OperationDelta) -> None:
    """Deprecation, sunset, operationId and path parameter renames of a matched operation."""
    b, r = d.base, d.rev
    if "deprecated" in d.fields:
        _before, after = d.fields["deprecated"]
        if after:
            em.emit(
                "api-deprecated",
                f"operation {b.key} deprecated",
                base=em.at_base(b.node),
                revision=em.at_rev(r.node, "deprecated"),
            )
        else:
            em.emit(
                "endpoint-reactivated",
                f"operation {b.key} is no longer deprecated",
                base=em.at_base(b.node, "deprecated"),
                revision=em.at_rev(r.node),
            )
    if "x-sunset" in d.fields:
        before, after = (parse_date(v) for v in d.fields["x-sunset"])
        if before is not None and after is not None and after < before:
            em.emit(
                "api-sunset-date-brought-forward",
                f"sunset of {b.key} moved from {before} to {after}",
                base=em.at_base(b.node, "x-sunset"),
                revision=em.at_rev(r.node, "x-sunset"),
            )
    if "operationId" in d.fields:
        before, after = d.fields["operationId"]
        if before is not None:
            em.emit(
                "api-operation-id-changed",
                f"operationId changed from {before!r} to {after!r}",
                base=em.at_base(b.node, "operationId"),
                revision=em.at_rev(r.node, "operationId"),
            )
    for old, new in d.renamed_params:
        em.emit(
            "path-parameter-renamed",
            f"path parameter {{{old}}} renamed to {{{new}}} ({b.path} -> {r.path})",
            base=em.at_base(em.base.data["paths"], b.path),
            revision=em.at_rev(em.rev.data["paths"], r.path),
            details={"before": old, "after": new},
        )
