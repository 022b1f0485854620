"""AsyncAPI 2.6/3.0 channels, operations and messages.

Direction follows the operation's action (AsyncAPI 3.0 §Operation Object; 2.x ``subscribe`` is the
application sending): a message the service *sends* is judged like a response for its consumers
(direction ``publish``), one it *receives* like a request from its producers (``subscribe``).
"""

from __future__ import annotations

from typing import Any

from accord.diff.delta import AsyncApiDelta, AsyncOperationDelta
from accord.diff.registry import SCOPES
from accord.diff.rules._emit import Emitter
from accord.diff.rules.schemas import judge_schema
from accord.diff.stability import declared_stability
from accord.spec import AsyncOperation


def direction(action: str) -> str:
    return "publish" if action == "send" else "subscribe"


def _enter(em: Emitter, op: AsyncOperation, info: Any) -> None:
    em.operation = op.key
    em.stability = declared_stability(op.node, op.channel.node if op.channel else None, info) or (
        em.stability_default
    )


def judge(em: Emitter, delta: AsyncApiDelta) -> None:
    info = delta.base.data.get("info") if isinstance(delta.base.data, dict) else None
    channel_dirs: dict[str, str] = {}
    for op in delta.removed:
        if op.channel is not None:
            channel_dirs.setdefault(op.channel.id, direction(op.action))
    removed_channels = {c.id for c in delta.channels_removed}
    em.stability = declared_stability(info) or em.stability_default
    for channel in delta.channels_removed:
        em.operation = f"CHANNEL {channel.address or channel.id}"
        em.emit(
            "channel-removed",
            f"channel {channel.address or channel.id} removed",
            base=em.at_base(channel.node),
            revision=em.at_rev(delta.rev.data.get("channels")),
            direction=channel_dirs.get(channel.id, "none"),
            details={"channel": channel.address or channel.id},
        )
    for channel in delta.channels_added:
        em.operation, em.stability = f"CHANNEL {channel.address or channel.id}", None
        em.emit(
            "channel-added",
            f"channel {channel.address or channel.id} added",
            revision=em.at_rev(channel.node),
            details={"channel": channel.address or channel.id},
        )
    em.stability = declared_stability(info) or em.stability_default
    for cd in delta.channels:
        em.operation = f"CHANNEL {cd.base.address or cd.base.id}"
        channel_info = {"channel": cd.base.address or cd.base.id}
        if cd.address is not None:
            before, after = cd.address
            has_key = "address" in cd.rev.node
            em.emit(
                "channel-address-changed",
                f"channel address changed from {before} to {after}",
                base=em.at_base(cd.base.node, "address") if has_key else em.at_base(cd.base.node),
                revision=em.at_rev(cd.rev.node, "address") if has_key else em.at_rev(cd.rev.node),
                details={**channel_info, "before": before, "after": after},
            )
        for protocol in cd.bindings:
            em.emit(
                "channel-binding-changed",
                f"channel {cd.base.address}: {protocol} binding changed",
                base=em.at_base(cd.base.node["bindings"], protocol),
                revision=em.at_rev(cd.rev.node["bindings"], protocol),
                details={**channel_info, "protocol": protocol},
            )
    for op in delta.removed:
        if op.channel is not None and op.channel.id in removed_channels:
            continue  # reported as the channel's removal
        _enter(em, op, info)
        em.emit(
            "async-operation-removed",
            f"operation {op.id} ({op.key}) removed",
            base=em.at_base(op.node),
            revision=em.at_rev(delta.rev.data.get("operations") or delta.rev.data.get("channels")),
            direction=direction(op.action),
            details=_channel(op),
        )
    for op in delta.added:
        em.operation, em.stability = op.key, None
        em.emit(
            "async-operation-added",
            f"operation {op.id} ({op.key}) added",
            revision=em.at_rev(op.node),
            direction=direction(op.action),
            details=_channel(op),
        )
    for od in delta.operations:
        _enter(em, od.base, info)
        _operation(em, od)


def _channel(op: AsyncOperation) -> dict[str, object]:
    return {"channel": op.channel.address or op.channel.id} if op.channel else {}


def _operation(em: Emitter, od: AsyncOperationDelta) -> None:
    b, r = od.base, od.rev
    dir_ = direction(b.action)
    details = _channel(b)
    if od.action is not None:
        em.emit(
            "async-operation-action-changed",
            f"operation {b.id} action changed from {od.action[0]} to {od.action[1]}",
            base=em.at_base(b.node, "action") if "action" in b.node else em.at_base(b.node),
            revision=em.at_rev(r.node, "action") if "action" in r.node else em.at_rev(r.node),
            direction=dir_,
            details=details,
        )
        return
    for msg in od.messages_removed:
        em.emit(
            "message-removed",
            f"message {msg.id} removed from {b.key}",
            base=em.at_base(msg.node),
            revision=em.at_rev(r.node),
            direction=dir_,
            details={**details, "message": msg.id},
        )
    for msg in od.messages_added:
        change_id = "sent-message-added" if b.action == "send" else "received-message-added"
        em.emit(
            change_id,
            f"message {msg.id} added to {b.key}",
            base=em.at_base(b.node),
            revision=em.at_rev(msg.node),
            direction=dir_,
            details={**details, "message": msg.id},
        )
    scope = SCOPES["sent-message-property" if b.action == "send" else "received-message-property"]
    for md in od.messages:
        if md.content_type is not None:
            em.emit(
                "message-content-type-changed",
                f"message {md.base.id}: content type changed from {md.content_type[0]} to {md.content_type[1]}",
                base=em.at_base(md.base.node, "contentType")
                if "contentType" in md.base.node
                else em.at_base(md.base.node),
                revision=em.at_rev(md.rev.node, "contentType")
                if "contentType" in md.rev.node
                else em.at_rev(md.rev.node),
                direction=dir_,
                details={**details, "message": md.base.id},
            )
        judge_schema(em, md.payload, scope, f"payload of message `{md.base.id}`")
        judge_schema(em, md.headers, scope, f"headers of message `{md.base.id}`")
