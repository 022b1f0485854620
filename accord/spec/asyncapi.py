"""AsyncAPI 2.6 and 3.0 traversal, normalised to the 3.0 vocabulary (channels, operations, messages).

AsyncAPI 2.x names operations from the *client's* point of view: ``subscribe`` is what the
application sends, ``publish`` what it receives (AsyncAPI 2.6 §Channel Item Object). They map to
3.0's ``action: send`` and ``action: receive``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from accord.loader import Document
from accord.loader._pointer import child


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    address: str | None
    node: dict[str, Any]
    pointer: str


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    node: dict[str, Any]
    pointer: str

    @property
    def payload(self) -> Any:
        return self.node.get("payload")


@dataclass(frozen=True, slots=True)
class AsyncOperation:
    id: str
    action: str  # "send" or "receive"
    channel: Channel | None
    messages: tuple[Message, ...]
    node: dict[str, Any]
    pointer: str

    @property
    def key(self) -> str:
        address = self.channel.address if self.channel else None
        return f"{self.action.upper()} {address or self.id}"


def _is_v2(doc: Document) -> bool:
    return doc.version.startswith("2.")


def iter_channels(doc: Document) -> Iterator[Channel]:
    channels = doc.data.get("channels") if isinstance(doc.data, dict) else None
    if not isinstance(channels, dict):
        return
    for name, node in channels.items():
        if not isinstance(node, dict):
            continue
        address = name if _is_v2(doc) else node.get("address")
        yield Channel(name, address if isinstance(address, str) else None, node, child("/channels", name))


def _messages_of(container: Any, pointer: str) -> list[Message]:
    """Messages of a 3.0 channel/operation (a map or a list) or a 2.x operation (``message``, ``oneOf``)."""
    found: list[Message] = []
    if isinstance(container, dict) and "oneOf" in container and isinstance(container["oneOf"], list):
        container = container["oneOf"]
        pointer = child(pointer, "oneOf")
    if isinstance(container, dict) and ("payload" in container or "name" in container):
        name = container.get("name") or container.get("messageId") or pointer.rsplit("/", 1)[-1]
        return [Message(str(name), container, pointer)]
    if isinstance(container, dict):
        items: Any = container.items()
    elif isinstance(container, list):
        items = enumerate(container)
    else:
        return found
    for key, node in items:
        if isinstance(node, dict):
            name = node.get("name") or node.get("messageId") or str(key)
            found.append(Message(str(name), node, child(pointer, key)))
    return found


def iter_operations(doc: Document) -> Iterator[AsyncOperation]:
    data = doc.data if isinstance(doc.data, dict) else {}
    if _is_v2(doc):
        for channel in iter_channels(doc):
            for verb, action in (("subscribe", "send"), ("publish", "receive")):
                op = channel.node.get(verb)
                if not isinstance(op, dict):
                    continue
                op_id = op.get("operationId") or f"{verb} {channel.id}"
                pointer = child(channel.pointer, verb)
                messages = _messages_of(op.get("message"), child(pointer, "message"))
                yield AsyncOperation(str(op_id), action, channel, tuple(messages), op, pointer)
        return
    operations = data.get("operations")
    if not isinstance(operations, dict):
        return
    by_node = {id(ch.node): ch for ch in iter_channels(doc)}
    for op_id, op in operations.items():
        if not isinstance(op, dict):
            continue
        channel_node = op.get("channel")
        op_channel = by_node.get(id(channel_node)) if isinstance(channel_node, dict) else None
        pointer = child("/operations", op_id)
        if "messages" in op:
            messages = _messages_of(op.get("messages"), child(pointer, "messages"))
        elif op_channel is not None:
            messages = _messages_of(op_channel.node.get("messages"), child(op_channel.pointer, "messages"))
        else:
            messages = []
        yield AsyncOperation(str(op_id), str(op.get("action")), op_channel, tuple(messages), op, pointer)


def iter_messages(doc: Document) -> Iterator[Message]:
    """Every distinct message: the channels' (3.0) or operations' (2.x) and ``components.messages``."""
    seen: set[int] = set()
    if _is_v2(doc):
        for op in iter_operations(doc):
            for msg in op.messages:
                if id(msg.node) not in seen:
                    seen.add(id(msg.node))
                    yield msg
    else:
        for channel in iter_channels(doc):
            for msg in _messages_of(channel.node.get("messages"), child(channel.pointer, "messages")):
                if id(msg.node) not in seen:
                    seen.add(id(msg.node))
                    yield msg
    components = doc.data.get("components") if isinstance(doc.data, dict) else None
    if isinstance(components, dict) and isinstance(components.get("messages"), dict):
        for name, node in components["messages"].items():
            if isinstance(node, dict) and id(node) not in seen:
                seen.add(id(node))
                label = node.get("name") or name
                yield Message(str(label), node, child("/components/messages", name))
