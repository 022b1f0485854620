"""Security requirements (OpenAPI 3.1 §4.8.30): alternatives are OR-ed, schemes within one are AND-ed.

A client holds the credentials of one base alternative. It keeps working when some revision
alternative asks for a subset of those schemes with a subset of the scopes.
"""

from __future__ import annotations

from typing import Any

from accord.diff.delta import OpenApiDelta, OperationDelta
from accord.diff.rules._emit import Emitter
from accord.model import Location

Alternative = dict[str, frozenset[str]]


def _alternatives(value: list[Any] | None) -> list[Alternative]:
    if not value:
        return [{}]
    found: list[Alternative] = []
    for requirement in value:
        if isinstance(requirement, dict):
            alt = {
                str(k): frozenset(str(s) for s in v) if isinstance(v, list) else frozenset()
                for k, v in requirement.items()
            }
            if alt not in found:
                found.append(alt)
    return found or [{}]


def _satisfies(held: Alternative, wanted: Alternative) -> bool:
    return all(name in held and scopes <= held[name] for name, scopes in wanted.items())


def _show(alt: Alternative) -> str:
    if not alt:
        return "anonymous"
    return " + ".join(f"{k}[{', '.join(sorted(v))}]" if v else k for k, v in sorted(alt.items()))


def _where(em: Emitter, node: dict[str, Any], data: Any, base: bool) -> Location:
    at = em.at_base if base else em.at_rev
    if "security" in node:
        return at(node, "security")
    if isinstance(data, dict) and "security" in data:
        return at(data, "security")
    return at(node)


def judge(em: Emitter, d: OperationDelta) -> None:
    if d.security is None:
        return
    b_alts, r_alts = _alternatives(d.security[0]), _alternatives(d.security[1])
    lb = _where(em, d.base.node, em.base.data, True)
    lr = _where(em, d.rev.node, em.rev.data, False)
    explained: set[int] = set()
    for held in b_alts:
        if any(_satisfies(held, wanted) for wanted in r_alts):
            continue
        if not held:
            explained.update(range(len(r_alts)))
            em.emit(
                "api-security-added",
                f"anonymous calls now need {' or '.join(map(_show, r_alts))}",
                base=lb,
                revision=lr,
            )
            continue
        wider = [i for i, r in enumerate(r_alts) if r.keys() > held.keys()]
        same = [i for i, r in enumerate(r_alts) if r.keys() == held.keys()]
        if wider:
            explained.update(wider)
            em.emit(
                "api-security-added",
                f"{_show(held)} now also needs {_show(r_alts[wider[0]])}",
                base=lb,
                revision=lr,
            )
        elif same:
            explained.update(same)
            target = r_alts[same[0]]
            for name in sorted(target):
                for scope in sorted(target[name] - held[name]):
                    em.emit(
                        "api-security-scope-added",
                        f"security {name} requires the new scope {scope!r}",
                        base=lb,
                        revision=lr,
                        details={"scheme": name, "scope": scope},
                    )
        else:
            em.emit(
                "api-security-removed",
                f"security requirement {_show(held)} removed",
                base=lb,
                revision=lr,
                details={"requirement": _show(held)},
            )
    for index, wanted in enumerate(r_alts):
        if wanted in b_alts or index in explained:
            continue
        if not wanted:
            em.emit(
                "api-security-made-public",
                "the operation no longer requires authentication",
                base=lb,
                revision=lr,
            )
            continue
        same_b = [b for b in b_alts if b.keys() == wanted.keys()]
        if same_b and all(wanted[k] <= same_b[0][k] for k in wanted):
            for name in sorted(wanted):
                for scope in sorted(same_b[0][name] - wanted[name]):
                    em.emit(
                        "api-security-scope-removed",
                        f"security {name} no longer requires scope {scope!r}",
                        base=lb,
                        revision=lr,
                        details={"scheme": name, "scope": scope},
                    )
            continue
        em.emit(
            "api-security-alternative-added",
            f"security alternative {_show(wanted)} added",
            base=lb,
            revision=lr,
        )


def judge_schemes(em: Emitter, delta: OpenApiDelta) -> None:
    em.operation, em.stability = None, em.stability_default
    for sd in delta.schemes:
        text = ", ".join(f"{k}: {b!r} -> {r!r}" for k, (b, r) in sd.fields.items())
        em.emit(
            "security-scheme-changed",
            f"security scheme {sd.name} changed ({text})",
            base=em.at_base(sd.base),
            revision=em.at_rev(sd.rev),
            details={"scheme": sd.name},
        )
