"""Change rules: judge a structural delta into :class:`~accord.model.Change` objects.

One module per family; each knows nothing of the others. :func:`classify` runs them in a fixed
order so output is deterministic.
"""

from __future__ import annotations

from datetime import date

from accord.diff.delta import AsyncApiDelta, Differ, OpenApiDelta
from accord.diff.rules import asyncapi, bodies, operations, parameters, responses, security
from accord.diff.rules._emit import Emitter
from accord.model import Change


def classify(differ: Differ, today: date, stability: str | None = None) -> list[Change]:
    """Compute the delta of the differ's document pair and judge it."""
    em = Emitter(differ.base_doc, differ.rev_doc, today, differ.norms, stability_default=stability)
    if differ.base_doc.kind == "asyncapi":
        classify_async(em, differ.asyncapi())
    else:
        classify_openapi(em, differ.openapi())
    return em.changes


def classify_openapi(em: Emitter, delta: OpenApiDelta) -> None:
    info = delta.base.data.get("info") if isinstance(delta.base.data, dict) else None
    operations.judge(em, delta)
    for od in delta.operations:
        operations.enter(em, od.base, info)
        operations.judge_fields(em, od)
        parameters.judge(em, od)
        bodies.judge(em, od)
        responses.judge(em, od)
        security.judge(em, od)
    security.judge_schemes(em, delta)
    em.operation, em.stability = None, em.stability_default
    servers = delta.rev.data.get("servers") if isinstance(delta.rev.data, dict) else None
    for _index, server in delta.servers_removed:
        em.emit(
            "api-server-removed",
            f"server {server.get('url')} removed",
            base=em.at_base(server),
            revision=em.at_rev(servers) if servers is not None else None,
            details={"url": server.get("url")},
        )


def classify_async(em: Emitter, delta: AsyncApiDelta) -> None:
    asyncapi.judge(em, delta)
