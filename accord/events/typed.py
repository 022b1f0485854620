"""Typed channels: build, validate and publish events of one message model; validate on receipt."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from accord.events.envelope import dedup_key, envelope
from accord.events.transport import InvalidEvent, Subscription, Transport

M = TypeVar("M", bound=BaseModel)


class Deduplicator:
    """Remembers the last ``size`` (source, id) pairs seen; :meth:`seen` is true for a repeat."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._keys: OrderedDict[tuple[str, str], None] = OrderedDict()

    def seen(self, key: tuple[str, str]) -> bool:
        if key in self._keys:
            self._keys.move_to_end(key)
            return True
        self._keys[key] = None
        if len(self._keys) > self.size:
            self._keys.popitem(last=False)
        return False


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return value


class EventChannel(Generic[M]):
    """One channel (routing key) carrying one message model."""

    def __init__(self, model: type[M], *, address: str, event_type: str | None) -> None:
        self.model = model
        self.address = address
        self.event_type = event_type

    def build(
        self,
        data: Any,
        *,
        subject: str | None,
        source: str,
        traceparent: str | None = None,
        event_id: str | None = None,
        time: datetime | None = None,
    ) -> M:
        """A validated event around ``data``; raises :class:`pydantic.ValidationError` when invalid."""
        raw = envelope(
            event_type=self.event_type or "",
            source=source,
            data=_jsonable(data),
            subject=subject,
            event_id=event_id,
            time=time,
            traceparent=traceparent,
        )
        return self.model.model_validate(raw)

    def encode(self, event: M | dict[str, Any]) -> bytes:
        """The JSON body of ``event``, validated against the model first (even a model instance)."""
        raw = _jsonable(event)
        validated = self.model.model_validate(raw)
        return validated.model_dump_json(by_alias=True, exclude_unset=True).encode()

    def decode(self, body: bytes) -> M:
        """The event in a received body; raises :class:`InvalidEvent` when it does not validate."""
        try:
            return self.model.model_validate_json(body)
        except ValidationError as exc:
            raise InvalidEvent(
                f"not a valid {self.model.__name__} on {self.address}: {exc.error_count()} error(s)"
            ) from exc

    async def publish(self, transport: Transport, event: M | dict[str, Any]) -> None:
        """Validate and send ``event`` with routing key :attr:`address`."""
        body = self.encode(event)
        message_id = str(orjson.loads(body).get("id", "")) or None
        await transport.publish(self.address, body, message_id=message_id)

    async def subscribe(
        self,
        transport: Transport,
        handler: Callable[[M], Awaitable[None]],
        *,
        queue: str | None = None,
        dedupe: Deduplicator | None = None,
    ) -> Subscription:
        """Call ``handler`` with each valid event, once per (source, id); invalid bodies dead-letter."""
        seen = dedupe if dedupe is not None else Deduplicator()

        async def receive(body: bytes) -> None:
            event = self.decode(body)
            if seen.seen(dedup_key(event.model_dump(include={"source", "id"}))):
                return
            await handler(event)

        return await transport.subscribe(self.address, receive, queue=queue)
