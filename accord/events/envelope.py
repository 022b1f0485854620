"""CloudEvents 1.0 structured-mode envelope helpers (JSON format, distributed-tracing extension).

The envelope attributes are those of CloudEvents 1.0 §3 (``specversion``, ``id``, ``source``,
``type``, ``time``, ``subject``, ``datacontenttype``, ``data``) plus the ``traceparent``
extension of the Distributed Tracing extension. Consumers de-duplicate on (source, id) (§3.1.1:
"Producers MUST ensure that source + id is unique for each distinct event").
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

SPEC_VERSION = "1.0"
#: Content type of a structured-mode CloudEvent in JSON (CloudEvents JSON Event Format §3).
CONTENT_TYPE = "application/cloudevents+json"
DATA_CONTENT_TYPE = "application/json"
#: The topic exchange every domain publishes to; the routing key is the channel address.
EXCHANGE = "distribution.events"


def new_event_id() -> str:
    """A fresh event id (a random UUID)."""
    return str(uuid.uuid4())


def new_traceparent() -> str:
    """A fresh W3C Trace Context ``traceparent`` (version 00, sampled)."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def rfc3339(moment: datetime) -> str:
    """``moment`` as an RFC 3339 date-time with offset (UTC is written ``Z``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def envelope(
    *,
    event_type: str,
    source: str,
    data: Any,
    subject: str | None = None,
    event_id: str | None = None,
    time: datetime | None = None,
    traceparent: str | None = None,
) -> dict[str, Any]:
    """A CloudEvent as a JSON-ready mapping; ``id``, ``time`` and ``traceparent`` are made when absent."""
    event: dict[str, Any] = {
        "specversion": SPEC_VERSION,
        "id": event_id or new_event_id(),
        "source": source,
        "type": event_type,
        "time": rfc3339(time or datetime.now(UTC)),
    }
    if subject is not None:
        event["subject"] = subject
    event["datacontenttype"] = DATA_CONTENT_TYPE
    event["traceparent"] = traceparent or new_traceparent()
    event["data"] = data
    return event


def dedup_key(event: Mapping[str, Any]) -> tuple[str, str]:
    """The (source, id) pair that identifies an event."""
    return str(event.get("source", "")), str(event.get("id", ""))
