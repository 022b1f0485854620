"""Parameters (OpenAPI 3.1 §4.8.12): added, removed, moved, required, style/explode, schema."""

from __future__ import annotations

from typing import Any

from accord.diff.delta import OperationDelta
from accord.diff.registry import SCOPES
from accord.diff.rules._emit import Emitter
from accord.diff.rules.schemas import judge_schema


def _label(param: dict[str, Any]) -> str:
    return f"parameter `{param.get('name')}` ({param.get('in')})"


def judge(em: Emitter, d: OperationDelta) -> None:
    b_op, r_op = d.base, d.rev
    removed = list(d.params_removed)
    added = list(d.params_added)
    # the same name removed from one location and added in another: a move
    for old in list(removed):
        name = str(old.get("name")).lower()
        for new in added:
            if str(new.get("name")).lower() == name and new.get("in") != old.get("in"):
                em.emit(
                    "request-parameter-location-changed",
                    f"parameter `{old.get('name')}` moved from {old.get('in')} to {new.get('in')}",
                    base=em.at_base(old, "in"),
                    revision=em.at_rev(new, "in"),
                    details={"parameter": old.get("name")},
                )
                removed.remove(old)
                added.remove(new)
                break
    for param in removed:
        em.emit(
            "request-parameter-removed",
            f"{_label(param)} removed",
            base=em.at_base(param),
            revision=em.at_rev(r_op.node),
            details={"parameter": param.get("name")},
        )
    for param in added:
        required = param.get("in") == "path" or param.get("required") is True
        change_id = "new-required-request-parameter" if required else "new-optional-request-parameter"
        em.emit(
            change_id,
            f"{_label(param)} added" + (" as required" if required else ""),
            base=em.at_base(b_op.node),
            revision=em.at_rev(param),
            details={"parameter": param.get("name")},
        )
    for pd in d.params:
        b, r = pd.base, pd.rev
        info = {"parameter": b.get("name")}
        if "required" in pd.fields:
            became = pd.fields["required"][1]
            change_id = "request-parameter-became-required" if became else "request-parameter-became-optional"
            em.emit(
                change_id,
                f"{_label(b)} became {'required' if became else 'optional'}",
                base=em.at_base(b, "required") if "required" in b else em.at_base(b),
                revision=em.at_rev(r, "required") if "required" in r else em.at_rev(r),
                details=info,
            )
        for name in ("style", "explode"):
            if name in pd.fields:
                before, after = pd.fields[name]
                em.emit(
                    f"request-parameter-{name}-changed",
                    f"{_label(b)}: {name} changed from {before} to {after}",
                    base=em.at_base(b, name) if name in b else em.at_base(b),
                    revision=em.at_rev(r, name) if name in r else em.at_rev(r),
                    details=info,
                )
        if "deprecated" in pd.fields and pd.fields["deprecated"][1]:
            em.emit(
                "request-parameter-deprecated",
                f"{_label(b)} deprecated",
                base=em.at_base(b),
                revision=em.at_rev(r, "deprecated"),
                details=info,
            )
        judge_schema(em, pd.schema, SCOPES["request-parameter"], _label(b))
