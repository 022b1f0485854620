"""Every row of "How contracts evolve" in DOMAIN.md, as an explicit test."""

from __future__ import annotations

from typing import Any

from tests.diff.conftest import Pair


def order_api(
    *,
    response_props: dict[str, Any] | None = None,
    response_required: list[str] | None = None,
    request_props: dict[str, Any] | None = None,
    request_required: list[str] | None = None,
    params: list[dict[str, Any]] | None = None,
    path: str = "/v1/orders/{id}",
    extra_ops: dict[str, Any] | None = None,
    version: str = "1.0.0",
) -> dict[str, Any]:
    order = {
        "type": "object",
        "properties": response_props
        or {"id": {"type": "string"}, "status": {"type": "string", "enum": ["submitted", "accepted"]}},
        "required": response_required if response_required is not None else ["id", "status"],
    }
    create = {
        "type": "object",
        "properties": request_props
        or {
            "sku": {"type": "string", "maxLength": 40, "pattern": "^[A-Z0-9-]+$"},
            "quantity": {"type": "integer", "maximum": 1000},
            "channel": {"type": "string", "enum": ["web", "edi"]},
        },
        "required": request_required if request_required is not None else ["sku", "quantity"],
    }
    id_param = {
        "name": path.split("{")[1].rstrip("}"),
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    paths: dict[str, Any] = {
        path: {
            "get": {
                "parameters": [id_param, *(params or [])],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}},
                    }
                },
            }
        },
        "/v1/orders": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderCreate"}}},
                },
                "responses": {"201": {"description": "Created"}},
            }
        },
    }
    paths.update(extra_ops or {})
    return {
        "openapi": "3.1.0",
        "info": {"title": "Orders", "version": version},
        "paths": paths,
        "components": {"schemas": {"Order": order, "OrderCreate": create}},
    }


BASE = order_api()


def props(**changes: Any) -> dict[str, Any]:
    base = {"id": {"type": "string"}, "status": {"type": "string", "enum": ["submitted", "accepted"]}}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def req_props(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sku": {"type": "string", "maxLength": 40, "pattern": "^[A-Z0-9-]+$"},
        "quantity": {"type": "integer", "maximum": 1000},
        "channel": {"type": "string", "enum": ["web", "edi"]},
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def test_add_optional_response_property_is_safe(pair: Pair) -> None:
    found = pair.ids(BASE, order_api(response_props=props(note={"type": "string"})))
    assert found == {"response-optional-property-added": "info"}


def test_add_required_request_property_is_breaking(pair: Pair) -> None:
    found = pair.ids(
        BASE,
        order_api(
            request_props=req_props(customerId={"type": "string"}),
            request_required=["sku", "quantity", "customerId"],
        ),
    )
    assert found == {"new-required-request-property": "error"}


def test_add_required_parameter_is_breaking(pair: Pair) -> None:
    param = {"name": "warehouse", "in": "query", "required": True, "schema": {"type": "string"}}
    assert pair.ids(BASE, order_api(params=[param])) == {"new-required-request-parameter": "error"}


def test_remove_response_property_is_breaking(pair: Pair) -> None:
    found = pair.ids(BASE, order_api(response_props=props(status=None), response_required=["id"]))
    assert found == {"response-required-property-removed": "error"}


def test_response_property_becoming_optional_is_breaking(pair: Pair) -> None:
    assert pair.ids(BASE, order_api(response_required=["id"])) == {
        "response-property-became-optional": "error"
    }


def test_response_property_becoming_nullable_is_breaking(pair: Pair) -> None:
    status = {"type": ["string", "null"], "enum": ["submitted", "accepted", None]}
    assert pair.ids(BASE, order_api(response_props=props(status=status))) == {
        "response-property-became-nullable": "error"
    }


def test_add_response_enum_value_is_a_warning(pair: Pair) -> None:
    status = {"type": "string", "enum": ["submitted", "accepted", "on_hold"]}
    result = pair.diff(BASE, order_api(response_props=props(status=status)))
    assert [(c.id, c.level.label, c.details.get("value")) for c in result.changes] == [
        ("response-property-enum-value-added", "warn", "on_hold")
    ]
    assert result.changes[0].base is not None and result.changes[0].base.pointer == (
        "/components/schemas/Order/properties/status/enum"
    )


def test_add_request_enum_value_is_safe(pair: Pair) -> None:
    channel = {"type": "string", "enum": ["web", "edi", "phone"]}
    assert pair.ids(BASE, order_api(request_props=req_props(channel=channel))) == {
        "request-property-enum-value-added": "info"
    }


def test_remove_request_enum_value_is_breaking(pair: Pair) -> None:
    channel = {"type": "string", "enum": ["web"]}
    assert pair.ids(BASE, order_api(request_props=req_props(channel=channel))) == {
        "request-property-enum-value-removed": "error"
    }


def test_change_type_integer_to_string_is_breaking(pair: Pair) -> None:
    quantity = {"type": "string"}
    found = pair.ids(BASE, order_api(request_props=req_props(quantity=quantity)))
    assert found == {"request-property-type-changed": "error"}


def test_tighten_request_max_length_maximum_pattern_is_breaking(pair: Pair) -> None:
    tighter = req_props(
        sku={"type": "string", "maxLength": 20, "pattern": "^[A-Z]+$"},
        quantity={"type": "integer", "maximum": 500},
    )
    assert pair.ids(BASE, order_api(request_props=tighter)) == {
        "request-property-max-length-decreased": "error",
        "request-property-max-decreased": "error",
        "request-property-pattern-changed": "error",
    }


def test_loosen_request_max_length_maximum_pattern_is_safe(pair: Pair) -> None:
    looser = req_props(
        sku={"type": "string", "maxLength": 80, "pattern": "^[A-Z0-9_-]+$"},
        quantity={"type": "integer", "maximum": 5000},
    )
    found = pair.ids(BASE, order_api(request_props=looser))
    assert found == {
        "request-property-max-length-increased": "info",
        "request-property-max-increased": "info",
        "request-property-pattern-generalized": "info",
    }


def test_rename_path_parameter_at_same_position_is_safe(pair: Pair) -> None:
    result = pair.diff(BASE, order_api(path="/v1/orders/{orderId}"))
    assert [(c.id, c.level.label) for c in result.changes] == [("path-parameter-renamed", "info")]
    assert result.changes[0].details == {"before": "id", "after": "orderId"}


def test_remove_operation_not_deprecated_is_breaking(pair: Pair) -> None:
    base = order_api(
        extra_ops={"/v1/orders/{id}/cancel": {"post": {"responses": {"204": {"description": "x"}}}}}
    )
    assert pair.ids(base, BASE) == {"api-path-removed-without-deprecation": "error"}


def test_remove_operation_deprecated_with_future_sunset_is_breaking(pair: Pair) -> None:
    op = {"deprecated": True, "x-sunset": "2099-12-31", "responses": {"204": {"description": "x"}}}
    base = order_api(extra_ops={"/v1/orders/{id}/cancel": {"post": op}})
    assert pair.ids(base, BASE) == {"api-removed-before-sunset": "error"}


def test_remove_operation_deprecated_with_past_sunset_is_safe(pair: Pair) -> None:
    op = {"deprecated": True, "x-sunset": "2024-12-31", "responses": {"204": {"description": "x"}}}
    base = order_api(extra_ops={"/v1/orders/{id}/cancel": {"post": op}})
    assert pair.ids(base, BASE) == {"api-removed-after-sunset": "info"}


def events(
    payload_props: dict[str, Any],
    required: list[str],
    address: str = "orders.order.created.v1",
    version: str = "1.0.0",
) -> dict[str, Any]:
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Order events", "version": version},
        "channels": {
            "orderCreated": {
                "address": address,
                "messages": {
                    "orderCreated": {
                        "payload": {"type": "object", "properties": payload_props, "required": required}
                    }
                },
            }
        },
        "operations": {
            "publishOrderCreated": {
                "action": "send",
                "channel": {"$ref": "#/channels/orderCreated"},
                "messages": [{"$ref": "#/channels/orderCreated/messages/orderCreated"}],
            }
        },
    }


EVENT_PROPS = {"orderId": {"type": "string"}, "total": {"type": "string"}}


def test_event_add_optional_field_is_safe(pair: Pair) -> None:
    revision = events({**EVENT_PROPS, "channel": {"type": "string"}}, ["orderId", "total"])
    assert pair.ids(events(EVENT_PROPS, ["orderId", "total"]), revision) == {
        "sent-message-optional-property-added": "info"
    }


def test_event_remove_field_breaks_consumers(pair: Pair) -> None:
    result = pair.diff(
        events(EVENT_PROPS, ["orderId", "total"]), events({"orderId": {"type": "string"}}, ["orderId"])
    )
    assert [(c.id, c.level.label, c.direction) for c in result.changes] == [
        ("sent-message-required-property-removed", "error", "publish")
    ]


def test_event_channel_address_change_breaks_consumers(pair: Pair) -> None:
    revision = events(EVENT_PROPS, ["orderId", "total"], address="orders.order.created.v2")
    assert pair.ids(events(EVENT_PROPS, ["orderId", "total"]), revision) == {
        "channel-address-changed": "error"
    }


def test_bump_info_version_alone_is_safe(pair: Pair) -> None:
    assert pair.diff(BASE, order_api(version="1.0.1"), check_version=True).changes == []
    base_events = events(EVENT_PROPS, ["orderId"])
    assert (
        pair.diff(base_events, events(EVENT_PROPS, ["orderId"], version="1.1.0"), check_version=True).changes
        == []
    )
