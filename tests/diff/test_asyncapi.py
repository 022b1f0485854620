"""AsyncAPI 2.6 (publish/subscribe from the client's view) and 3.0 (send/receive) give the same verdicts."""

from __future__ import annotations

from typing import Any

from tests.diff.conftest import Pair


def v2(verb: str, payload: dict[str, Any], channel: str = "orders.order.created.v1") -> dict[str, Any]:
    return {
        "asyncapi": "2.6.0",
        "info": {"title": "E", "version": "1.0.0"},
        "channels": {
            channel: {
                verb: {"operationId": "orderCreated", "message": {"name": "orderCreated", "payload": payload}}
            }
        },
    }


def payload(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": sorted(props)}


S = {"type": "string"}


def test_v2_subscribe_is_what_the_service_sends(pair: Pair) -> None:
    # AsyncAPI 2.x §Channel Item Object: `subscribe` = the application sends (consumers subscribe)
    result = pair.diff(v2("subscribe", payload(id=S, total=S)), v2("subscribe", payload(id=S)))
    assert [(c.id, c.level.label, c.direction, c.operation) for c in result.changes] == [
        ("sent-message-required-property-removed", "error", "publish", "SEND orders.order.created.v1")
    ]


def test_v2_publish_is_what_the_service_receives(pair: Pair) -> None:
    result = pair.diff(v2("publish", payload(id=S, total=S)), v2("publish", payload(id=S)))
    assert [(c.id, c.level.label, c.direction) for c in result.changes] == [
        ("received-message-property-removed", "warn", "subscribe")
    ]
    added = pair.ids(v2("publish", payload(id=S)), v2("publish", payload(id=S, total=S)))
    assert added == {"new-required-received-message-property": "error"}


def test_v2_channel_rename_keeps_the_operation_and_reports_the_address(pair: Pair) -> None:
    result = pair.diff(
        v2("subscribe", payload(id=S)), v2("subscribe", payload(id=S), "orders.order.created.v2")
    )
    assert [(c.id, c.level.label) for c in result.changes] == [("channel-address-changed", "error")]
    assert result.changes[0].details["after"] == "orders.order.created.v2"


def test_v2_to_v3_migration_with_same_meaning_is_no_change(pair: Pair) -> None:
    v3 = {
        "asyncapi": "3.0.0",
        "info": {"title": "E", "version": "1.0.0"},
        "channels": {
            "orderCreated": {
                "address": "orders.order.created.v1",
                "messages": {"orderCreated": {"name": "orderCreated", "payload": payload(id=S)}},
            }
        },
        "operations": {"orderCreated": {"action": "send", "channel": {"$ref": "#/channels/orderCreated"}}},
    }
    found = pair.ids(v2("subscribe", payload(id=S)), v3)
    assert "async-operation-removed" not in found and "message-removed" not in found
